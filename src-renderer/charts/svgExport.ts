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

/** Extra height an exported figure gets above the plot for its title, in pixels. */
export const EXPORT_TITLE_HEIGHT = 30;

function shiftedDown(component: unknown, by: number): unknown {
  const shift = (c: unknown): unknown => {
    if (!c || typeof c !== 'object') return c;
    const box = c as Record<string, unknown>;
    // Percent or keyword positions scale with the taller canvas on their own.
    return typeof box.top === 'number' ? { ...box, top: box.top + by } : box;
  };
  return Array.isArray(component) ? component.map(shift) : shift(component);
}

/**
 * The option with the chart's title drawn above the plot, as a figure on its own needs it (on screen
 * the title sits in the frame's HTML toolbar, which canvas exports do not see). Plot, legend and
 * colour bar move down by EXPORT_TITLE_HEIGHT; the caller makes the canvas that much taller, so the
 * plot keeps its size. An empty title leaves the option as it is.
 */
export function titledOption<T extends Record<string, unknown>>(option: T, title: string): T {
  const text = title.trim();
  if (!text) return option;
  const copy: Record<string, unknown> = { ...option };
  for (const key of ['grid', 'legend', 'visualMap']) {
    if (copy[key] !== undefined) copy[key] = shiftedDown(copy[key], EXPORT_TITLE_HEIGHT);
  }
  copy.title = [
    {
      text,
      left: 12,
      top: 8,
      textStyle: { fontSize: 14, fontWeight: 600, color: '#1d2733' },
    },
  ];
  return copy as T;
}
