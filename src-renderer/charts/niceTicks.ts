import { ChartDataError } from './chartDataError';

export interface TickSet {
  step: number;
  ticks: number[];
}

/**
 * Round tick values covering [min, max] with about `target` intervals, on 1-2-5 × 10^k steps. Used
 * where ECharts' own ticks do not apply (colour bars, channel lanes, exported reports).
 */
export function niceTicks(min: number, max: number, target = 5): TickSet {
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new ChartDataError(`tick range [${min}, ${max}] must be finite`);
  }
  if (!(target >= 1)) throw new ChartDataError(`target tick count must be at least 1, got ${target}`);
  if (min > max) [min, max] = [max, min];
  if (min === max) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    min -= pad;
    max += pad;
  }
  const raw = (max - min) / target;
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const nice = fraction <= 1.5 ? 1 : fraction <= 3 ? 2 : fraction <= 7 ? 5 : 10;
  const step = nice * power;
  const first = Math.ceil(min / step - 1e-9);
  const last = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  // Multiplying (not accumulating) keeps values like 0.3 from drifting to 0.30000000000000004.
  const decimals = Math.min(20, Math.max(0, -Math.floor(Math.log10(step))));
  for (let i = first; i <= last; i++) ticks.push(Number((i * step).toFixed(decimals)));
  return { step, ticks };
}
