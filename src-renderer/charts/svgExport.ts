import * as echarts from 'echarts';
import { ChartDataError } from './chartDataError';

type ChartOption = Parameters<echarts.ECharts['setOption']>[0];

/**
 * Renders an ECharts option with the SVG renderer in server-side mode (no DOM, no canvas) and returns
 * the SVG document text. The same option the canvas chart shows gives the same figure, as vectors.
 */
export function renderOptionToSvg(option: ChartOption, width: number, height: number): string {
  if (!(width >= 1) || !(height >= 1) || !Number.isFinite(width) || !Number.isFinite(height)) {
    throw new ChartDataError(`SVG size must be at least 1 × 1 pixels, got ${width} × ${height}`);
  }
  const chart = echarts.init(null, null, {
    renderer: 'svg',
    ssr: true,
    width: Math.round(width),
    height: Math.round(height),
  });
  try {
    chart.setOption(option);
    // Animations would leave the first frame half drawn.
    chart.setOption({ animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/** Option pieces that only make sense on screen (sliders, tooltips) are dropped from exports. */
export function exportableOption<T extends Record<string, unknown>>(option: T): T {
  const copy: Record<string, unknown> = { ...option };
  copy.tooltip = [];
  copy.toolbox = [];
  const zooms = copy.dataZoom;
  // Keep the zoom window (inside zoom) but not the slider widget drawn under the plot.
  if (Array.isArray(zooms)) {
    copy.dataZoom = zooms.map((z: Record<string, unknown>) => ({ ...z, type: 'inside' }));
  }
  return copy as T;
}
