import { createProjectInUi, simulateHmmInUi } from './appSteps';
import { expect, test } from './serveFixture';

/**
 * A tiny DyNeMo: the machine running the tests is small and shared. Sixty epochs keep it training
 * for a few seconds on a quiet machine, long enough to see the live curve grow (24 epochs once
 * finished in about a second, between two looks at the chart).
 */
const tinyConfig: Record<string, string> = {
  n_modes: '3',
  sequence_length: '50',
  batch_size: '8',
  n_epochs: '60',
  n_kl_annealing_epochs: '8',
  inference_n_units: '8',
  model_n_units: '8',
  n_init: '0',
};

test.describe('Train and Runs views in web mode', () => {
  test('train a tiny DyNeMo with live curves, then find it in Runs', async ({ page, served }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(served.url);
    await createProjectInUi(page, 'Train walkthrough', served.dir, 'train');
    await simulateHmmInUi(page);

    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('view-train')).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('train-dataset')).toContainText('Sim HMM');
    // n_channels comes from the data and cannot be typed over.
    await expect(page.getByTestId('config-n_channels')).toHaveValue('4');
    await expect(page.getByTestId('config-n_channels')).toHaveAttribute('readonly', '');

    // Presets fill the form; invalid values are named inline and block Start.
    await page.getByTestId('train-preset').selectOption('tde-pca');
    await expect(page.getByTestId('config-sequence_length')).toHaveValue('200');
    await expect(page.getByTestId('config-batch_size')).toHaveValue('128');
    await page.getByTestId('config-n_modes').fill('1');
    await expect(page.getByTestId('config-n_modes-problem')).toContainText('two or greater');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await page.screenshot({ path: 'test-results/screenshots/train-form.png', fullPage: true });

    for (const [key, value] of Object.entries(tinyConfig))
      await page.getByTestId(`config-${key}`).fill(value);
    await expect(page.getByTestId('config-form').locator('.field-problem')).toHaveCount(0);
    await page.getByTestId('train-name').fill('tiny');
    await page.getByTestId('train-start').click();

    const live = page.getByTestId('live-run');
    await expect(live).toBeVisible();
    await expect(page.getByTestId('train-progress')).toBeVisible();
    const curves = page.getByTestId('live-curves');
    // Read the per-batch point count while the run trains: it must grow before the run ends.
    const seen: number[] = [];
    const deadline = Date.now() + 240_000;
    let status = '';
    let shotTaken = false;
    while (Date.now() < deadline) {
      status = (await live.getAttribute('data-status')) ?? '';
      const points = Number(await curves.getAttribute('data-batch-points'));
      if (status === 'running' && points > 0 && points !== seen[seen.length - 1]) seen.push(points);
      // The screenshot is slow on a loaded machine: take it once growth has been seen.
      if (seen.length >= 2 && !shotTaken) {
        await page.getByTestId('live-run').screenshot({ path: 'test-results/screenshots/train-live.png' });
        shotTaken = true;
      }
      if (['completed', 'failed', 'cancelled', 'interrupted'].includes(status)) break;
      await page.waitForTimeout(25);
    }
    expect(status).toBe('completed');
    expect(seen.length, `batch point counts seen while running: ${seen.join(', ')}`).toBeGreaterThanOrEqual(
      2,
    );
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    await expect(curves).toHaveAttribute('data-epoch-points', '60');
    await expect(page.getByTestId('live-engine')).not.toHaveText('—');
    await expect(page.getByTestId('live-free-energy')).not.toHaveText('—');
    await expect(page.getByTestId('train-progress')).toHaveAttribute('data-status', 'succeeded');
    await page.screenshot({ path: 'test-results/screenshots/train-finished.png', fullPage: true });

    // A second, different run to compare with.
    await page.getByTestId('config-n_modes').fill('4');
    await page.getByTestId('config-n_epochs').fill('4');
    await page.getByTestId('config-n_kl_annealing_epochs').fill('2');
    await page.getByTestId('train-name').fill('four modes');
    await page.getByTestId('train-start').click();
    await expect(live).toHaveAttribute('data-run-id', '2');
    await expect(live).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });

    await page.getByTestId('nav-runs').click();
    await expect(page.getByTestId('view-runs')).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    const row = page.getByTestId('run-row').filter({ hasText: 'tiny' });
    await expect(row.getByTestId('run-status')).toHaveText('completed');
    await expect(row.getByTestId('run-config')).toHaveText('3 modes · 60 epochs · lr 0.01');
    await expect(row.getByTestId('run-free-energy')).not.toHaveText('—');
    await expect(row.getByTestId('run-duration')).toHaveText(/\d+ (ms|s)$/);

    // Compare: curves overlaid, only the differing settings listed.
    await expect(page.getByTestId('runs-compare')).toBeDisabled();
    for (const r of await page.getByTestId('run-select').all()) await r.check();
    await page.getByTestId('runs-compare').click();
    const comparison = page.getByTestId('run-comparison');
    await expect(comparison).toBeVisible();
    const differing = comparison.getByTestId('compare-row');
    await expect(differing).toHaveCount(3);
    expect(
      await differing.evaluateAll((rows) =>
        rows.map((r) =>
          (r as unknown as { getAttribute(n: string): string | null }).getAttribute('data-key'),
        ),
      ),
    ).toEqual(['n_modes', 'n_kl_annealing_epochs', 'n_epochs']);
    await expect(comparison.getByTestId('compare-curves-empty')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screenshots/runs-compare.png', fullPage: true });

    // Delete asks first; keeping leaves the run, confirming removes it.
    const second = page.getByTestId('run-row').filter({ hasText: 'four modes' });
    await second.getByTestId('run-delete').click();
    await second.getByTestId('run-delete-cancel').click();
    await expect(page.getByTestId('run-row')).toHaveCount(2);
    await second.getByTestId('run-delete').click();
    await second.getByTestId('run-delete-confirm').click();
    await expect(page.getByTestId('run-row')).toHaveCount(1);
    await expect(page.getByTestId('run-comparison')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screenshots/runs.png', fullPage: true });
  });
});

