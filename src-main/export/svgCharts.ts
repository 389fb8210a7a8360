/**
 * Small static SVG charts for the run report: plain strings, no script, no external resources,
 * so a report opens anywhere (and survives being mailed). Numbers are rounded to what a screen
 * can show to keep the file small.
 */
import { modeColor } from '../../src-shared/charts/modePalette';

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

const r1 = (v: number) => Math.round(v * 10) / 10;

/** About five round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step)
    ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  return a >= 1e5 || a < 1e-3 ? v.toExponential(1) : String(Number(v.toPrecision(4)));
}

export interface LineSeries {
  name: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

export interface Frame {
  width: number;
  height: number;
  title: string;
  xLabel: string;
  yLabel: string;
  yRange?: [number, number];
}

const MARGIN = { left: 64, right: 16, top: 28, bottom: 40 };

function extent(values: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo > hi) return [0, 1];
  return lo === hi ? [lo - 0.5, hi + 0.5] : [lo, hi];
}

function* allOf(series: LineSeries[], axis: 'x' | 'y'): Generator<number> {
  for (const s of series) for (let i = 0; i < s[axis].length; i++) yield s[axis][i]!;
}

function axes(frame: Frame, xr: [number, number], yr: [number, number], numericX = true) {
  const w = frame.width - MARGIN.left - MARGIN.right;
  const h = frame.height - MARGIN.top - MARGIN.bottom;
  const sx = (v: number) => MARGIN.left + ((v - xr[0]) / (xr[1] - xr[0])) * w;
  const sy = (v: number) => MARGIN.top + h - ((v - yr[0]) / (yr[1] - yr[0])) * h;
  const parts: string[] = [
    `<text x="${frame.width / 2}" y="16" text-anchor="middle" font-weight="bold">${escapeXml(frame.title)}</text>`,
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const t of numericX ? niceTicks(xr[0], xr[1]) : []) {
    parts.push(
      `<text x="${r1(sx(t))}" y="${MARGIN.top + h + 14}" text-anchor="middle">${formatTick(t)}</text>`,
    );
  }
  for (const t of niceTicks(yr[0], yr[1])) {
    parts.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + w}" y1="${r1(sy(t))}" y2="${r1(sy(t))}" stroke="#eee"/>`,
      `<text x="${MARGIN.left - 4}" y="${r1(sy(t)) + 4}" text-anchor="end">${formatTick(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + w / 2}" y="${frame.height - 6}" text-anchor="middle">${escapeXml(frame.xLabel)}</text>`,
    `<text transform="translate(14 ${MARGIN.top + h / 2}) rotate(-90)" text-anchor="middle">${escapeXml(frame.yLabel)}</text>`,
  );
  return { sx, sy, parts, w, h };
}

function svg(frame: Frame, body: string[], label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(label)}" width="${frame.width}" height="${frame.height}" viewBox="0 0 ${frame.width} ${frame.height}" font-family="sans-serif" font-size="11">${body.join('')}</svg>`;
}

function legend(names: string[], x: number, y: number): string[] {
  return names.map(
    (name, i) =>
      `<rect x="${x}" y="${y + i * 14}" width="10" height="10" fill="${modeColor(i)}"/><text x="${x + 14}" y="${y + i * 14 + 9}">${escapeXml(name)}</text>`,
  );
}

/** Lines over a shared x axis; non-finite points break a line. */
export function lineChart(series: LineSeries[], frame: Frame): string {
  const xr = extent(allOf(series, 'x'));
  const yr = frame.yRange ?? extent(allOf(series, 'y'));
  const { sx, sy, parts, w } = axes(frame, xr, yr);
  series.forEach((s, i) => {
    let d = '';
    let pen = 'M';
    for (let p = 0; p < s.x.length; p++) {
      const y = s.y[p]!;
      if (!Number.isFinite(y)) {
        pen = 'M';
        continue;
      }
      d += `${pen}${r1(sx(s.x[p]!))} ${r1(sy(y))}`;
      pen = 'L';
    }
    if (d) {
      parts.push(
        `<path d="${d}" fill="none" stroke="${modeColor(i)}" stroke-width="1.2"><title>${escapeXml(s.name)}</title></path>`,
      );
    }
  });
  if (series.length > 1)
    parts.push(
      ...legend(
        series.map((s) => s.name),
        MARGIN.left + w - 70,
        MARGIN.top + 6,
      ),
    );
  return svg(frame, parts, frame.title);
}

