import type Database from 'better-sqlite3';

/**
 * better-sqlite3 is a V8 addon, so Electron needs a build for its own ABI while Node (web mode,
 * CLI, tests) needs the one npm built. `npm start` builds the Electron one into a cache folder
 * and names it here; everywhere else the default binding is used.
 */
export function sqliteOptions(options: Database.Options): Database.Options {
  const binding = process.env.MODESCOPE_SQLITE_BINDING;
  return binding && process.versions.electron ? { ...options, nativeBinding: binding } : options;
}
