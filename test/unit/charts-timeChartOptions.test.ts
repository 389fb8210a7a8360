import { describe, expect, it } from 'vitest';
import { gridAxisTicks } from '../../src-renderer/charts/gridTicks';
import { chartTheme } from '../../src-renderer/charts/palette';
import {
  envelopeLineSeries,
  gapShading,
  secondsAxisLabel,
  timeChartBaseOption,
  timeZoomOptions,
  windowLoadFailure,
  windowTimeTicks,
} from '../../src-renderer/charts/timeChartOptions';

type Formatter = (v: number) => string;

describe('time chart option fragments', () => {
  it('spans the whole recording in seconds and labels ticks without float noise', () => {
    const axis = secondsAxisLabel(12.5);
    expect(axis).toMatchObject({ type: 'value', name: 'Time (s)', min: 0, max: 12.5, nameGap: 26 });
    const label = axis.axisLabel as { formatter: Formatter; showMinLabel: boolean; showMaxLabel: boolean };
    expect(label.formatter(0.1 + 0.2)).toBe('0.3');
    expect(label.formatter(1234.5678901)).toBe('1234.57');
    expect(label.showMinLabel).toBe(false);
    expect(label.showMaxLabel).toBe(false);
  });

  it('gives the window ticks of the grid module', () => {
    const ticks = windowTimeTicks(2, 7.5, 800) as { axisTick: { customValues: number[] } };
    expect(ticks.axisTick.customValues).toEqual(gridAxisTicks(2, 7.5, 800).axisTick.customValues);
    expect(ticks.axisTick.customValues[0]).toBe(2);
  });

  it('zooms by wheel and slider without filtering or throttling, over the given window', () => {
    const [inside, slider] = timeZoomOptions({ start: 0, end: 25 });
    expect(inside).toEqual({
      type: 'inside',
      xAxisIndex: 0,
      start: 0,
      end: 25,
      filterMode: 'none',
      throttle: 0,
      zoomOnMouseWheel: true,
      moveOnMouseMove: true,
    });
    expect(slider).toMatchObject({
      type: 'slider',
      start: 0,
      end: 25,
      filterMode: 'none',
      throttle: 0,
      height: 18,
    });
    expect(timeZoomOptions()[0]).toMatchObject({ start: 0, end: 100 });
  });

  it('starts a chart with no animation, tooltip or series, and the legend only when given', () => {
    const yAxis = { type: 'value', show: true };
    const plain = timeChartBaseOption({ totalSeconds: 4, grid: { left: 72 }, yAxis });
    expect(plain).toEqual({
      animation: false,
      grid: { left: 72 },
      tooltip: { show: false },
      xAxis: expect.objectContaining({ min: 0, max: 4 }),
      yAxis,
      dataZoom: [
        expect.objectContaining({ start: 0, end: 100 }),
        expect.objectContaining({ type: 'slider' }),
      ],
      series: [],
    });
    expect('legend' in plain).toBe(false);
    const legend = { top: 6 };
    const withLegend = timeChartBaseOption({
      totalSeconds: 4,
      grid: {},
      yAxis,
      legend,
      zoom: { start: 0, end: 5 },
    });
    expect(withLegend.legend).toBe(legend);
    expect((withLegend.dataZoom as { end: number }[]).map((z) => z.end)).toEqual([5, 5]);
  });

  it('draws envelope lines without symbols, hover or animation, letting the chart override fields', () => {
    const data = new Float64Array([0, 1, 0.5, 2]);
    expect(envelopeLineSeries({ name: 'Fz', data, showSymbol: true })).toEqual({
      type: 'line',
      name: 'Fz',
      data,
      dimensions: ['x', 'y'],
      showSymbol: true,
      connectNulls: false,
      emphasis: { disabled: true },
      animation: false,
      silent: true,
    });
  });

  it('shades gaps in seconds', () => {
    expect(gapShading([{ start: 100, end: 250 }], 200)).toEqual({
      silent: true,
      itemStyle: { color: chartTheme.gapFill },
      label: { show: false },
      data: [[{ xAxis: 0.5 }, { xAxis: 1.25 }]],
    });
    expect(gapShading(undefined, 200).data).toEqual([]);
  });

  it('says what could not be loaded and why', () => {
    expect(windowLoadFailure('the signal', new Error('file gone'))).toBe(
      'Could not load the signal: file gone',
    );
    expect(windowLoadFailure('the imputation', 'timeout')).toBe('Could not load the imputation: timeout');
  });
});
