import type { SeededRandom } from '../../../numerics/random';

/**
 * Training data for the gap-aware models. Sessions are time-major [T × C] with an optional
 * per-entry `missing` mask (a reader's per-sample gap mask expands to it). Sequences may span
 * gaps: the missing entries reach the recognition model as flagged zeros and are left out of the
 * likelihood. On top, training hides random stretches (all channels, or one channel) from the
 * recognition model while keeping them in the likelihood, so the model learns to fill gaps.
 */
export interface DvaeSession {
  data: Float32Array;
  nSamples: number;
  nChannels: number;
  /** [T × C], 1 where a value is missing. */
  missing?: Uint8Array;
}

export interface TrainingMasking {
  gap_probability: number;
  gap_min_samples: number;
  gap_max_samples: number;
  channel_dropout_probability: number;
  hidden_weight: number;
}

export interface SequenceStart {
  session: number;
  start: number;
}

export interface BatchArrays {
  /** Values, [B × L × C]. */
  targets: Float32Array;
  /** 1 where the recognition model must not see the value. */
  flags: Float32Array;
  /** 1 where the value is known and counts in the likelihood. */
  weights: Float32Array;
}

/**
 * Non-overlapping windows of `length` per session starting at `offset` (so that different epochs
 * see different cuts); windows with no observed value are left out.
 */
export function sequenceStarts(
  sessions: readonly DvaeSession[],
  length: number,
  offsets: readonly number[],
): SequenceStart[] {
  const out: SequenceStart[] = [];
  sessions.forEach((s, session) => {
    for (let start = offsets[session] ?? 0; start + length <= s.nSamples; start += length) {
      const m = s.missing;
      let observed = !m;
      for (let i = start * s.nChannels; !observed && i < (start + length) * s.nChannels; i++)
        observed = m![i] === 0;
      if (observed) out.push({ session, start });
    }
  });
  return out;
}

export function gatherBatch(
  sessions: readonly DvaeSession[],
  starts: readonly SequenceStart[],
  length: number,
  masking: TrainingMasking | null,
  rng: SeededRandom | null,
): BatchArrays {
  const C = sessions[0]!.nChannels;
  const n = starts.length * length * C;
  const targets = new Float32Array(n);
  const flags = new Float32Array(n);
  const weights = new Float32Array(n);
  starts.forEach((r, b) => {
    const s = sessions[r.session]!;
    const base = b * length * C;
    const from = r.start * C;
    for (let i = 0; i < length * C; i++) {
      const missing = s.missing ? s.missing[from + i] !== 0 : false;
      targets[base + i] = missing ? 0 : s.data[from + i]!;
      flags[base + i] = missing ? 1 : 0;
      weights[base + i] = missing ? 0 : 1;
    }
    if (!masking || !rng) return;
    if (rng.uniform() < masking.gap_probability) {
      const len =
        masking.gap_min_samples + rng.integerBelow(masking.gap_max_samples - masking.gap_min_samples + 1);
      const start = rng.integerBelow(length - len + 1);
      for (let i = base + start * C; i < base + (start + len) * C; i++) {
        flags[i] = 1;
        weights[i]! *= masking.hidden_weight;
      }
    }
    if (rng.uniform() < masking.channel_dropout_probability) {
      const len =
        masking.gap_min_samples + rng.integerBelow(masking.gap_max_samples - masking.gap_min_samples + 1);
      const start = rng.integerBelow(length - len + 1);
      const c = rng.integerBelow(C);
      for (let t = start; t < start + len; t++) {
        flags[base + t * C + c] = 1;
        weights[base + t * C + c]! *= masking.hidden_weight;
      }
    }
  });
  return { targets, flags, weights };
}