/** One bar per category, optionally with one dot per session over it. */
export function barChart(
  categories: string[],
  values: number[],
  frame: Frame,
  dots: number[][] = [],
): string {
  const hi = Math.max(0, ...values.filter(Number.isFinite), ...dots.flat().filter(Number.isFinite));
  const yr: [number, number] = frame.yRange ?? [0, hi > 0 ? hi * 1.1 : 1];
  const { sy, parts: body, w } = axes(frame, [0, 1], yr, false);
  const slot = w / Math.max(1, categories.length);
  categories.forEach((name, i) => {
    const x = MARGIN.left + i * slot;
    const v = values[i] ?? 0;
    body.push(
      `<rect x="${r1(x + slot * 0.15)}" y="${r1(sy(v))}" width="${r1(slot * 0.7)}" height="${r1(Math.max(0, sy(0) - sy(v)))}" fill="${modeColor(i)}"><title>${escapeXml(`${name}: ${v}`)}</title></rect>`,
      `<text x="${r1(x + slot / 2)}" y="${frame.height - MARGIN.bottom + 14}" text-anchor="middle">${escapeXml(name)}</text>`,
    );
    for (const session of dots) {
      const d = session[i];
      if (d !== undefined && Number.isFinite(d)) {
        body.push(
          `<circle cx="${r1(x + slot / 2)}" cy="${r1(sy(d))}" r="2.5" fill="#333" fill-opacity="0.6"/>`,
        );
      }
    }
  });
  return svg(frame, body, frame.title);
}

/** Colour steps per sign: cells are grouped by step, one path per colour, to keep big matrices small. */
const COLOUR_STEPS = 32;

/** Blue (negative) – white – red (positive) for a step in [-COLOUR_STEPS, COLOUR_STEPS]. */
function divergingColour(step: number): string {
  const toward = step >= 0 ? [178, 24, 43] : [33, 102, 172];
  const a = Math.abs(step) / COLOUR_STEPS;
  const mix = (c: number) => Math.round(255 + (c - 255) * a);
  return `rgb(${mix(toward[0]!)},${mix(toward[1]!)},${mix(toward[2]!)})`;
}

/**
 * A C×C matrix as coloured cells; `maxAbs` sets the colour scale so several maps compare. Cells of
 * one colour step share a path, so an 80-channel matrix is ~20 bytes per cell, not one element each.
 */
export function heatmap(
  matrix: ArrayLike<number>,
  n: number,
  title: string,
  maxAbs: number,
  size = 180,
): string {
  const cell = size / n;
  const top = 20;
  const w = r1(cell + 0.3);
  const cells = new Map<number | 'nan', string[]>();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = matrix[i * n + j]!;
      const key = Number.isFinite(v)
        ? Math.round(Math.max(-1, Math.min(1, maxAbs > 0 ? v / maxAbs : 0)) * COLOUR_STEPS)
        : 'nan';
      let list = cells.get(key);
      if (!list) cells.set(key, (list = []));
      list.push(`M${r1(j * cell)} ${r1(top + i * cell)}h${w}v${w}h-${w}z`);
    }
  }
  const parts = [
    `<text x="${size / 2}" y="14" text-anchor="middle" font-weight="bold">${escapeXml(title)}</text>`,
  ];
  for (const [key, list] of cells) {
    parts.push(`<path fill="${key === 'nan' ? '#ccc' : divergingColour(key)}" d="${list.join('')}"/>`);
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeXml(title)}" width="${size}" height="${size + top}" viewBox="0 0 ${size} ${size + top}" font-family="sans-serif" font-size="11">${parts.join('')}</svg>`;
}
