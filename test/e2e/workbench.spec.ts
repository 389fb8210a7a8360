import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page, TestInfo } from '@playwright/test';
import WebSocket from 'ws';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import { createApi, type ModeScopeApi } from '../../src-shared/rpc/client';
import { createWebSocketTransport } from '../../src-shared/rpc/webSocketTransport';
import { readRecording } from '../../src-main/data/readers';
import { BinaryFile } from '../../src-main/data/readers/binaryFile';
import { readNpyHeader } from '../../src-main/data/readers/npyReader';
import { createProjectInUi, simulateHmmInUi } from './appSteps';
import { expect, test, type ServedApp } from './serveFixture';

/**
 * The whole workbench as a neuroscientist walks it, in web mode: project → simulated HMM_MVN →
 * preparation → DyNeMo with live curves → Modes charts → figure and data exports, with the
 * exported files read back by our own readers and compared with what the project stores.
 */

const SCREENSHOTS = 'test-results/screenshots';
const VIEWPORT = { width: 1440, height: 1000 };

/**
 * A screenshot of the whole view: the shell scrolls inside `main.content`, so the viewport is made
 * as tall as the view for the picture (charts follow their container and redraw), then restored.
 */
async function shoot(page: Page, testInfo: TestInfo, name: string, target?: Locator): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `workbench-${name}.png`);
  if (target) {
    await target.screenshot({ path });
  } else {
    const tall = await page.locator('main.content').evaluate((el) => el.scrollHeight);
    await page.setViewportSize({
      width: VIEWPORT.width,
      height: Math.min(6000, Math.max(VIEWPORT.height, tall + 80)),
    });
    await page.waitForTimeout(400);
    await page.screenshot({ path });
    await page.setViewportSize(VIEWPORT);
  }
  await testInfo.attach(`workbench-${name}`, { path, contentType: 'image/png' });
}

/** The parts of a 2D canvas the pixel check reads (the Node tsconfig has no full DOM types). */
interface PixelCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: ArrayLike<number> } } | null;
}

interface Paint {
  /** Share of pixels drawn: opaque and not (near) white. */
  ink: number;
  /** Distinct colours among drawn pixels, 4 bits per channel: a heatmap has many, a blank canvas none. */
  colours: number;
}

/**
 * What a chart's canvases show, read from their pixels. ECharts may draw on more than one layer
 * (a heatmap or a hover layer of its own), so every canvas of the chart counts.
 */
async function paintOf(chart: Locator): Promise<Paint> {
  return chart.locator('canvas').evaluateAll((nodes) => {
    let ink = 0;
    let pixels = 0;
    const colours = new Set<number>();
    for (const node of nodes) {
      const canvas = node as unknown as PixelCanvas;
      const ctx = canvas.getContext('2d');
      if (!ctx || canvas.width === 0 || canvas.height === 0) continue;
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      pixels = Math.max(pixels, data.length / 4);
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3]! > 0 && (data[i]! < 245 || data[i + 1]! < 245 || data[i + 2]! < 245)) {
          ink++;
          colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
        }
      }
    }
    return { ink: pixels === 0 ? 0 : ink / pixels, colours: colours.size };
  });
}

async function inkFraction(chart: Locator): Promise<number> {
  return (await paintOf(chart)).ink;
}

/** An npy of any rank (our recording reader takes 1-D and 2-D only), through our npy header parser. */
async function readNpyValues(path: string): Promise<{ shape: number[]; values: Float64Array }> {
  const file = await BinaryFile.open(path, 'npy');
  try {
    const header = await readNpyHeader(file);
    expect(header.fortranOrder).toBe(false);
    const count = header.shape.reduce((a, b) => a * b, 1);
    const width = header.encoding.type === 'float64' ? 8 : 4;
    expect(['float32', 'float64']).toContain(header.encoding.type);
    const bytes = await file.readAt(header.dataOffset, count * width, 'npy values');
    const values = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      values[i] = width === 8 ? bytes.readDoubleLE(i * 8) : bytes.readFloatLE(i * 4);
    }
    return { shape: header.shape, values };
  } finally {
    await file.close();
  }
}

