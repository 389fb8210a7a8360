import { test as base } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface ServedApp {
  url: string;
  port: number;
  token: string;
  /** A fresh folder for this test's projects and the app's config. */
  dir: string;
}

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Starts `modescope serve --json` on a free loopback port with its own config folder. */
export async function startServe(dir: string): Promise<{ app: ServedApp; child: ChildProcess }> {
  const child = spawn(process.execPath, [join(repoRoot, 'bin/modescope.mjs'), 'serve', '--json'], {
    cwd: repoRoot,
    env: { ...process.env, MODESCOPE_CONFIG_DIR: join(dir, 'config') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d.toString()));
  const line = await new Promise<string>((resolveLine, reject) => {
    const rl = createInterface({ input: child.stdout! });
    rl.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`modescope serve exited with ${code}: ${stderr}`)));
  });
  const { url, port, token } = JSON.parse(line) as { url: string; port: number; token: string };
  return { app: { url, port, token, dir }, child };
}

export const test = base.extend<{ served: ServedApp }>({
  // Playwright fixtures must destructure their dependencies, even when there are none.
  // eslint-disable-next-line no-empty-pattern
  served: async ({}, use) => {
    const dir = mkdtempSync(join(tmpdir(), 'modescope-e2e-'));
    const { app, child } = await startServe(dir);
    await use(app);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  },
});

export { expect } from '@playwright/test';
