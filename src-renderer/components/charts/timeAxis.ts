import { chartTheme } from '../../charts/palette';
import { gridAxisTicks } from '../../charts/gridTicks';

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
export function timeZoomOptions(window?: { start: number; end: number }): Record<string, unknown>[] {
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
