import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from '@playwright/test';
import { expect, repoRoot } from './serveFixture';

const execFileAsync = promisify(execFile);

/** The CLI against the same built bundle the served app uses, with its own config folder under `dir`. */
export async function modescopeCli(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [join(repoRoot, 'bin/modescope.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, MODESCOPE_CONFIG_DIR: join(dir, 'cli-config'), MODESCOPE_MAX_BACKEND: 'cpu' },
    timeout: 240_000,
  });
  return stdout;
}

/** Creates `<folder>/<fileName>.modescope` from the Projects view and waits until it is open. */
export async function createProjectInUi(
  page: Page,
  name: string,
  folder: string,
  fileName: string,
): Promise<void> {
  await page.getByTestId('create-name').fill(name);
  await page.getByTestId('create-folder').fill(folder);
  await page.getByTestId('create-filename').fill(fileName);
  await page.getByTestId('create-submit').click();
  await expect(page.getByTestId('header-project-name')).toHaveText(name);
}

/** Simulates 'Sim HMM' (3 states, 4 channels, 4000 samples, seed 3) from the Datasets view and waits for it. */
export async function simulateHmmInUi(page: Page): Promise<void> {
  await page.getByTestId('nav-datasets').click();
  await expect(page.getByTestId('view-datasets')).toHaveAttribute('data-loaded', 'true');
  await page.getByTestId('add-tab-simulate').click();
  await page.getByTestId('simulate-n_states').fill('3');
  await page.getByTestId('simulate-n_samples').fill('4000');
  await page.getByTestId('simulate-n_channels').fill('4');
  await page.getByTestId('simulate-seed').fill('3');
  await page.getByTestId('simulate-name').fill('Sim HMM');
  await page.getByTestId('simulate-submit').click();
  await expect(page.getByTestId('simulate-progress')).toHaveAttribute('data-status', 'succeeded', {
    timeout: 60_000,
  });
}

/** A float32 .npy file (format 1.0) holding `rows × cols`, row-major. */
export function writeNpy(
  path: string,
  rows: number,
  cols: number,
  value: (r: number, c: number) => number,
): void {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows}, ${cols}), }`;
  header += ' '.repeat(64 - ((10 + header.length + 1) % 64)) + '\n';
  const prefix = Buffer.alloc(10);
  prefix.write('\x93NUMPY', 0, 'latin1');
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(rows * cols * 4);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) body.writeFloatLE(value(r, c), (r * cols + c) * 4);
  writeFileSync(path, Buffer.concat([prefix, Buffer.from(header, 'latin1'), body]));
}
