import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modescopeCli as cli } from './appSteps';
import { expect, test } from './serveFixture';

test.describe('Export view in web mode', () => {
  test('exports a trained run as npy, mat and csv with a report; refuses a taken folder until replacing is allowed', async ({
    page,
    served,
  }) => {
    test.setTimeout(300_000);
    const project = join(served.dir, 'export.modescope');
    await cli(
      served.dir,
      ...['simulate', '--project', project, '--create', '--name', 'Sim HMM', '--kind', 'HMM_MVN'],
      ...['--n-samples', '1000', '--n-channels', '4', '--n-states', '3', '--n-sessions', '2', '--seed', '3'],
    );
    await cli(
      served.dir,
      ...['train', '--project', project, '--dataset', 'Sim HMM', '--name', 'tiny'],
      ...['n_modes=3', 'sequence_length=50', 'batch_size=16', 'n_epochs=2', 'n_kl_annealing_epochs=1']
        .concat(['inference_n_units=8', 'model_n_units=8', 'n_init=0'])
        .flatMap((s) => ['--set', s]),
    );

    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(served.url);
    await page.getByTestId('open-path').fill(project);
    await page.getByTestId('open-submit').click();
    await expect(page.getByTestId('header-project-name')).not.toHaveText('');

    await page.getByTestId('nav-export').click();
    await expect(page.getByTestId('view-export')).toHaveAttribute('data-loaded', 'true');
    const runSelect = page.getByTestId('export-run-select');
    await expect(runSelect.locator('option')).toHaveCount(2);
    await expect(runSelect.locator('option').nth(1)).toContainText('tiny');
    // The newest completed run is chosen, with a folder suggested for it.
    await expect(runSelect).not.toHaveValue('');
    await expect(page.getByTestId('export-folder')).toHaveValue(/modescope-run-\d+$/);

    await page.getByTestId('export-folder').fill('relative/folder');
    await expect(page.getByTestId('export-problem')).toContainText('full path');
    await expect(page.getByTestId('export-start')).toBeDisabled();

    const folder = join(served.dir, 'exported');
    await page.getByTestId('export-folder').fill(folder);
    await expect(page.getByTestId('export-start')).toBeEnabled();
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-progress')).toHaveAttribute('data-status', 'succeeded', {
      timeout: 120_000,
    });
    const files = page.getByTestId('export-files');
    await expect(files).toBeVisible();
    for (const path of [
      'model/config.json',
      'inf_params/alp/0_session_1.npy',
      'inf_params/alp/1_session_2.mat',
      'inf_params/covs.csv',
      'summary_stats/fo.npy',
      'spectra/psd.npy',
      'report.html',
    ]) {
      await expect(files.locator(`[data-path="${path}"]`)).toHaveCount(1);
      expect(existsSync(join(folder, path)), path).toBe(true);
    }
    const report = readFileSync(join(folder, 'report.html'), 'utf8');
    expect(report).toContain('<svg');
    await page.screenshot({ path: 'test-results/screenshots/export.png', fullPage: true });

    // The same folder again: refused, and nothing changes; allowed once replacing is ticked.
    await page.getByTestId('export-format-mat').uncheck();
    await page.getByTestId('export-format-csv').uncheck();
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-error')).toHaveAttribute('data-code', 'ALREADY_EXISTS');
    expect(existsSync(join(folder, 'inf_params/covs.csv'))).toBe(true);
    await page.getByTestId('export-overwrite').check();
    await page.getByTestId('export-start').click();
    await expect(page.getByTestId('export-result')).toBeVisible({ timeout: 120_000 });
    await expect(files.locator('[data-path="inf_params/covs.npy"]')).toHaveCount(1);
    await expect(files.locator('[data-path="inf_params/covs.csv"]')).toHaveCount(0);
    expect(existsSync(join(folder, 'inf_params/covs.csv'))).toBe(false);
    expect(readdirSync(served.dir).filter((n) => n.startsWith('.exported'))).toEqual([]);

    // One array on its own: α of the first session as CSV.
    await expect(page.getByTestId('export-array-kind')).toHaveValue(/^alpha@\d+$/);
    await expect(page.getByTestId('export-array-path')).toHaveValue(/run\d+_alpha_session\d+\.npy$/);
    await page.getByTestId('export-array-format').selectOption('csv');
    await expect(page.getByTestId('export-array-path')).toHaveValue(/run\d+_alpha_session\d+\.csv$/);
    const one = join(served.dir, 'alpha-one.csv');
    await page.getByTestId('export-array-path').fill(one);
    await page.getByTestId('export-array-start').click();
    await expect(page.getByTestId('export-array-result')).toContainText('float32 [1000 × 3]');
    expect(readFileSync(one, 'utf8').split('\n')[0]).toBe('mode_1,mode_2,mode_3');
    await page.getByTestId('export-array-start').click();
    await expect(page.getByTestId('export-array-error')).toHaveAttribute('data-code', 'ALREADY_EXISTS');
    expect(errors).toEqual([]);
  });
});
