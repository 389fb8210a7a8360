// Builds better-sqlite3 for Electron's ABI into a cache folder, leaving the Node build that web
// mode, the CLI and the tests use untouched. Needs the network once (Electron's headers).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './environment.mjs';

export function electronSqliteBinding() {
  const electronVersion = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules/electron/package.json'), 'utf8'),
  ).version;
  const sqliteVersion = JSON.parse(
    readFileSync(join(repoRoot, 'node_modules/better-sqlite3/package.json'), 'utf8'),
  ).version;
  const cacheDir = join(
    repoRoot,
    'node_modules',
    '.cache',
    'modescope',
    `better-sqlite3-${sqliteVersion}-electron-${electronVersion}`,
  );
  const binding = join(cacheDir, 'build', 'Release', 'better_sqlite3.node');
  if (existsSync(binding)) return binding;

  console.log(`Building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} (once)…`);
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  cpSync(join(repoRoot, 'node_modules/better-sqlite3'), cacheDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  });
  // npm passes its bundled node-gyp to scripts; outside npm, fall back to npx.
  const args = [
    'rebuild',
    '--release',
    `--target=${electronVersion}`,
    '--dist-url=https://electronjs.org/headers',
    `--arch=${process.arch}`,
  ];
  const viaNpm = process.env.npm_config_node_gyp;
  const [command, commandArgs] = viaNpm
    ? [process.execPath, [viaNpm, ...args]]
    : ['npx', ['--yes', 'node-gyp', ...args]];
  const r = spawnSync(command, commandArgs, {
    cwd: cacheDir,
    stdio: 'inherit',
    shell: process.platform === 'win32',
    // The machine-wide nodedir points at Node's headers; Electron's must be downloaded instead.
    env: { ...process.env, npm_config_nodedir: '' },
  });
  if (r.status !== 0 || !existsSync(binding)) {
    rmSync(cacheDir, { recursive: true, force: true });
    return null;
  }
  return binding;
}
