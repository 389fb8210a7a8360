import type { SeededRandom } from '../../numerics/random';

/**
 * Cutting sessions into training sequences. A session is time-major [T × C]; an optional gap mask
 * (1 = gap) splits it into gap-free segments. Sequences are non-overlapping, start at the
 * beginning of each segment and never cross a segment's end; a remainder shorter than a sequence
 * is left out of training (osl-dynamics drops it too).
 */
export interface SessionInput {
  data: Float32Array;
  nSamples: number;
  nChannels: number;
  /** 1 (non-zero) marks a sample inside a gap. */
  gapMask?: Uint8Array;
}

export interface Segment {
  session: number;
  start: number;
  /** Exclusive. */
  end: number;
}

export interface SequenceRef {
  session: number;
  start: number;
}

export class SequenceDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SequenceDataError';
  }
}

export function validateSessions(sessions: readonly SessionInput[], nChannels: number): void {
  if (sessions.length === 0) throw new SequenceDataError('no sessions to train on');
  sessions.forEach((s, i) => {
    if (s.nChannels !== nChannels)
      throw new SequenceDataError(`session ${i} has ${s.nChannels} channels, the model expects ${nChannels}`);
    if (s.data.length !== s.nSamples * s.nChannels)
      throw new SequenceDataError(
        `session ${i}: data holds ${s.data.length} values, expected ${s.nSamples} × ${s.nChannels}`,
      );
    if (s.gapMask && s.gapMask.length !== s.nSamples)
      throw new SequenceDataError(
        `session ${i}: gap mask has ${s.gapMask.length} entries, expected ${s.nSamples}`,
      );
  });
}

/** Gap-free stretches of every session, in order. */
export function gapFreeSegments(sessions: readonly SessionInput[]): Segment[] {
  const out: Segment[] = [];
  sessions.forEach((s, session) => {
    const gap = s.gapMask;
    let start = -1;
    for (let t = 0; t <= s.nSamples; t++) {
      const inGap = t === s.nSamples || (gap !== undefined && gap[t] !== 0);
      if (!inGap && start < 0) start = t;
      if (inGap && start >= 0) {
        out.push({ session, start, end: t });
        start = -1;
      }
    }
  });
  return out;
}

export function longestSegment(segments: readonly Segment[]): number {
  return segments.reduce((m, s) => Math.max(m, s.end - s.start), 0);
}

/** Non-overlapping sequences of `length` within each segment. */
export function trainingSequences(segments: readonly Segment[], length: number): SequenceRef[] {
  const out: SequenceRef[] = [];
  for (const seg of segments) {
    for (let t = seg.start; t + length <= seg.end; t += length) out.push({ session: seg.session, start: t });
  }
  return out;
}

/** Fisher–Yates shuffle of a copy, driven by the seeded generator. */
export function shuffled<T>(items: readonly T[], rng: SeededRandom): T[] {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.integerBelow(i + 1);
    const tmp = a[i]!;
    a[i] = a[j]!;
    a[j] = tmp;
  }
  return a;
}

/** Consecutive groups of `size`; the last may be smaller. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Copies sequences into one [B × length × C] block. */
export function gatherSequences(
  sessions: readonly SessionInput[],
  refs: readonly SequenceRef[],
  length: number,
): Float32Array {
  const C = sessions[0]!.nChannels;
  const out = new Float32Array(refs.length * length * C);
  refs.forEach((r, b) => {
    const src = sessions[r.session]!.data;
    out.set(src.subarray(r.start * C, (r.start + length) * C), b * length * C);
  });
  return out;
}
