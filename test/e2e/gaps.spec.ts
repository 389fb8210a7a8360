import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { writeNpy } from './appSteps';
import { expect, test } from './serveFixture';

/** Three mixed sines at 100 Hz, time-first float32 .npy, NaN in the given row ranges (gaps on import). */
function writeGappyNpy(path: string, rows: number, gaps: [number, number][]): void {
  writeNpy(path, rows, 3, (r, c) =>
    gaps.some(([a, b]) => r >= a && r < b)
      ? NaN
      : Math.sin((2 * Math.PI * (3 + c) * r) / 100 + c) + 0.5 * Math.sin((2 * Math.PI * 11 * r) / 100),
  );
}

async function createProject(page: Page, folder: string): Promise<void> {
  await page.getByTestId('create-name').fill('Gaps walkthrough');
  await page.getByTestId('create-folder').fill(folder);
  await page.getByTestId('create-filename').fill('gaps');
  await page.getByTestId('create-submit').click();
  await expect(page.getByTestId('header-project-name')).toHaveText('Gaps walkthrough');
}

async function importGappy(page: Page, dir: string): Promise<void> {
  await page.getByTestId('nav-datasets').click();
  await page.getByTestId('add-tab-import').click();
  await page.getByTestId('import-browse').click();
  await expect(page.getByTestId('recording-picker')).toBeVisible();
  await expect(page.getByTestId('recording-picker-current')).not.toHaveText('…');
  await page.getByTestId('recording-picker-input').fill(dir);
  await page.getByTestId('recording-picker-input').press('Enter');
  await expect(page.getByTestId('recording-picker-current')).toHaveText(dir);
  await page.getByTestId('recording-picker-file').filter({ hasText: 'gappy.npy' }).locator('input').check();
  await page.getByTestId('recording-picker-add').click();
  await page.getByTestId('import-rate').fill('100');
  await page.getByTestId('import-rate').blur();
  await expect(page.getByTestId('import-problem')).toHaveCount(0);
  await page.getByTestId('import-submit').click();
  await expect(page.getByTestId('dataset-row').filter({ hasText: 'gappy' })).toHaveCount(1);
}

const tinyVrae: Record<string, string> = {
  sequence_length: '50',
  latent_dim: '2',
  n_units: '8',
  'masking.gap_min_samples': '4',
  'masking.gap_max_samples': '16',
  n_epochs: '3',
  n_kl_annealing_epochs: '1',
  batch_size: '8',
  learning_rate: '0.01',
};