/** The same RPC API the renderer uses, over its WebSocket, from the test process. */
async function connectApi(served: ServedApp): Promise<{ api: ModeScopeApi; close(): void }> {
  const origin = new URL(served.url).origin;
  const socket = new WebSocket(
    `ws://127.0.0.1:${served.port}/rpc?token=${encodeURIComponent(served.token)}`,
    { origin },
  );
  const transport = createWebSocketTransport(socket as never);
  await transport.ready;
  return { api: createApi(transport), close: () => socket.close() };
}

/** A tiny DyNeMo: the machine running the tests is small and shared. */
const tinyConfig: Record<string, string> = {
  n_modes: '3',
  sequence_length: '50',
  batch_size: '8',
  n_epochs: '120',
  n_kl_annealing_epochs: '40',
  inference_n_units: '8',
  model_n_units: '8',
  n_init: '0',
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(1, Math.abs(expected[i]!)));
  }
  // Readers return float32; the store keeps float32 or float64.
  expect(worst, `${what}: worst relative difference`).toBeLessThan(1e-6);
}

test.describe('Workbench: the full path in web mode', () => {
  test('project → simulate → prepare → train → modes → exports, files read back', async ({
    page,
    served,
  }, testInfo) => {
    test.setTimeout(420_000);
    await page.setViewportSize(VIEWPORT);
    await page.goto(served.url);

    // Projects: in web mode there is no native dialog, so Browse falls back to the in-app picker.
    await expect(page.getByTestId('create-name')).toBeVisible();
    await page.getByTestId('open-browse').click();
    await expect(page.getByTestId('path-picker')).toBeVisible();
    await expect(page.getByTestId('path-picker-current')).not.toHaveText('…');
    await shoot(page, testInfo, 'projects-picker');
    await page.getByTestId('path-picker-cancel').click();
    await expect(page.getByTestId('path-picker')).toHaveCount(0);

    await createProjectInUi(page, 'Workbench', served.dir, 'workbench');
    await shoot(page, testInfo, 'projects');

    // Datasets: simulate an HMM with multivariate-normal observations, then prepare it.
    await simulateHmmInUi(page);
    const simRow = page.getByTestId('dataset-row').filter({ hasText: 'Sim HMM' });
    await simRow.getByTestId('dataset-open').click();
    await expect(page.getByTestId('selected-dataset-name')).toHaveText('Sim HMM');
    await page.getByTestId('pipeline-add-name').selectOption('standardize');
    await page.getByTestId('pipeline-add').click();
    await page.getByTestId('pipeline-name').fill('Standardised');
    await page.getByTestId('pipeline-run').click();
    const prep = page.getByTestId('preparation-row').first();
    await expect(prep.getByTestId('preparation-status')).toHaveText('done', { timeout: 60_000 });
    await expect(page.getByTestId('preview-chart-loading')).toHaveCount(0);
    await shoot(page, testInfo, 'datasets');

    // Train: DyNeMo on the prepared data; the per-batch curve must grow while it runs.
    await page.getByTestId('nav-train').click();
    await expect(page.getByTestId('view-train')).toHaveAttribute('data-loaded', 'true');
    await expect(page.getByTestId('train-dataset')).toContainText('Sim HMM');
    await page.getByTestId('train-preparation').selectOption({ label: 'Standardised (4 ch)' });
    for (const [key, value] of Object.entries(tinyConfig))
      await page.getByTestId(`config-${key}`).fill(value);
    await expect(page.getByTestId('config-form').locator('.field-problem')).toHaveCount(0);
    await page.getByTestId('train-name').fill('workbench run');
    await page.getByTestId('train-start').click();

    const live = page.getByTestId('live-run');
    const curves = page.getByTestId('live-curves');
    await expect(live).toBeVisible();
    const seen: number[] = [];
    let status = '';
    let liveShot = false;
    const deadline = Date.now() + 240_000;
    while (Date.now() < deadline) {
      status = (await live.getAttribute('data-status')) ?? '';
      const points = Number(await curves.getAttribute('data-batch-points'));
      if (status === 'running' && points > 0 && points !== seen[seen.length - 1]) seen.push(points);
      if (seen.length >= 2 && !liveShot) {
        await shoot(page, testInfo, 'train-live', live);
        liveShot = true;
      }
      if (['completed', 'failed', 'cancelled', 'interrupted'].includes(status)) break;
      await page.waitForTimeout(25);
    }
    expect(status).toBe('completed');
    expect(seen.length, `batch points seen while running: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    await expect(curves).toHaveAttribute('data-epoch-points', tinyConfig.n_epochs!);
    const runId = Number(await live.getAttribute('data-run-id'));
    expect(runId).toBeGreaterThan(0);
    await shoot(page, testInfo, 'train');

    // What the project stores for this run, through the RPC API (the services are the one writer).
    const { api, close } = await connectApi(served);
    try {
      const detail = await api.runs.get({ runId });
      expect(detail.status).toBe('completed');
      expect(detail.epochs).toBe(Number(tinyConfig.n_epochs));
      const results = await api.runs.results({ runId });
      const alphaResult = results.find((r) => r.kind === 'alpha');
      expect(alphaResult, `results: ${results.map((r) => r.kind).join(', ')}`).toBeDefined();
      const storedAlpha = decodeArray(
        (
          await api.runs.resultArray({
            runId,
            kind: 'alpha',
            ...(alphaResult!.sessionId !== null ? { sessionId: alphaResult!.sessionId } : {}),
          })
        ).array,
      );
      const storedMeans = decodeArray((await api.runs.resultArray({ runId, kind: 'means' })).array);
      const storedCovariances = decodeArray(
        (await api.runs.resultArray({ runId, kind: 'covariances' })).array,
      );
      expect(storedAlpha.length % 3).toBe(0);
      expect(storedMeans.length).toBe(3 * 4);

      // Runs: the run is listed as completed.
      await page.getByTestId('nav-runs').click();
      await expect(page.getByTestId('view-runs')).toHaveAttribute('data-loaded', 'true');
      await expect(
        page.getByTestId('run-row').filter({ hasText: 'workbench run' }).getByTestId('run-status'),
      ).toHaveText('completed');
      await shoot(page, testInfo, 'runs');

      // Modes: α time courses, covariance heatmaps, summary statistics and spectra all drawn.
      await page.getByTestId('nav-modes').click();
      await expect(page.getByTestId('modes-run-select')).toBeVisible();
      await page.getByTestId('modes-run-select').selectOption({ value: String(runId) });
      const alphaChart = page.getByTestId('modes-alpha-chart');
      await expect(alphaChart).toBeVisible({ timeout: 60_000 });
      await expect.poll(() => inkFraction(alphaChart), { timeout: 60_000 }).toBeGreaterThan(0.02);
      const covariances = page.locator('figure.chart-frame[data-testid^="modes-covariance-"]');
      await expect(covariances).toHaveCount(3, { timeout: 60_000 });
      await shoot(page, testInfo, 'modes-first');
      for (const chart of await covariances.all()) {
        await expect.poll(() => inkFraction(chart), { timeout: 30_000 }).toBeGreaterThan(0.05);
        expect((await paintOf(chart)).colours).toBeGreaterThan(4);
      }
      const summaries = page.locator('figure.chart-frame[data-testid^="modes-summary-"]');
      await expect(summaries.first()).toBeVisible({ timeout: 60_000 });
      for (const chart of await summaries.all()) {
        await expect.poll(() => inkFraction(chart), { timeout: 30_000 }).toBeGreaterThan(0.005);
      }
      const spectra = page.getByTestId('modes-spectra');
      await expect(spectra).toBeVisible({ timeout: 120_000 });
      await expect.poll(() => inkFraction(spectra), { timeout: 120_000 }).toBeGreaterThan(0.005);
      await shoot(page, testInfo, 'modes');

      // Figures: the α chart as PNG and SVG through the chart frame's buttons.
      const [png] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('modes-alpha-chart-export-png').click(),
      ]);
      const pngPath = testInfo.outputPath(png.suggestedFilename());
      await png.saveAs(pngPath);
      const pngBytes = readFileSync(pngPath);
      expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // IHDR: a real image, not a 1×1 placeholder.
      expect(pngBytes.readUInt32BE(16)).toBeGreaterThan(200);
      expect(pngBytes.readUInt32BE(20)).toBeGreaterThan(100);
      const [svg] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('modes-alpha-chart-export-svg').click(),
      ]);
      const svgPath = testInfo.outputPath(svg.suggestedFilename());
      await svg.saveAs(svgPath);
      const svgText = readFileSync(svgPath, 'utf8');
      expect(svgText).toMatch(/<svg[\s>]/);
      expect((svgText.match(/<path\b/g) ?? []).length).toBeGreaterThan(3);

      // Export: the run in the osl-dynamics layout, as .npy, .mat and .csv.
      await page.getByTestId('nav-export').click();
      await expect(page.getByTestId('export-run-select')).toBeVisible();
      await page.getByTestId('export-run-select').selectOption({ value: String(runId) });
      const folder = join(served.dir, 'exported');
      await page.getByTestId('export-folder').fill(folder);
      await page.getByTestId('export-start').click();
      const files = page.getByTestId('export-files');
      await expect(files).toBeVisible({ timeout: 180_000 });
      await expect(files).toContainText('inf_params/alp/0_', { timeout: 180_000 });
      await shoot(page, testInfo, 'export');
      const listed = (await files.textContent()) ?? '';
      const stem = /inf_params\/alp\/(0_[A-Za-z0-9._-]+?)\.npy/.exec(listed)?.[1];
      expect(stem, `alp file in: ${listed}`).toBeDefined();

      const nModes = 3;
      const alpRows = storedAlpha.length / nModes;
      const alpBase = join(folder, 'inf_params', 'alp', stem!);
      for (const [ext, options] of [
        ['npy', {}],
        ['mat', { field: 'alp' }],
        ['csv', {}],
      ] as const) {
        const recording = await readRecording(`${alpBase}.${ext}`, { samplingRate: 250, ...options });
        expect(recording.header.channels.length, `${ext} columns`).toBe(nModes);
        expect(recording.header.nSamples, `${ext} rows`).toBe(alpRows);
        expectClose(recording.data, storedAlpha, `alp.${ext}`);
      }
      const means = await readRecording(join(folder, 'inf_params', 'means.npy'), { samplingRate: 1 });
      expectClose(means.data, storedMeans, 'means.npy');
      const meansMat = await readRecording(join(folder, 'inf_params', 'inf_params.mat'), {
        samplingRate: 1,
        field: 'means',
      });
      expectClose(meansMat.data, storedMeans, 'inf_params.mat means');
      const covs = await readNpyValues(join(folder, 'inf_params', 'covs.npy'));
      expect(covs.shape).toEqual([3, 4, 4]);
      expectClose(covs.values, storedCovariances, 'covs.npy');
      // Summary statistics as the Modes view showed them (the analysis is kept with the run).
      const analysis = await api.analysis.run({ runId });
      expect(analysis.sessions).toHaveLength(1);
      for (const [stem, key] of [
        ['fo', 'fractionalOccupancy'],
        ['lt', 'meanLifetimeS'],
        ['intv', 'meanIntervalS'],
        ['sr', 'switchingRateHz'],
      ] as const) {
        const stat = await readNpyValues(join(folder, 'summary_stats', `${stem}.npy`));
        expect(stat.shape, `${stem}.npy shape`).toEqual([1, 3]);
        expectClose(stat.values, analysis.sessions[0]![key], `${stem}.npy`);
      }
      const psd = await readNpyValues(join(folder, 'spectra', 'psd.npy'));
      expect(psd.shape.slice(0, 3)).toEqual([1, 3, 4]);
      expect(psd.values.every((v) => Number.isFinite(v) && v >= 0)).toBe(true);
      const config = JSON.parse(readFileSync(join(folder, 'model', 'config.json'), 'utf8')) as Record<
        string,
        unknown
      >;
      expect(config.n_modes).toBe(3);
      expect(config.n_epochs).toBe(Number(tinyConfig.n_epochs));
    } finally {
      close();
    }
  });
});
