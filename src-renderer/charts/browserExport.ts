import type { ECharts } from 'echarts';
import { ChartDataError } from './chartDataError';
import { exportableOption, renderOptionToSvg } from './svgExport';

/** The chart as a PNG data URL at `pixelRatio` × its on-screen size, on a white background. */
export function chartPngDataUrl(chart: ECharts, pixelRatio: number): string {
  if (!(pixelRatio > 0) || pixelRatio > 8) {
    throw new ChartDataError(`PNG pixel ratio must be in (0, 8], got ${pixelRatio}`);
  }
  return chart.getDataURL({
    type: 'png',
    pixelRatio,
    backgroundColor: '#ffffff',
    excludeComponents: ['toolbox', 'dataZoom'],
  });
}

/** The chart re-rendered with the SVG renderer at its on-screen size, as SVG text. */
export function chartSvgText(chart: ECharts): string {
  const option = exportableOption(chart.getOption() as Record<string, unknown>);
  return renderOptionToSvg(option, chart.getWidth(), chart.getHeight());
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
