import { describe, expect, it } from 'vitest';
import { decimateMinMax } from '../../src-renderer/charts/envelope';
import { stackedSteps } from '../../src-renderer/charts/envelopeTrace';
import { formatTick, gridAxisTicks, gridTickStep } from '../../src-renderer/charts/gridTicks';
import { openingZoom } from '../../src-renderer/charts/sampleWindow';
import { EXPORT_TITLE_HEIGHT, renderOptionToSvg, titledOption } from '../../src-renderer/charts/svgExport';

function pairs(points: Float64Array): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < points.length; i += 2) out.push([points[i]!, points[i + 1]!]);
  return out;
}

describe('grid ticks for time and frequency axes', () => {
  it('picks 1-2-5 steps for the window width, never 3', () => {
    expect(gridTickStep(0, 16, 900)).toBe(2);
    expect(gridTickStep(0, 8, 900)).toBe(1);
    expect(gridTickStep(0.5, 45, 900)).toBe(5);
    expect(gridTickStep(12.3, 12.6, 900)).toBe(0.02);
    // A narrow plot asks for fewer labels, hence a coarser step.
    expect(gridTickStep(0, 16, 200)).toBe(10);
    for (const [a, b] of [
      [0, 3],
      [0, 30],
      [1, 7],
      [0, 0.9],
    ] as const) {
      const step = gridTickStep(a, b, 700);
      const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
      expect([1, 2, 5]).toContain(Math.round(mantissa));
    }
  });

  it('ticks the round values inside the window, the window start when it is round', () => {
    const whole = gridAxisTicks(0, 16, 900);
    expect(whole.step).toBe(2);
    expect(whole.axisTick.customValues).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16]);
    expect(whole.axisLabel.customValues).toEqual(whole.axisTick.customValues);
    expect(whole.axisLabel.showMinLabel).toBe(true);
    const format = whole.axisLabel.formatter as (v: number) => string;
    expect(format(0)).toBe('0');
    const zoomed = gridAxisTicks(3.71, 4.02, 900);
    expect(zoomed.step).toBe(0.05);
    expect(zoomed.axisTick.customValues).toEqual([3.75, 3.8, 3.85, 3.9, 3.95, 4]);
    expect((zoomed.axisLabel.formatter as (v: number) => string)(3.8)).toBe('3.80');
    const band = gridAxisTicks(0.5, 45, 900);
    expect(band.axisTick.customValues).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45]);
  });

  it('writes decimals from the step', () => {
    expect(formatTick(1.25, 0.05)).toBe('1.25');
    expect(formatTick(4, 2)).toBe('4');
    expect(formatTick(-0.00001, 0.1)).toBe('0.0');
    expect(formatTick(0.003, 0.001)).toBe('0.003');
  });

  it('refuses empty ranges and widths', () => {
    expect(() => gridTickStep(5, 5, 900)).toThrow(/axis range \[5, 5\] must be finite and non-empty/);
    expect(() => gridTickStep(0, Number.NaN, 900)).toThrow(/must be finite/);
    expect(() => gridTickStep(0, 1, 0)).toThrow(/plot width must be positive, got 0/);
  });
});

describe('stacked α as steps', () => {
  it('holds each bucket flat over its samples so a state switch is a vertical edge', () => {
    // Two modes at 10 Hz: mode 1 on for the first 4 samples, mode 2 for the last 4.
    const data = new Float32Array(16);
    for (let t = 0; t < 8; t++) data[t * 2 + (t < 4 ? 0 : 1)] = 1;
    const w = decimateMinMax(data, 2, 0, 8, 2);
    const [first, second] = stackedSteps(w, 10).map(pairs);
    expect(first).toEqual([
      [0, 1],
      [0.4, 1],
      [0.4, 0],
      [0.8, 0],
    ]);
    // The running sum is 1 throughout: the top outline is flat.
    expect(second!.map((p) => p[1])).toEqual([1, 1, 1, 1]);
  });

  it('ends the last bucket at the window end and breaks at gaps', () => {
    const data = new Float32Array([0.5, Number.NaN, 0.5, 0.5, 0.5]);
    const w = decimateMinMax(data, 1, 0, 5, 5);
    const steps = pairs(stackedSteps(w, 1)[0]!);
    expect(steps).toHaveLength(10);
    expect(steps[1]![0]).toBe(1);
    expect(steps[2]![1]).toBeNaN();
    expect(steps[9]![0]).toBe(5);
  });

  it('stops short of the recording when the window ends inside a bucket', () => {
    const data = new Float32Array(5).fill(1);
    const w = decimateMinMax(data, 1, 0, 5, 2);
    const steps = pairs(stackedSteps(w, 1)[0]!);
    expect(steps[steps.length - 1]![0]).toBe(5);
    for (let i = 1; i < steps.length; i++) expect(steps[i]![0]).toBeGreaterThanOrEqual(steps[i - 1]![0]);
  });
});

describe('openingZoom', () => {
  it('opens on the first seconds, or the whole of a short recording', () => {
    expect(openingZoom(250 * 80, 250, 8)).toEqual({ start: 0, end: 10 });
    expect(openingZoom(250 * 4, 250, 8)).toEqual({ start: 0, end: 100 });
    expect(openingZoom(1000, 250, null)).toEqual({ start: 0, end: 100 });
    expect(() => openingZoom(1000, 250, 0)).toThrow(/opening window must be positive seconds, got 0/);
    expect(() => openingZoom(1000, 0, 8)).toThrow(/samplingRate must be positive/);
  });
});

describe('titled exports', () => {
  it('adds the title and moves numeric plot, legend and colour-bar positions down', () => {
    const option = titledOption(
      { grid: { left: 72, top: 40 }, legend: [{ top: 6 }], visualMap: { top: '10%' }, series: [] },
      ' Mode 1 covariance ',
    );
    expect(option.grid).toEqual({ left: 72, top: 40 + EXPORT_TITLE_HEIGHT });
    expect(option.legend).toEqual([{ top: 6 + EXPORT_TITLE_HEIGHT }]);
    expect(option.visualMap).toEqual({ top: '10%' });
    expect(((option as Record<string, unknown>).title as { text: string }[])[0]!.text).toBe(
      'Mode 1 covariance',
    );
    const untouched = { grid: { top: 40 } };
    expect(titledOption(untouched, '  ')).toBe(untouched);
  });

  it('renders the title and axis names into the SVG', () => {
    const option = titledOption(
      {
        grid: { top: 40, left: 60 },
        xAxis: { type: 'value', name: 'Frequency (Hz)' },
        yAxis: { type: 'value', name: 'PSD' },
        series: [{ type: 'line', data: [[1, 2]] }],
      },
      'Mode power spectra',
    );
    const svg = renderOptionToSvg(option, 400, 300 + EXPORT_TITLE_HEIGHT);
    expect(svg).toContain('Mode power spectra');
    expect(svg).toContain('Frequency (Hz)');
    expect(svg).toContain(`height="${300 + EXPORT_TITLE_HEIGHT}"`);
  });
});
