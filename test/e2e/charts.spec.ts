import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { startChartsPage, type ChartsPage } from './chartsPageServer';

interface WindowRenderStats {
  range: { start: number; end: number };
  pointsPerSeries: number;
  plotWidth: number;
  frameMs: number;
  samplesPerPoint: number;
  fetchMs: number;
  drawMs: number;
}

let served: ChartsPage;

test.beforeAll(async () => {
  test.setTimeout(240_000);
  served = await startChartsPage();
});

test.afterAll(async () => {
  await served?.close();
});

/** The gallery's window.__chartProbe, as seen from the test (see gallery/galleryProbe.ts). */
interface ChartProbe {
  ready: boolean;
  stats: Record<string, WindowRenderStats[]>;
  appendCurve: (name: string, x: number, y: number) => void;
  ink: (testid: string) => number;
  parseSvg: (text: string) => { error: string | null; root: string; paths: number; text: string };
}

function stats(page: Page, testid: string): Promise<WindowRenderStats[]> {
  // The page function runs in the browser, so it reaches the probe through its own global.
  return page.evaluate((id) => {
    const p = (globalThis as unknown as { __chartProbe?: ChartProbe }).__chartProbe;
    return p?.stats[id] ?? [];
  }, testid);
}

function inkFraction(page: Page, testid: string): Promise<number> {
  return page.evaluate(
    (id) => (globalThis as unknown as { __chartProbe: ChartProbe }).__chartProbe.ink(id),
    testid,
  );
}

