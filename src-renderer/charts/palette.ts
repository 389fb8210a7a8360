export { modeColor, modePalette } from '../../src-shared/charts/modePalette';

/** Default labels: "Mode 1" … as people count them. */
export function modeLabels(count: number): string[] {
  return Array.from({ length: count }, (_, k) => `Mode ${k + 1}`);
}

/** Shared text and line styling so every chart reads alike (system fonts only; the app is offline). */
export const chartTheme = {
  fontFamily:
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif",
  text: '#1d2733',
  muted: '#5d6877',
  grid: '#e3e7ec',
  axis: '#b8c0cb',
  gapFill: 'rgba(179, 38, 30, 0.10)',
  annotation: '#8a5a00',
  trace: '#1d2733',
} as const;
