import { chartTheme } from '../../charts/palette';

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
 * Wheel zoom, drag pan and a slider, with filterMode 'none' so ECharts never filters (the chart
 * only holds the fetched window anyway) and no throttle (the window loader coalesces events).
 */
export function timeZoomOptions(): Record<string, unknown>[] {
  return [
    {
      type: 'inside',
      xAxisIndex: 0,
      filterMode: 'none',
      throttle: 0,
      zoomOnMouseWheel: true,
      moveOnMouseMove: true,
    },
    {
      type: 'slider',
      xAxisIndex: 0,
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
