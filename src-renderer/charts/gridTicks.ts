import { ChartDataError } from './chartDataError';
import { niceTicks } from './niceTicks';

/** Room one label needs on the axis, in CSS pixels ("123.45" plus breathing space). */
const LABEL_SPACING_PX = 90;

/**
 * The tick step (1-2-5 × 10^k) for a visible range [startS, endS] (seconds, hertz…) on a plot this
 * many pixels wide. Ticks then sit on multiples of the step, so a window that starts at 0 (or any
 * round value) labels its start, and zooming keeps the same family of steps.
 */
export function gridTickStep(startS: number, endS: number, plotWidthPx: number): number {
  if (!Number.isFinite(startS) || !Number.isFinite(endS) || !(endS > startS)) {
    throw new ChartDataError(`axis range [${startS}, ${endS}] must be finite and non-empty`);
  }
  if (!(plotWidthPx > 0)) throw new ChartDataError(`plot width must be positive, got ${plotWidthPx}`);
  const target = Math.max(2, Math.min(12, Math.floor(plotWidthPx / LABEL_SPACING_PX)));
  return niceTicks(startS, endS, target).step;
}

/** A tick value written with as many decimals as the step needs: step 0.05 gives "1.25", step 2 gives "4". */
export function formatTick(value: number, step: number): string {
  const decimals = Math.max(0, Math.min(6, -Math.floor(Math.log10(step) + 1e-9)));
  const text = value.toFixed(decimals);
  // "-0" reads as a typo on an axis.
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text;
}

/**
 * ECharts value-axis settings that put ticks, grid lines and labels on the multiples of
 * gridTickStep inside [start, end]. Given as custom values rather than an `interval`, because with
 * an interval ECharts counts ticks from the axis extent (0.37, 2.37…), not from zero.
 */
export function gridAxisTicks(
  start: number,
  end: number,
  plotWidthPx: number,
): { step: number; axisTick: Record<string, unknown>; axisLabel: Record<string, unknown> } {
  const step = gridTickStep(start, end, plotWidthPx);
  const values: number[] = [];
  const first = Math.ceil(start / step - 1e-6);
  const last = Math.floor(end / step + 1e-6);
  const decimals = Math.max(0, Math.min(12, -Math.floor(Math.log10(step) + 1e-9) + 1));
  for (let i = first; i <= last; i++) values.push(Number((i * step).toFixed(decimals)));
  return {
    step,
    axisTick: { customValues: values },
    axisLabel: {
      customValues: values,
      // Every value here is a round tick, so the first and last are labelled too (0 s included).
      showMinLabel: true,
      showMaxLabel: true,
      formatter: (v: number) => formatTick(v, step),
    },
  };
}
