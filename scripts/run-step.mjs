import { spawnSync } from 'node:child_process';
import { repoRoot } from './environment.mjs';

/** Runs one npm/npx step in the repo root, inheriting the terminal; exits on failure. */
export function runStep(label, command, args, env = process.env) {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(command, args, {
    cwd: repoRoot,
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  });
  if (r.status !== 0) {
    console.error(`✖ ${label} failed (exit ${r.status ?? r.signal})`);
    process.exit(r.status ?? 1);
  }
}

export function ensureDependencies() {
  return import('./environment.mjs').then(({ dependenciesStale, installEnv }) => {
    if (dependenciesStale()) runStep('installing dependencies (npm ci)', 'npm', ['ci'], installEnv());
  });
}
