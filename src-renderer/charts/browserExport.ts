import type { ECharts } from 'echarts';
import { ChartDataError } from './chartDataError';
import * as echarts from 'echarts';
import { EXPORT_TITLE_HEIGHT, exportableOption, renderOptionToSvg, titledOption } from './svgExport';

function exportHeight(chart: ECharts, title: string): number {
  return chart.getHeight() + (title.trim() ? EXPORT_TITLE_HEIGHT : 0);
}

/**
 * The chart as a PNG data URL at `pixelRatio` × its on-screen size, on a white background, with its
 * title above the plot. The figure is drawn again on a detached canvas from the chart's option, so
 * the title can be added without touching the chart on screen.
 */
export function chartPngDataUrl(chart: ECharts, pixelRatio: number, title = ''): string {
  if (!(pixelRatio > 0) || pixelRatio > 8) {
    throw new ChartDataError(`PNG pixel ratio must be in (0, 8], got ${pixelRatio}`);
  }
  const option = titledOption(exportableOption(chart.getOption() as Record<string, unknown>), title);
  const host = document.createElement('div');
  const width = chart.getWidth();
  const height = exportHeight(chart, title);
  host.style.cssText = `position:fixed;left:-20000px;top:0;width:${width}px;height:${height}px;`;
  document.body.appendChild(host);
  const copy = echarts.init(host, null, { renderer: 'canvas', width, height });
  try {
    copy.setOption(option);
    copy.setOption({ animation: false });
    return copy.getDataURL({
      type: 'png',
      pixelRatio,
      backgroundColor: '#ffffff',
      excludeComponents: ['toolbox', 'dataZoom'],
    });
  } finally {
    copy.dispose();
    host.remove();
  }
}

/** The chart re-rendered with the SVG renderer at its on-screen size, title above, as SVG text. */
export function chartSvgText(chart: ECharts, title = ''): string {
  const option = titledOption(exportableOption(chart.getOption() as Record<string, unknown>), title);
  return renderOptionToSvg(option, chart.getWidth(), exportHeight(chart, title));
}

export function dataUrlToBlob(dataUrl: string): Blob {
  const match = /^data:([^;,]+)(;base64)?,(.*)$/s.exec(dataUrl);
  if (!match) throw new ChartDataError('not a data URL');
  const [, mime, base64, body] = match;
  if (!base64) return new Blob([decodeURIComponent(body!)], { type: mime });
  const binary = atob(body!);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: mime });
}

/**
 * Saves a blob under `fileName` through an object URL and a clicked anchor. Chromium and Electron
 * both honour the download attribute (Electron shows its save dialog or uses the default folder).
 */
export function downloadBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
  // Revoking at once can cancel the download in some Chromium versions.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