/** Does the action, then waits for the chart to draw a new window; returns that window's stats. */
async function step(page: Page, testid: string, action: () => Promise<void>): Promise<WindowRenderStats> {
  const before = (await stats(page, testid)).length;
  await action();
  await expect
    .poll(async () => (await stats(page, testid)).length, { timeout: 10_000 })
    .toBeGreaterThan(before);
  // Let coalesced requests land so the last window is the one for the final zoom.
  await page.waitForTimeout(60);
  const all = await stats(page, testid);
  return all[all.length - 1]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function pngSize(bytes: Buffer): { width: number; height: number } {
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

test('charts: 1,000,000 × 8 α zooms and pans on decimated windows; exports PNG and SVG', async ({ page }) => {
  test.setTimeout(180_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.goto(served.url);
  await expect
    .poll(
      () => page.evaluate(() => (globalThis as unknown as { __chartProbe?: ChartProbe }).__chartProbe?.ready),
      {
        timeout: 60_000,
      },
    )
    .toBe(true);

  const alpha = page.getByTestId('alpha-chart');
  await expect
    .poll(async () => (await stats(page, 'alpha-chart')).length, { timeout: 30_000 })
    .toBeGreaterThan(0);
  const first = (await stats(page, 'alpha-chart'))[0]!;
  expect(first.range).toEqual({ start: 0, end: 1_000_000 });
  expect(first.samplesPerPoint).toBeGreaterThan(100);
  await expect.poll(() => inkFraction(page, 'alpha-chart')).toBeGreaterThan(0.2);

  // Zoom in with the wheel, pan by dragging, zoom back out: every frame is a new decimated window.
  const canvas = alpha.getByTestId('alpha-chart-canvas');
  const box = (await canvas.boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  const frames: WindowRenderStats[] = [];
  for (let i = 0; i < 12; i++) {
    frames.push(
      await step(page, 'alpha-chart', async () => {
        await page.mouse.move(cx + (i % 3) * 20, cy);
        await page.mouse.wheel(0, -400);
      }),
    );
  }
  const zoomed = frames[frames.length - 1]!;
  expect(zoomed.range.end - zoomed.range.start).toBeLessThan(500_000);
  for (let i = 0; i < 12; i++) {
    frames.push(
      await step(page, 'alpha-chart', async () => {
        await page.mouse.move(cx, cy);
        await page.mouse.down();
        await page.mouse.move(cx + (i % 2 === 0 ? -120 : 80), cy, { steps: 4 });
        await page.mouse.up();
      }),
    );
  }
  const panned = frames[frames.length - 1]!;
  expect(panned.range.start).not.toBe(zoomed.range.start);
  for (let i = 0; i < 6; i++) {
    frames.push(
      await step(page, 'alpha-chart', async () => {
        await page.mouse.move(cx, cy);
        await page.mouse.wheel(0, 400);
      }),
    );
  }
  await page.getByTestId('alpha-chart-layout-lines').click();
  await expect.poll(async () => (await stats(page, 'alpha-chart')).length).toBeGreaterThan(0);
  await page.waitForTimeout(200);

  const all = await stats(page, 'alpha-chart');
  // Deterministic: ECharts never gets more than two points per plot pixel per series.
  for (const s of all) {
    expect(s.pointsPerSeries).toBeGreaterThan(0);
    expect(s.pointsPerSeries).toBeLessThanOrEqual(2 * s.plotWidth);
  }
  const lines = all[all.length - 1]!;
  expect(lines.pointsPerSeries).toBeGreaterThan(lines.plotWidth / 2);

  const times = frames.map((f) => f.frameMs);
  const fetches = frames.map((f) => f.fetchMs);
  const draws = frames.map((f) => f.drawMs);
  const report = `${times.length} zoom/pan frames on 1,000,000 × 8 α: p50 ${percentile(times, 50).toFixed(1)} ms, p95 ${percentile(times, 95).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms (of which window fetch p95 ${percentile(fetches, 95).toFixed(1)} ms, series build + setOption p95 ${percentile(draws, 95).toFixed(1)} ms); plot width ${first.plotWidth} px; max points per series ${Math.max(...all.map((s) => s.pointsPerSeries))}`;
  console.log(report);
  test.info().annotations.push({ type: 'alpha-frame-times', description: report });

  // The signal preview: gap shaded, stacked channels drawn, decimated as well.
  const signal = page.getByTestId('signal-chart');
  await expect.poll(async () => (await stats(page, 'signal-chart')).length).toBeGreaterThan(0);
  for (const s of await stats(page, 'signal-chart'))
    expect(s.pointsPerSeries).toBeLessThanOrEqual(2 * s.plotWidth);
  for (const id of ['signal-chart', 'curves-chart', 'heatmap-chart', 'bar-chart', 'spectrum-chart']) {
    await expect.poll(() => inkFraction(page, id), { message: `${id} is blank` }).toBeGreaterThan(0.02);
  }
  await expect(signal.getByTestId('signal-chart-empty')).toHaveCount(0);

  // Live curves: appending points redraws the existing chart.
  const curves = page.getByTestId('curves-chart');
  const before = await curves.locator('canvas').first().screenshot();
  await page.evaluate(() => {
    const p = (globalThis as unknown as { __chartProbe: ChartProbe }).__chartProbe;
    for (let e = 31; e <= 60; e++) p.appendCurve('loss', e, 5 + Math.sin(e));
  });
  await expect
    .poll(async () => (await curves.locator('canvas').first().screenshot()).equals(before))
    .toBe(false);
  await expect(curves.locator('canvas')).toHaveCount(1);

  // PNG export at the chosen scale.
  await alpha.getByTestId('alpha-chart-export-scale').selectOption('2');
  const [pngDownload] = await Promise.all([
    page.waitForEvent('download'),
    alpha.getByTestId('alpha-chart-export-png').click(),
  ]);
  expect(pngDownload.suggestedFilename()).toMatch(/\.png$/);
  const png = readFileSync((await pngDownload.path())!);
  const size = pngSize(png);
  expect(size.width).toBe(Math.round(box.width) * 2);
  // The exported figure is taller than the canvas by the title band above the plot.
  expect(size.height).toBe((Math.round(box.height) + 30) * 2);
  expect(png.length).toBeGreaterThan(5_000);
  mkdirSync('test-results/screenshots', { recursive: true });
  writeFileSync('test-results/screenshots/charts-export-alpha.png', png);

  // SVG export: parseable, holds the mode series and legend.
  const [svgDownload] = await Promise.all([
    page.waitForEvent('download'),
    alpha.getByTestId('alpha-chart-export-svg').click(),
  ]);
  expect(svgDownload.suggestedFilename()).toMatch(/\.svg$/);
  const svg = readFileSync((await svgDownload.path())!, 'utf8');
  const parsed = await page.evaluate(
    (text) => (globalThis as unknown as { __chartProbe: ChartProbe }).__chartProbe.parseSvg(text),
    svg,
  );
  expect(parsed.error).toBeNull();
  expect(parsed.root).toBe('svg');
  expect(parsed.paths).toBeGreaterThan(8);
  expect(parsed.text).toContain('Mode 1');
  expect(parsed.text).toContain('Mode 8');
  expect(parsed.text).toContain('Mode time courses (α)');
  expect(parsed.text).toContain('Time (s)');
  expect(svg.toLowerCase()).toContain('#4e79a7');

  for (const id of ['heatmap-chart', 'bar-chart']) {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId(`${id}-export-svg`).click(),
    ]);
    const text = readFileSync((await download.path())!, 'utf8');
    expect(text.startsWith('<svg')).toBe(true);
    expect(text.length).toBeGreaterThan(2_000);
  }

  // Empty state: a message, no export of an empty figure.
  await expect(page.getByTestId('empty-chart-empty')).toHaveText('Select a run to see its covariances');
  await expect(page.getByTestId('empty-chart-export-png')).toBeDisabled();
  await expect(page.getByTestId('empty-chart-export-svg')).toBeDisabled();

  // The charts follow their container: a narrower window redraws the α chart for fewer pixels.
  const wide = (await stats(page, 'alpha-chart')).at(-1)!.plotWidth;
  await page.setViewportSize({ width: 1000, height: 1000 });
  await expect
    .poll(async () => (await stats(page, 'alpha-chart')).at(-1)!.plotWidth)
    .toBeLessThan(wide - 100);
  const narrow = (await stats(page, 'alpha-chart')).at(-1)!;
  expect(narrow.pointsPerSeries).toBeLessThanOrEqual(2 * narrow.plotWidth);
  expect(
    await alpha
      .locator('canvas')
      .first()
      .evaluate((c) => c.getBoundingClientRect().width),
  ).toBeLessThan(box.width - 100);

  const shown = (await stats(page, 'alpha-chart')).length;
  await page.getByTestId('alpha-chart-layout-stacked').click();
  await expect.poll(async () => (await stats(page, 'alpha-chart')).length).toBeGreaterThan(shown);
  await page.screenshot({ path: 'test-results/screenshots/charts-gallery.png', fullPage: true });
  expect(errors).toEqual([]);
});