test.describe('Gaps view in web mode', () => {
  test('train a tiny VRAE on data with gaps, inspect the imputation, zoom to a gap and evaluate', async ({
    page,
    served,
  }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1440, height: 1000 });
    writeGappyNpy(join(served.dir, 'gappy.npy'), 3000, [
      [400, 420],
      [1500, 1512],
    ]);
    await page.goto(served.url);
    await createProject(page, served.dir);
    await importGappy(page, served.dir);

    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('view-train')).toHaveAttribute('data-loaded', 'true');
    await page.getByTestId('train-model').selectOption('vrae');
    await expect(page.getByTestId('train-preset')).toHaveCount(0);
    await expect(page.getByTestId('config-n_channels')).toHaveValue('3');
    await expect(page.getByTestId('config-masking.gap_max_samples')).toHaveValue('96');
    for (const [key, value] of Object.entries(tinyVrae)) await page.getByTestId(`config-${key}`).fill(value);
    await page.getByTestId('config-masking.gap_max_samples').fill('60');
    await expect(page.getByTestId('config-masking.gap_max_samples-problem')).toContainText(
      'must be shorter than sequence_length (50)',
    );
    await page.getByTestId('config-masking.gap_max_samples').fill('16');
    await expect(page.getByTestId('config-form').locator('.field-problem')).toHaveCount(0);
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('live-run')).toHaveAttribute('data-status', 'completed', {
      timeout: 240_000,
    });

    await page.getByTestId('nav-gaps').click();
    await expect(page.getByTestId('view-gaps')).toHaveAttribute('data-loaded', 'true');
    await page.getByTestId('gaps-run-select').selectOption({ index: 1 });
    // The training outputs already hold the imputed training session.
    await expect(page.getByTestId('gaps-session-select')).toContainText('96 imputed values');
    const gaps = page.getByTestId('gaps-list').locator('li');
    await expect(gaps).toHaveCount(2);
    await expect(gaps.first()).toHaveText('4.000 s · 200 ms · all channels');
    await page.getByTestId('gaps-zoom-0').click();
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'test-results/screenshots/gaps-zoom.png', fullPage: true });

    await page.getByTestId('gaps-impute').click();
    await expect(page.getByTestId('gaps-impute-progress')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 60_000,
    });

    // The multichannel autoregressive imputer instead of the model: an order, no iterations.
    await expect(page.getByTestId('gaps-ar-order')).toHaveCount(0);
    await page.getByTestId('gaps-imputer').selectOption('autoregressive');
    await expect(page.locator('#gaps-iterations')).toHaveCount(0);
    await page.getByTestId('gaps-ar-order').fill('4');
    await page.screenshot({ path: 'test-results/screenshots/gaps-autoregressive-form.png', fullPage: true });
    await page.getByTestId('gaps-impute').click();
    await expect(page.getByTestId('gaps-session-select')).toContainText(
      '96 imputed values, autoregressive order 4',
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('gaps-impute-progress')).toHaveAttribute('data-status', 'succeeded');

    // That model stacked with the per-channel GP: the same order field, curves calibrated on the sessions.
    await page.getByTestId('gaps-imputer').selectOption('stacked');
    await expect(page.getByTestId('gaps-ar-order')).toHaveValue('4');
    await page.getByTestId('gaps-impute').click();
    await expect(page.getByTestId('gaps-session-select')).toContainText(
      '96 imputed values, stacked GP + autoregressive order 4',
      { timeout: 60_000 },
    );
    await expect(page.getByTestId('gaps-impute-progress')).toHaveAttribute('data-status', 'succeeded');

    await page.getByTestId('gaps-denoise').click();
    await expect(page.getByTestId('gaps-denoise-progress')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 60_000,
    });
    await expect(page.getByTestId('gaps-show-denoised')).toBeChecked();
    await page.waitForTimeout(500);
    await page.screenshot({ path: 'test-results/screenshots/gaps-denoised.png', fullPage: true });

    // Export the imputed signal through the exports service.
    await page.getByTestId('gaps-export-kind').selectOption('imputed');
    await page.getByTestId('gaps-export-format').selectOption('npy');
    await expect(page.getByTestId('gaps-export-path')).toHaveValue(/run1_session\d+_imputed\.npy$/);
    const exportPath = await page.getByTestId('gaps-export-path').inputValue();
    await page.getByTestId('gaps-export-submit').click();
    await expect(page.getByTestId('gaps-export-written')).toContainText('3000 × 3 float32');
    expect(statSync(exportPath).size).toBe(128 + 3000 * 3 * 4);

    await page.locator('[data-testid^="gaps-eval-session-"]').first().check();
    await page.getByTestId('gaps-eval-min').fill('100');
    await page.getByTestId('gaps-eval-max').fill('200');
    await page.getByTestId('gaps-eval-n').fill('6');
    await page.getByTestId('gaps-eval-dropouts').fill('3');
    await page.getByTestId('gaps-eval-order').fill('4');
    await page.getByTestId('gaps-eval-run').click();
    await expect(page.getByTestId('gaps-eval-progress')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 120_000,
    });
    const table = page.getByTestId('gaps-eval-table');
    await expect(table.locator('tbody tr')).toHaveCount(12);
    await expect(page.getByTestId('gaps-eval-cell-gap-all-model')).toHaveText(/^\d/);
    await expect(page.getByTestId('gaps-eval-cell-gap-all-gp')).toHaveText(/^\d/);
    await expect(page.getByTestId('gaps-eval-cell-gap-all-autoregressive')).toHaveText(/^\d/);
    await expect(page.getByTestId('gaps-eval-cell-gap-all-stacked')).toHaveText(/^\d/);
    await expect(page.getByTestId('gaps-eval-stacking')).toContainText(
      "the GP's share of the fill: all-channel gaps",
    );
    await expect(page.getByTestId('gaps-eval-bars-gap')).toBeVisible();
    await page
      .getByTestId('gaps-evaluation')
      .screenshot({ path: 'test-results/screenshots/gaps-evaluation.png' });

    // Asking for gaps the model cannot bridge is refused with the reason.
    await page.getByTestId('gaps-eval-max').fill('400');
    await page.getByTestId('gaps-eval-run').click();
    await expect(page.getByTestId('gaps-eval-error')).toContainText('longer than half the model');
  });
});
