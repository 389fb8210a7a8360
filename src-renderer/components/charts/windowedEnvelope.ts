import type { ECharts } from 'echarts';
import { ChartDataError } from '../../charts/chartDataError';
import type { EnvelopeWindow } from '../../charts/envelope';
import type { EnvelopeFetch } from '../../charts/envelopeSource';
import { LatestWindowLoader, zoomToSampleRange, type SampleRange } from '../../charts/sampleWindow';

/** Space the y axis labels and the right margin take from the canvas width, in CSS pixels. */
export const plotMargins = { left: 72, right: 24, top: 36, bottom: 64 } as const;

/** What a windowed chart reports after drawing a new window (read by tests and diagnostics). */
export interface WindowRenderStats {
  range: SampleRange;
  /** Largest number of points handed to ECharts for one series. */
  pointsPerSeries: number;
  /** Plot width in pixels that the window was decimated for. */
  plotWidth: number;
  /** From the zoom/pan event to ECharts' 'finished' after the new window was drawn, ms. */
  frameMs: number;
  samplesPerPoint: number;
  /** Of frameMs: waiting for the window, and building series plus ECharts' setOption. */
  fetchMs: number;
  drawMs: number;
}

export function plotWidthOf(chart: ECharts): number {
  return Math.max(16, Math.floor(chart.getWidth() - plotMargins.left - plotMargins.right));
}

interface ZoomEventParams {
  start?: number;
  end?: number;
  batch?: { start?: number; end?: number }[];
}

/**
 * Drives a chart that shows a window of a long signal: on every zoom/pan it asks `fetch` for the
 * visible samples at one bucket per plot pixel (newest request wins), lets the chart draw them, and
 * times the frame to ECharts' 'finished' event. ECharts only ever holds the decimated window.
 */
export class WindowedEnvelopeDriver {
  private readonly loader: LatestWindowLoader<EnvelopeWindow>;
  private zoom = { start: 0, end: 100 };
  private requestedAt = 0;
  private disposed = false;
  private busyTimer: ReturnType<typeof setTimeout> | undefined;
  private busyShown = false;
  private fetchMs = 0;

  constructor(
    private readonly chart: ECharts,
    private readonly nSamples: number,
    fetch: EnvelopeFetch,
    /** Draws the window; returns the largest series length handed to ECharts. */
    private readonly draw: (window: EnvelopeWindow) => number,
    private readonly onStats: (stats: WindowRenderStats) => void,
    onError: (error: unknown) => void,
    private readonly onBusy: (busy: boolean) => void,
  ) {
    if (!Number.isInteger(nSamples) || nSamples < 1) {
      throw new ChartDataError(`nSamples must be a positive integer, got ${nSamples}`);
    }
    this.loader = new LatestWindowLoader(
      async (range) => {
        const t0 = performance.now();
        const window = await fetch(range.start, range.end, plotWidthOf(chart));
        this.fetchMs = performance.now() - t0;
        return window;
      },
      (window, range) => this.show(window, range),
      (error) => {
        this.setBusy(false);
        onError(error);
      },
    );
    chart.on('datazoom', this.onZoom);
  }

  /** Sets the zoom window (percent of the recording) without loading it; call before refresh. */
  setZoom(start: number, end: number): void {
    this.zoom = { start, end };
  }

  /** Loads the current zoom window again (first draw, resize, new source). */
  refresh(): void {
    this.requestedAt = performance.now();
    this.setBusy(true);
    this.loader.request(zoomToSampleRange(this.zoom.start, this.zoom.end, this.nSamples));
  }

  dispose(): void {
    clearTimeout(this.busyTimer);
    this.disposed = true;
    this.loader.dispose();
    this.chart.off('datazoom', this.onZoom);
  }

  /** The loading state appears only for slow loads, so zooming does not flicker. */
  private setBusy(busy: boolean): void {
    clearTimeout(this.busyTimer);
    if (!busy) {
      if (this.busyShown) this.onBusy(false);
      this.busyShown = false;
      return;
    }
    if (this.busyShown) return;
    this.busyTimer = setTimeout(() => {
      this.busyShown = true;
      this.onBusy(true);
    }, 250);
  }

  private readonly onZoom = (params: unknown): void => {
    const p = params as ZoomEventParams;
    const z = p.batch?.[0] ?? p;
    if (typeof z.start !== 'number' || typeof z.end !== 'number') return;
    this.zoom = { start: z.start, end: z.end };
    this.refresh();
  };

  private show(window: EnvelopeWindow, range: SampleRange): void {
    if (this.disposed) return;
    const requestedAt = this.requestedAt;
    const plotWidth = plotWidthOf(this.chart);
    let pointsPerSeries = 0;
    let drawn = false;
    let drawMs = 0;
    const fetchMs = this.fetchMs;
    let finished = false;
    const report = (): void => {
      if (this.disposed) return;
      this.onStats({
        range,
        pointsPerSeries,
        plotWidth,
        frameMs: performance.now() - requestedAt,
        samplesPerPoint: window.step,
        fetchMs,
        drawMs,
      });
    };
    // ECharts may emit 'finished' inside setOption (no animation), before draw returns.
    const onFinished = (): void => {
      this.chart.off('finished', onFinished);
      finished = true;
      if (drawn) report();
    };
    this.chart.on('finished', onFinished);
    const drawStart = performance.now();
    pointsPerSeries = this.draw(window);
    drawMs = performance.now() - drawStart;
    drawn = true;
    if (finished) report();
    if (!this.loader.hasPending) this.setBusy(false);
  }
}
