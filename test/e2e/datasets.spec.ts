import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { createProjectInUi, writeNpy } from './appSteps';
import { expect, repoRoot, test } from './serveFixture';

const edfPath = resolve(repoRoot, '../shared/data/eeg/raw/eegmmidb_S001R01.edf');

function createProject(page: Page, folder: string): Promise<void> {
  return createProjectInUi(page, 'Datasets walkthrough', folder, 'datasets');
}

/** Opens the recording picker and waits for its first listing, so typed paths are not raced. */
async function openRecordingPicker(page: Page): Promise<void> {
  await page.getByTestId('import-browse').click();
  await expect(page.getByTestId('recording-picker')).toBeVisible();
  await expect(page.getByTestId('recording-picker-current')).not.toHaveText('…');
}

/** The parts of a 2D canvas the pixel check reads (the Node tsconfig has no full DOM types). */
interface PixelCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

/** Share of the chart canvas' pixels that are not (near) white: a drawn trace covers some of them. */
async function inkFraction(page: Page, testid: string): Promise<number> {
  return page
    .getByTestId(testid)
    .locator('canvas')
    .first()
    .evaluate((node) => {
      const canvas = node as unknown as PixelCanvas;
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) return 0;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200)) ink++;
      }
      return ink / (data.length / 4);
    });
}

