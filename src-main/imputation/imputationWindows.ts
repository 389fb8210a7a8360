/**
 * Where the model runs during imputation. A trained VRAE/VOSP sees windows of finite length, so a
 * session is cut into windows and every sample is read from exactly one of them (its owner):
 *
 * - 'sliding': windows of the model's sequence length with half-window hops; each sample is owned
 *   by the window whose centre is nearest, so it has at least a quarter window of context on each
 *   side. Covers every sample (needed for denoising and residuals).
 * - 'centred': one window per stretch of rows with any missing entry, reaching `context` samples
 *   beyond the stretch on each side (clipped at the session edges). Every gap gets the same,
 *   symmetric context however it falls relative to a sliding grid; only the stretch's rows are
 *   owned, so observed rows outside all stretches are not reconstructed.
 *
 * The RNNs run over any length, so a centred window may be longer than the training sequences.
 */
export interface ImputationWindow {
  start: number;
  length: number;
  /** Rows [ownStart, ownEnd) are read from this window. */
  ownStart: number;
  ownEnd: number;
}

export function slidingWindows(T: number, L: number): ImputationWindow[] {
  if (T <= L) return [{ start: 0, length: T, ownStart: 0, ownEnd: T }];
  const hop = Math.max(1, Math.floor(L / 2));
  const starts: number[] = [];
  for (let s = 0; s + L < T; s += hop) starts.push(s);
  starts.push(T - L);
  // A sample belongs to the window whose centre is nearest (the later one on a tie): boundaries
  // are the midpoints between consecutive centres.
  return starts.map((start, i) => {
    const centre = start + L / 2;
    const prev = i > 0 ? starts[i - 1]! + L / 2 : -Infinity;
    const next = i + 1 < starts.length ? starts[i + 1]! + L / 2 : Infinity;
    const ownStart = i === 0 ? 0 : Math.ceil((prev + centre) / 2);
    const ownEnd = i + 1 === starts.length ? T : Math.ceil((centre + next) / 2);
    return { start, length: L, ownStart, ownEnd };
  });
}

/** Rows with at least one missing entry, as maximal [start, end) stretches. */
export function missingRowStretches(
  missing: Uint8Array,
  T: number,
  C: number,
): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  let start = -1;
  for (let t = 0; t <= T; t++) {
    let any = false;
    if (t < T) for (let c = 0; c < C && !any; c++) any = missing[t * C + c] !== 0;
    if (any && start < 0) start = t;
    if (!any && start >= 0) {
      out.push({ start, end: t });
      start = -1;
    }
  }
  return out;
}

export function centredWindows(
  missing: Uint8Array,
  T: number,
  C: number,
  context: number,
): ImputationWindow[] {
  return missingRowStretches(missing, T, C).map(({ start, end }) => {
    const from = Math.max(0, start - context);
    const to = Math.min(T, end + context);
    return { start: from, length: to - from, ownStart: start, ownEnd: end };
  });
}
