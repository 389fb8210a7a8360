import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from '@playwright/test';
import { expect, repoRoot, test } from './serveFixture';

const run = promisify(execFile);

/** The CLI against the same built bundle the served app uses: a simulation and a tiny trained run. */
async function cli(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [join(repoRoot, 'bin/modescope.mjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, MODESCOPE_CONFIG_DIR: join(dir, 'cli-config'), MODESCOPE_MAX_BACKEND: 'cpu' },
    timeout: 240_000,
  });
  return stdout;
}

/** What the pixel check needs of a canvas (the Node tsconfig has no DOM types). */
interface CanvasLike {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** Fraction of a chart's canvas pixels that are not (near) white: 0 for a blank plot. */
async function ink(chart: Locator): Promise<number> {
  return chart
    .locator('canvas')
    .first()
    .evaluate((node) => {
      const canvas = node as unknown as CanvasLike;
      const context = canvas.getContext('2d');
      if (!context || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
      let inked = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && (data[i]! < 235 || data[i + 1]! < 235 || data[i + 2]! < 235)) inked++;
      }
      return inked / (data.length / 4);
    });
}

test.describe('Modes view in web mode', () => {
  test('a tiny DyNeMo on a simulation: α variants, covariances, statistics, spectra and ground truth', async ({
    page,
    served,
  }) => {
    test.setTimeout(400_000);
    const project = join(served.dir, 'modes.modescope');
    await cli(
      served.dir,
      ...['simulate', '--project', project, '--create', '--name', 'Sim HMM', '--kind', 'HMM_MVN'],
      ...['--n-samples', '4000', '--n-channels', '8', '--n-states', '3', '--n-sessions', '2', '--seed', '3'],
    );
    const prepared = JSON.parse(
      await cli(
        served.dir,
        'prepare',
        '--project',
        project,
        '--dataset',
        'Sim HMM',
        '--steps',
        'standardize',
        '--json',
      ),
    ) as { id: number };
    // Settings that recover this simulation (matched α correlations ≈ 0.95) in about ten seconds here.
    const config = {
      n_modes: 3,
      sequence_length: 100,
      batch_size: 16,
      n_epochs: 20,
      n_kl_annealing_epochs: 10,
      inference_n_units: 16,
      model_n_units: 16,
      inference_normalization: 'layer',
      model_normalization: 'layer',
      learn_means: false,
      n_init: 3,
      n_init_epochs: 2,
      learning_rate: 0.01,
    };
    await cli(
      served.dir,
      ...['train', '--project', project, '--dataset', 'Sim HMM', '--preparation', String(prepared.id)],
      ...['--name', 'tiny', ...Object.entries(config).flatMap(([k, v]) => ['--set', `${k}=${v}`])],
    );

    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(served.url);
    await page.getByTestId('open-path').fill(project);
    await page.getByTestId('open-submit').click();
    await expect(page.getByTestId('header-project-name')).not.toHaveText('');

    await page.getByTestId('nav-modes').click();
    await expect(page.getByTestId('view-modes')).toHaveAttribute('data-loaded', 'true');
    const runSelect = page.getByTestId('modes-run-select');
    await expect(runSelect.locator('option')).toHaveCount(2);
    await expect(runSelect.locator('option').nth(1)).toContainText('tiny');
    await runSelect.selectOption({ index: 1 });
    await expect(page.getByTestId('modes-analysis-progress')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 120_000,
    });

    const sessions = page.getByTestId('modes-session-select').locator('option');
    await expect(sessions).toHaveCount(2);

    const alpha = page.getByTestId('modes-alpha-chart');
    await expect.poll(() => ink(alpha), { timeout: 30_000 }).toBeGreaterThan(0.2);
    for (const k of [1, 2, 3]) {
      await expect.poll(() => ink(page.getByTestId(`modes-covariance-${k}`))).toBeGreaterThan(0.005);
    }
    for (const stat of ['fo', 'lifetime', 'interval', 'switching']) {
      await expect.poll(() => ink(page.getByTestId(`modes-summary-${stat}`))).toBeGreaterThan(0.01);
    }
    await expect.poll(() => ink(page.getByTestId('modes-spectra'))).toBeGreaterThan(0.01);

    const truth = page.getByTestId('modes-ground-truth');
    await expect(truth).toBeVisible();
    await expect(truth.getByTestId('modes-ground-truth-scores').locator('tbody tr')).toHaveCount(3);
    // The run recovers the simulation: every matched correlation is high.
    await expect(page.getByTestId('modes-ground-truth-mean')).toContainText(/correlation 0\.(8|9)\d/);
    await expect.poll(() => ink(page.getByTestId('modes-ground-truth-chart'))).toBeGreaterThan(0.2);
    // The view scrolls inside the app's main pane, so a tall window shows all of it at once.
    await page.setViewportSize({ width: 1440, height: 3600 });
    await expect.poll(() => ink(page.getByTestId('modes-spectra'))).toBeGreaterThan(0.01);
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'test-results/screenshots/modes.png' });
    for (const part of ['alpha', 'truth', 'cov', 'summary', 'spectra']) {
      await page
        .locator(`section[aria-labelledby="modes-${part}-title"]`)
        .screenshot({ path: `test-results/screenshots/modes-${part}.png` });
    }
    await page.setViewportSize({ width: 1440, height: 1000 });

    // Zooming the estimate zooms the ground truth with it.
    const truthCanvas = page.getByTestId('modes-ground-truth-chart').locator('canvas').first();
    const truthBefore = await truthCanvas.screenshot();
    const alphaCanvas = page.getByTestId('modes-alpha-chart-canvas');
    await alphaCanvas.scrollIntoViewIfNeeded();
    const box = (await alphaCanvas.boundingBox())!;
    for (let i = 0; i < 6; i++) {
      await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
      await page.mouse.wheel(0, -400);
      await page.waitForTimeout(100);
    }
    await expect
      .poll(async () => (await truthCanvas.screenshot()).equals(truthBefore), { timeout: 15_000 })
      .toBe(false);
    await page.setViewportSize({ width: 1440, height: 1400 });
    await page.waitForTimeout(500);
    for (const part of ['alpha', 'truth']) {
      await page
        .locator(`section[aria-labelledby="modes-${part}-title"]`)
        .screenshot({ path: `test-results/screenshots/modes-zoomed-${part}.png` });
    }
    await page.setViewportSize({ width: 1440, height: 1000 });

    // The binarised view stacks the 0/1 states (height: how many modes are on); reweighted α stacks to 1.
    await page.getByTestId('modes-variant-binarised').click();
    await expect(page.getByTestId('modes-variant-binarised')).toHaveAttribute('aria-pressed', 'true');
    await expect.poll(() => ink(page.getByTestId('modes-alpha-chart'))).toBeGreaterThan(0.01);
    await page
      .getByTestId('modes-alpha-chart')
      .screenshot({ path: 'test-results/screenshots/modes-binarised.png' });
    await page.getByTestId('modes-variant-reweighted').click();
    await expect.poll(() => ink(page.getByTestId('modes-alpha-chart'))).toBeGreaterThan(0.2);

    // Another session redraws from its own windows.
    await page.getByTestId('modes-session-select').selectOption({ index: 1 });
    await expect.poll(() => ink(page.getByTestId('modes-alpha-chart'))).toBeGreaterThan(0.2);

    // Choosing the run again reads the stored analysis.
    await runSelect.selectOption({ index: 0 });
    await expect(page.getByTestId('modes-alpha-chart')).toHaveCount(0);
    await runSelect.selectOption({ index: 1 });
    await expect(page.getByTestId('modes-analysis-progress')).toHaveAttribute('data-status', 'succeeded');
    await expect.poll(() => ink(page.getByTestId('modes-alpha-chart'))).toBeGreaterThan(0.2);
    expect(errors).toEqual([]);
  });
});
