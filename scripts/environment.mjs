// Facts about this machine that decide how the app starts and how dependencies install.
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

export function hasDisplay() {
  if (process.platform === 'darwin' || process.platform === 'win32') return true;
  return Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
}

/** The Electron binary is optional here: it is skipped on headless machines and where it cannot be downloaded. */
export function electronBinary() {
  const pkg = join(repoRoot, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

export function dependenciesStale() {
  const marker = join(repoRoot, 'node_modules', '.package-lock.json');
  if (!existsSync(marker)) return true;
  return statSync(join(repoRoot, 'package-lock.json')).mtimeMs > statSync(marker).mtimeMs;
}

export function buildStale() {
  const built = join(repoRoot, 'out', 'main', 'cli.js');
  if (!existsSync(built) || !existsSync(join(repoRoot, 'out', 'renderer', 'index.html'))) return true;
  const sources = Math.max(
    ...['src-main', 'src-shared', 'src-renderer'].map((d) => newestMtime(join(repoRoot, d))),
    statSync(join(repoRoot, 'electron.vite.config.ts')).mtimeMs,
  );
  return sources > statSync(built).mtimeMs;
}

/** Environment for installs: never try to download browsers; skip Electron where it cannot run. */
export function installEnv() {
  const env = { ...process.env, PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' };
  if (!hasDisplay() || process.env.CI) env.ELECTRON_SKIP_BINARY_DOWNLOAD = '1';
  return env;
}