test.describe('Datasets view in web mode', () => {
  test('simulate, preview, prepare with TDE-PCA, and import an EDF through the wizard', async ({
    page,
    served,
  }) => {
    test.setTimeout(240_000);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(served.url);
    await createProject(page, served.dir);
    await page.getByTestId('nav-datasets').click();
    await expect(page.getByTestId('view-datasets')).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('dataset-empty')).toBeVisible();

    // Simulate a small HMM_MVN dataset; the form starts from the schema's defaults.
    await page.getByTestId('add-tab-simulate').click();
    await expect(page.getByTestId('simulate-n_states')).toHaveValue('5');
    await page.getByTestId('simulate-n_samples').fill('0');
    await expect(page.getByTestId('simulate-n_samples-problem')).toContainText('at least 2');
    await expect(page.getByTestId('simulate-submit')).toBeDisabled();
    await page.getByTestId('simulate-n_samples').fill('6000');
    await page.getByTestId('simulate-n_channels').fill('6');
    await page.getByTestId('simulate-seed').fill('7');
    await page.getByTestId('simulate-name').fill('Sim HMM');
    await page.getByTestId('simulate-submit').click();
    const simRow = page.getByTestId('dataset-row').filter({ hasText: 'Sim HMM' });
    await expect(simRow).toHaveCount(1);
    await expect(page.getByTestId('simulate-progress')).toHaveAttribute('data-status', 'succeeded');
    await expect(simRow.getByTestId('dataset-format')).toHaveText('simulation');
    await expect(simRow.getByTestId('dataset-channels')).toHaveText('6');
    await expect(simRow.getByTestId('dataset-rate')).toHaveText('250 Hz');

    // Its preview draws the six stacked channels.
    await simRow.getByTestId('dataset-open').click();
    await expect(page.getByTestId('selected-dataset-name')).toHaveText('Sim HMM');
    await expect(page.getByTestId('preview-page')).toContainText('of 6');
    await expect(page.getByTestId('preview-chart-empty')).toHaveCount(0);
    await expect(page.getByTestId('preview-chart-loading')).toHaveCount(0);
    await expect.poll(() => inkFraction(page, 'preview-chart-canvas')).toBeGreaterThan(0.01);
    await page.screenshot({ path: 'test-results/screenshots/datasets-simulated.png' });
    await page
      .getByTestId('session-preview')
      .screenshot({ path: 'test-results/screenshots/datasets-simulated-preview.png' });

    // Pipeline: standardize then tde_pca; a bad value is refused inline first.
    await page.getByTestId('pipeline-add-name').selectOption('standardize');
    await page.getByTestId('pipeline-add').click();
    await page.getByTestId('pipeline-add-name').selectOption('tde_pca');
    await page.getByTestId('pipeline-add').click();
    const tdeStep = page.locator('[data-testid="pipeline-step"][data-name="tde_pca"]');
    await expect(tdeStep).toHaveCount(1);
    await tdeStep.getByTestId('pipeline-field-n_embeddings').fill('14');
    await expect(tdeStep.getByTestId('pipeline-field-problem')).toContainText('n_embeddings must be odd');
    await expect(page.getByTestId('pipeline-run')).toBeDisabled();
    await tdeStep.getByTestId('pipeline-field-n_embeddings').fill('15');
    await tdeStep.getByTestId('pipeline-field-n_pca_components').fill('100');
    await expect(tdeStep.getByTestId('pipeline-field-problem')).toContainText('exceeds the 90');
    await tdeStep.getByTestId('pipeline-field-n_pca_components').fill('12');
    await expect(page.getByTestId('pipeline-field-problem')).toHaveCount(0);
    await page.getByTestId('pipeline-name').fill('TDE-PCA 12');
    await page.getByTestId('pipeline-run').click();
    const prep = page.getByTestId('preparation-row').first();
    await expect(prep.getByTestId('preparation-status')).toHaveText('done', { timeout: 60_000 });
    const variance = Number(await prep.getByTestId('preparation-variance').getAttribute('data-value'));
    expect(variance).toBeGreaterThan(0.1);
    expect(variance).toBeLessThanOrEqual(1);
    await expect(simRow.getByTestId('dataset-prep')).toHaveAttribute('data-status', 'done');

    // The prepared signal can be previewed too (12 components).
    await page.getByTestId('preview-source').selectOption({ label: 'TDE-PCA 12' });
    await expect(page.getByTestId('preview-page')).toContainText('of 12');
    await expect(page.getByTestId('preview-chart-loading')).toHaveCount(0);
    await expect.poll(() => inkFraction(page, 'preview-chart-canvas')).toBeGreaterThan(0.01);
    await page
      .getByTestId('session-preview')
      .screenshot({ path: 'test-results/screenshots/datasets-prepared-preview.png' });
    await page
      .getByTestId('pipeline-editor')
      .screenshot({ path: 'test-results/screenshots/datasets-pipeline.png' });

    // Import a real EDF through the wizard, typing its path into the picker.
    expect(existsSync(edfPath), `${edfPath} is missing`).toBe(true);
    await page.getByTestId('add-tab-import').click();
    await openRecordingPicker(page);
    await page.getByTestId('recording-picker-input').fill(edfPath);
    await page.getByTestId('recording-picker-input').press('Enter');
    await expect(page.getByTestId('recording-picker')).toHaveCount(0);
    const file = page.getByTestId('import-file');
    await expect(file).toHaveCount(1);
    await expect(file).toHaveAttribute('data-ok', 'true');
    await expect(file.getByTestId('import-file-format')).toHaveText('edf');
    await expect(page.getByTestId('import-name')).toHaveValue('eegmmidb_S001R01');
    await page.getByTestId('import-name').fill('EEGMMIDB S001R01');
    await page
      .getByTestId('add-dataset')
      .screenshot({ path: 'test-results/screenshots/datasets-import-wizard.png' });
    await page.getByTestId('import-submit').click();
    const edfRow = page.getByTestId('dataset-row').filter({ hasText: 'EEGMMIDB S001R01' });
    await expect(edfRow).toHaveCount(1, { timeout: 60_000 });
    await expect(edfRow.getByTestId('dataset-format')).toHaveText('edf');
    await expect(edfRow.getByTestId('dataset-rate')).toHaveText('160 Hz');
    await expect(edfRow.getByTestId('dataset-channels')).toHaveText('64');
    await expect(page.getByTestId('import-progress')).toHaveAttribute('data-status', 'succeeded');
    await expect(page.getByTestId('selected-dataset-name')).toHaveText('EEGMMIDB S001R01');
    await expect(page.getByTestId('preview-chart-loading')).toHaveCount(0);
    await expect.poll(() => inkFraction(page, 'preview-chart-canvas')).toBeGreaterThan(0.01);
    await page.screenshot({ path: 'test-results/screenshots/datasets-edf-imported.png' });
    await page
      .getByTestId('session-preview')
      .screenshot({ path: 'test-results/screenshots/datasets-edf-preview.png' });

    // Delete asks first.
    await simRow.getByTestId('dataset-delete').click();
    await simRow.getByTestId('dataset-delete-confirm').click();
    await expect(simRow).toHaveCount(0);
    await expect(page.getByTestId('dataset-count')).toHaveText('1');
  });

  test('a file that is not a recording shows its error in the wizard', async ({ page, served }) => {
    await page.goto(served.url);
    await createProject(page, served.dir);
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('add-tab-import').click();
    await openRecordingPicker(page);
    await page.getByTestId('recording-picker-input').fill(resolve(served.dir, 'missing.edf'));
    await page.getByTestId('recording-picker-input').press('Enter');
    const file = page.getByTestId('import-file');
    await expect(file).toHaveAttribute('data-ok', 'false');
    await expect(file.getByTestId('import-file-error')).toContainText(/NOT_FOUND|not found|no such/i);
    await expect(page.getByTestId('import-submit')).toHaveCount(0);
  });

  test('a channel-first npy needs its layout and rate before it can be imported', async ({
    page,
    served,
  }) => {
    const npyPath = join(served.dir, 'sensors.npy');
    writeNpy(npyPath, 4, 1000, (r, c) => Math.sin((2 * Math.PI * (r + 1) * c) / 200));
    await page.goto(served.url);
    await createProject(page, served.dir);
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('add-tab-import').click();
    await openRecordingPicker(page);
    await page.getByTestId('recording-picker-input').fill(served.dir);
    await page.getByTestId('recording-picker-input').press('Enter');
    await expect(page.getByTestId('recording-picker-current')).toHaveText(served.dir);
    await page
      .getByTestId('recording-picker-file')
      .filter({ hasText: 'sensors.npy' })
      .locator('input')
      .check();
    await page.getByTestId('recording-picker-add').click();

    const file = page.getByTestId('import-file');
    await expect(file.getByTestId('import-file-format')).toHaveText('npy');
    await expect(file.getByTestId('import-file-warning').filter({ hasText: '1 Hz was assumed' })).toHaveCount(
      1,
    );
    await expect(
      file.getByTestId('import-file-warning').filter({ hasText: 'read as time-first' }),
    ).toHaveCount(1);
    await expect(page.getByTestId('import-problem')).toHaveText(
      'Enter the sampling rate in Hz: these files do not store it.',
    );
    await expect(page.getByTestId('import-submit')).toBeDisabled();
    // Read as time-first the file has 1000 "channels"; rows are channels here.
    await expect(page.getByTestId('import-channels')).toContainText('of 1000');
    await page.getByTestId('import-orientation').selectOption('channel-first');
    await expect(page.getByTestId('import-channels')).toContainText('4 of 4');
    await page.getByTestId('import-rate').fill('200');
    await page.getByTestId('import-rate').blur();
    await expect(page.getByTestId('import-problem')).toHaveCount(0);
    await page
      .getByTestId('add-dataset')
      .screenshot({ path: 'test-results/screenshots/datasets-import-npy.png' });
    await page.getByTestId('import-submit').click();
    const row = page.getByTestId('dataset-row').filter({ hasText: 'sensors' });
    await expect(row).toHaveCount(1);
    await expect(row.getByTestId('dataset-format')).toHaveText('npy');
    await expect(row.getByTestId('dataset-channels')).toHaveText('4');
    await expect(row.getByTestId('dataset-rate')).toHaveText('200 Hz');
  });

  test('a folder of recordings becomes one multi-session dataset', async ({ page, served }) => {
    const folder = resolve(repoRoot, '../shared/data/eeg/raw');
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(served.url);
    await createProject(page, served.dir);
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('add-tab-import').click();
    await openRecordingPicker(page);
    await page.getByTestId('recording-picker-input').fill(folder);
    await page.getByTestId('recording-picker-input').press('Enter');
    await expect(
      page.getByTestId('recording-picker-file').filter({ hasText: 'eegmmidb_S001R01.edf' }),
    ).toHaveCount(1);
    await page.getByTestId('recording-picker-add-folder').click();

    // Every recording in the folder is listed; the EEGLAB file is left out of this dataset.
    const files = page.getByTestId('import-file');
    await expect(files.filter({ hasText: '.edf' })).toHaveCount(4);
    const eeglab = files.filter({ hasText: 'eeglab_data.set' });
    await expect(eeglab).toHaveCount(1);
    await eeglab.getByTestId('import-file-include').uncheck();
    await page.getByTestId('import-name').fill('EEGMMIDB four runs');
    await files.filter({ hasText: 'S001R04' }).getByTestId('import-file-label').fill('S001 task');
    await page
      .getByTestId('add-dataset')
      .screenshot({ path: 'test-results/screenshots/datasets-import-folder.png' });
    await expect(page.getByTestId('import-submit')).toHaveText('Import 4 session(s)');
    await page.getByTestId('import-submit').click();
    const row = page.getByTestId('dataset-row').filter({ hasText: 'EEGMMIDB four runs' });
    await expect(row).toHaveCount(1, { timeout: 60_000 });
    await expect(row.getByTestId('dataset-sessions')).toHaveText('4');
    await expect(page.getByTestId('preview-session').locator('option')).toHaveText([
      'eegmmidb_S001R01',
      'S001 task',
      'eegmmidb_S002R01',
      'eegmmidb_S003R01',
    ]);
    // The session table switches the preview to the clicked session.
    await page.getByTestId('preview-sessions').locator('summary').click();
    await page.getByTestId('preview-session-row').filter({ hasText: 'S001 task' }).click();
    await expect(page.getByTestId('preview-facts')).toContainText('30 annotations');
    await expect(page.getByTestId('preview-chart-loading')).toHaveCount(0);
    await expect.poll(() => inkFraction(page, 'preview-chart-canvas')).toBeGreaterThan(0.01);
    await page
      .getByTestId('session-preview')
      .screenshot({ path: 'test-results/screenshots/datasets-multisession-preview.png' });
  });

  test('a running preparation can be cancelled from its progress bar', async ({ page, served }) => {
    await page.goto(served.url);
    await createProject(page, served.dir);
    await page.getByTestId('nav-datasets').click();
    await page.getByTestId('add-tab-simulate').click();
    // Large enough that TDE-PCA over 32 × 15 dimensions takes a while on two shared cores.
    await page.getByTestId('simulate-n_samples').fill('200000');
    await page.getByTestId('simulate-n_channels').fill('32');
    await page.getByTestId('simulate-name').fill('Long HMM');
    await page.getByTestId('simulate-submit').click();
    await expect(page.getByTestId('dataset-row').filter({ hasText: 'Long HMM' })).toHaveCount(1, {
      timeout: 60_000,
    });
    await page.getByTestId('pipeline-preset-tde_pca').click();
    await expect(page.locator('[data-testid="pipeline-step"][data-name="tde_pca"]')).toHaveCount(1);
    await page.getByTestId('pipeline-run').click();
    const progress = page.getByTestId('prepare-progress');
    await expect(progress).toHaveAttribute('data-status', 'running');
    await progress.getByTestId('prepare-progress-cancel').click();
    await expect(progress).toHaveAttribute('data-status', 'cancelled', { timeout: 30_000 });
    await expect(page.getByTestId('prepare-error')).toHaveCount(0);
    await expect(page.getByTestId('preparation-row').first()).toHaveAttribute('data-status', 'cancelled');
    await page
      .getByTestId('pipeline-editor')
      .screenshot({ path: 'test-results/screenshots/datasets-prepare-cancelled.png' });
  });
});