test.describe('Cancel and resume in web mode', () => {
  test('cancel a run mid-way, then resume it from its checkpoint to completion', async ({ page, served }) => {
    test.setTimeout(300_000);
    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.goto(served.url);
    await createProjectInUi(page, 'Train walkthrough', served.dir, 'train');
    await simulateHmmInUi(page);
    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('config-n_channels')).toHaveValue('4');
    for (const [key, value] of Object.entries({
      ...tinyConfig,
      n_epochs: '60',
      n_kl_annealing_epochs: '10',
    })) {
      await page.getByTestId(`config-${key}`).fill(value);
    }
    await page.getByTestId('train-name').fill('interrupted');
    await page.getByTestId('train-start').click();
    const live = page.getByTestId('live-run');
    await expect
      .poll(async () => Number((await page.getByTestId('live-epochs').textContent())?.split(' ')[0]), {
        timeout: 120_000,
      })
      .toBeGreaterThanOrEqual(2);
    await page.getByTestId('run-cancel').click();
    await expect(live).toHaveAttribute('data-status', 'cancelled', { timeout: 60_000 });
    await expect(page.getByTestId('train-progress')).toHaveAttribute('data-status', 'cancelled');
    const epochsAtCancel = Number((await page.getByTestId('live-epochs').textContent())?.split(' ')[0]);
    expect(epochsAtCancel).toBeLessThan(60);
    await page.getByTestId('run-resume').click();
    await expect(live).toHaveAttribute('data-status', 'completed', { timeout: 240_000 });
    await expect(page.getByTestId('live-epochs')).toHaveText('60 of 60');
    await page.getByTestId('live-run').screenshot({ path: 'test-results/screenshots/train-resumed.png' });
  });
});
