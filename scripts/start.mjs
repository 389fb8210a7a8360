// `npm start`: install if needed, build if needed, then open the desktop app when Electron and
// a display exist, else serve the app to a browser (web mode) and print its URL.
import { spawn } from 'node:child_process';
import { buildStale, electronBinary, hasDisplay, repoRoot } from './environment.mjs';
import { ensureDependencies, runStep } from './run-step.mjs';
import { electronSqliteBinding } from './electronSqlite.mjs';

const args = process.argv.slice(2);
const forceWeb = args.includes('--web');
const passThrough = args.filter((a) => a !== '--web');

await ensureDependencies();
if (buildStale()) runStep('building', 'npx', ['electron-vite', 'build']);

const electron = electronBinary();
let child;
const sqliteForElectron = !forceWeb && electron && hasDisplay() ? electronSqliteBinding() : null;
if (sqliteForElectron) {
  console.log('Starting the desktop app (Electron).');
  child = spawn(electron, ['.', ...passThrough], {
    cwd: repoRoot,
    stdio: 'inherit',
    env: { ...process.env, MODESCOPE_SQLITE_BINDING: sqliteForElectron },
  });
} else {
  const why = forceWeb
    ? '--web given'
    : !electron
      ? 'no Electron binary installed'
      : !hasDisplay()
        ? 'no display'
        : 'better-sqlite3 could not be built for Electron';
  console.log(`Starting web mode (${why}).`);
  child = spawn(process.execPath, ['bin/modescope.mjs', 'serve', ...passThrough], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
}
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
