import type { WindowRenderStats } from '../windowedEnvelope';

/**
 * What the end-to-end test reads from the gallery page, published as window.__chartProbe so the
 * test's page-side code stays one-line calls (the test itself compiles without DOM types).
 */
export interface ChartProbe {
  ready: boolean;
  stats: Record<string, WindowRenderStats[]>;
  appendCurve: (name: string, x: number, y: number) => void;
  /** Share of sampled pixels that are not white in any canvas layer of the chart `testid`. */
  ink: (testid: string) => number;
  /** Parses SVG text the way a browser would; counts what a figure needs. */
  parseSvg: (text: string) => { error: string | null; root: string; paths: number; text: string };
}

function ink(testid: string): number {
  const root = document.querySelector(`[data-testid="${testid}"]`);
  if (!root) return 0;
  const layers = [...root.querySelectorAll('canvas')].map((canvas) => {
    const ctx = canvas.getContext('2d');
    return ctx ? ctx.getImageData(0, 0, canvas.width, canvas.height).data : null;
  });
  const first = layers[0];
  if (!first) return 0;
  let inked = 0;
  let total = 0;
  // Every 7th pixel is plenty to tell a drawn chart from an empty one.
  for (let i = 0; i < first.length; i += 4 * 7) {
    total++;
    const drawn = layers.some((data) => {
      if (!data || data.length !== first.length || data[i + 3]! < 16) return false;
      return !(data[i]! > 245 && data[i + 1]! > 245 && data[i + 2]! > 245);
    });
    if (drawn) inked++;
  }
  return inked / total;
}

function parseSvg(text: string): ReturnType<ChartProbe['parseSvg']> {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  return {
    error: doc.querySelector('parsererror')?.textContent ?? null,
    root: doc.documentElement.nodeName,
    paths: doc.querySelectorAll('path').length,
    text: doc.documentElement.textContent ?? '',
  };
}

export function installChartProbe(appendCurve: ChartProbe['appendCurve']): ChartProbe {
  const probe: ChartProbe = { ready: false, stats: {}, appendCurve, ink, parseSvg };
  (window as unknown as { __chartProbe: ChartProbe }).__chartProbe = probe;
  return probe;
}
