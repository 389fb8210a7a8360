import { gridAxisTicks } from './gridTicks';
import { chartTheme } from './palette';

/**
 * ECharts option fragments shared by the windowed time charts (signal, mode time courses, gaps):
 * the seconds axis, the zoom controls, the option a chart starts from, and the line and gap-shading
 * settings every envelope trace uses. Plain functions, so they can be tested without a DOM.
 */

/** Zoom window in percent of the recording, as ECharts' dataZoom takes it. */
export interface ZoomPercent {
  start: number;
  end: number;
}

/** A gap in the recording, in samples (end exclusive). */
export interface SampleGap {
  start: number;
  end: number;
}

/** An x axis over the whole recording in seconds; the zoom window narrows what is visible. */
export function secondsAxisLabel(totalSeconds: number): Record<string, unknown> {
  return {
    type: 'value',
    name: 'Time (s)',
    nameLocation: 'middle',
    nameGap: 26,
    nameTextStyle: { color: chartTheme.muted },
    min: 0,
    max: totalSeconds,
    axisLine: { lineStyle: { color: chartTheme.axis } },
    axisLabel: {
      color: chartTheme.muted,
      hideOverlap: true,
      // The zoom window's edges are arbitrary numbers; round ticks read better.
      showMinLabel: false,
      showMaxLabel: false,
      formatter: (v: number) => String(+v.toPrecision(6)),
    },
    splitLine: { lineStyle: { color: chartTheme.grid } },
  };
}

/**
 * The x axis ticks for the window now shown: a 1-2-5 step for its width, ticks on multiples of the
 * step (so a window starting at 0 s is labelled 0), and the window's own edges, which ECharts also
 * ticks, left unlabelled unless they fall on the grid. Merge into an axis made by secondsAxisLabel.
 */
export function windowTimeTicks(startS: number, endS: number, plotWidthPx: number): Record<string, unknown> {
  return gridAxisTicks(startS, endS, plotWidthPx);
}

/**
 * Wheel zoom, drag pan and a slider, with filterMode 'none' so ECharts never filters (the chart
 * only holds the fetched window anyway) and no throttle (the window loader coalesces events).
 */
export function timeZoomOptions(window?: ZoomPercent): Record<string, unknown>[] {
  const range = window ?? { start: 0, end: 100 };
  return [
    {
      type: 'inside',
      xAxisIndex: 0,
      ...range,
      filterMode: 'none',
      throttle: 0,
      zoomOnMouseWheel: true,
      moveOnMouseMove: true,
    },
    {
      type: 'slider',
      xAxisIndex: 0,
      ...range,
      filterMode: 'none',
      throttle: 0,
      height: 18,
      bottom: 6,
      showDataShadow: false,
      labelFormatter: '',
      borderColor: chartTheme.axis,
    },
  ];
}

export interface TimeChartBaseSetup {
  totalSeconds: number;
  grid: Record<string, unknown>;
  yAxis: Record<string, unknown>;
  legend?: Record<string, unknown>;
  /** Opening zoom window; the whole recording when absent. */
  zoom?: ZoomPercent;
}

/**
 * The option a windowed time chart is reset to (notMerge) before its first window arrives: no
 * animation or tooltip (the series are redrawn on every zoom step), the seconds axis, the zoom
 * controls, and no series yet.
 */
export function timeChartBaseOption(setup: TimeChartBaseSetup): Record<string, unknown> {
  return {
    animation: false,
    grid: setup.grid,
    ...(setup.legend ? { legend: setup.legend } : {}),
    tooltip: { show: false },
    xAxis: secondsAxisLabel(setup.totalSeconds),
    yAxis: setup.yAxis,
    dataZoom: timeZoomOptions(setup.zoom),
    series: [],
  };
}

/**
 * A line series for an envelope trace: points as flat (x, y) pairs, no symbols, gaps left open
 * (null points), and no hover or animation, which would cost a redraw per zoom step.
 */
export function envelopeLineSeries(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'line',
    dimensions: ['x', 'y'],
    showSymbol: false,
    connectNulls: false,
    emphasis: { disabled: true },
    animation: false,
    silent: true,
    ...fields,
  };
}

/** Shades the recording's gaps (sample ranges) as mark areas in seconds. */
export function gapShading(
  gaps: readonly SampleGap[] | undefined,
  samplingRate: number,
): Record<string, unknown> {
  return {
    silent: true,
    itemStyle: { color: chartTheme.gapFill },
    label: { show: false },
    data: (gaps ?? []).map((g) => [{ xAxis: g.start / samplingRate }, { xAxis: g.end / samplingRate }]),
  };
}

/** The message a windowed chart shows when a window cannot be loaded. */
export function windowLoadFailure(subject: string, error: unknown): string {
  return `Could not load ${subject}: ${error instanceof Error ? error.message : String(error)}`;
}
