import { describe, expect, it } from 'vitest';
import { exportableOption, renderOptionToSvg } from '../../src-renderer/charts/svgExport';

describe('renderOptionToSvg', () => {
  it('renders an option to an SVG document holding the series and labels', () => {
    const svg = renderOptionToSvg(
      {
        animation: true,
        title: { text: 'Fractional occupancy' },
        xAxis: { type: 'category', data: ['Mode 1', 'Mode 2'] },
        yAxis: { type: 'value' },
        series: [{ type: 'bar', name: 'FO', data: [0.25, 0.75], itemStyle: { color: '#4e79a7' } }],
      },
      400,
      300,
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('width="400"');
    expect(svg).toContain('height="300"');
    expect(svg).toContain('Fractional occupancy');
    expect(svg).toContain('Mode 2');
    // The two bars are paths filled with the series colour.
    expect(svg.match(/fill="#4e79a7"/g)?.length ?? 0).toBeGreaterThanOrEqual(2);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
  });

  it('refuses an empty size', () => {
    expect(() => renderOptionToSvg({}, 0, 100)).toThrow(/at least 1 × 1 pixels, got 0 × 100/);
  });

  it('drops on-screen widgets from exports but keeps the zoom window', () => {
    const option = exportableOption({
      tooltip: { show: true },
      dataZoom: [{ type: 'slider', start: 10, end: 20 }],
    });
    expect(option.tooltip).toEqual([]);
    expect(option.dataZoom).toEqual([{ type: 'inside', start: 10, end: 20 }]);
  });
});
