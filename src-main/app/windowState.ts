import { z } from 'zod';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  bounds: Rect;
  maximised: boolean;
}

export interface WindowLimits {
  defaultWidth: number;
  defaultHeight: number;
  minWidth: number;
  minHeight: number;
}

const rectSchema = z.strictObject({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});

export const windowStateFileSchema = z.strictObject({
  version: z.literal(1),
  bounds: rectSchema,
  maximised: z.boolean(),
});

/** A saved state that is damaged or from another version is ignored: it is a convenience. */
export function parseWindowState(json: unknown): WindowState | null {
  const parsed = windowStateFileSchema.safeParse(json);
  return parsed.success ? { bounds: parsed.data.bounds, maximised: parsed.data.maximised } : null;
}

export function serialiseWindowState(state: WindowState): z.infer<typeof windowStateFileSchema> {
  const { x, y, width, height } = state.bounds;
  return {
    version: 1,
    bounds: { x: Math.round(x), y: Math.round(y), width: Math.round(width), height: Math.round(height) },
    maximised: state.maximised,
  };
}

function overlapArea(a: Rect, b: Rect): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function centredIn(area: Rect, width: number, height: number): Rect {
  return {
    x: Math.round(area.x + (area.width - width) / 2),
    y: Math.round(area.y + (area.height - height) / 2),
    width,
    height,
  };
}

function clampSize(size: number, min: number, available: number): number {
  // A display smaller than the minimum still gets the minimum: the window manager copes.
  return Math.max(Math.min(size, available), Math.min(min, Math.max(available, 1)));
}

/**
 * Where to open the window: the saved bounds moved (and shrunk if needed) so that the whole
 * window lies on the display it mostly overlapped. A window saved on a display that is gone
 * (unplugged monitor, changed arrangement) opens centred on the primary display instead.
 *
 * @param workAreas the displays' work areas, primary display first.
 */
export function restoreBounds(
  saved: WindowState | null,
  workAreas: readonly Rect[],
  limits: WindowLimits,
): WindowState {
  const primary = workAreas[0];
  if (!primary) {
    throw new Error('restoreBounds needs at least one display work area');
  }
  const fresh = (): WindowState => ({
    bounds: centredIn(
      primary,
      clampSize(limits.defaultWidth, limits.minWidth, primary.width),
      clampSize(limits.defaultHeight, limits.minHeight, primary.height),
    ),
    maximised: false,
  });
  if (!saved) return fresh();

  let best: Rect | null = null;
  let bestArea = 0;
  for (const area of workAreas) {
    const overlap = overlapArea(saved.bounds, area);
    if (overlap > bestArea) {
      best = area;
      bestArea = overlap;
    }
  }
  if (!best) return { ...fresh(), maximised: saved.maximised };

  const width = clampSize(saved.bounds.width, limits.minWidth, best.width);
  const height = clampSize(saved.bounds.height, limits.minHeight, best.height);
  const x = Math.min(Math.max(saved.bounds.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(saved.bounds.y, best.y), best.y + best.height - height);
  return { bounds: { x, y, width, height }, maximised: saved.maximised };
}
