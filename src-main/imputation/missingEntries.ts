/**
 * Sessions with missing entries. A session is time-major [T × C]; `missing` marks entries (1 =
 * missing) one byte per value, so both whole-sample gaps (all channels) and single-channel
 * dropouts fit. A per-sample gap mask as the readers produce it expands to all channels.
 */

export interface MaskedSession {
  data: Float32Array;
  nSamples: number;
  nChannels: number;
  /** [T × C], 1 where the value is missing. Omitted: nothing is missing. */
  missing?: Uint8Array;
}

export class ImputationInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImputationInputError';
  }
}

/** Expands a per-sample gap mask (1 = every channel missing) to per-entry form. */
export function entriesFromGapMask(gapMask: Uint8Array, nChannels: number): Uint8Array {
  const out = new Uint8Array(gapMask.length * nChannels);
  for (let t = 0; t < gapMask.length; t++) if (gapMask[t]) out.fill(1, t * nChannels, (t + 1) * nChannels);
  return out;
}

/** Checks shapes and finiteness of observed values; `label` names the session in messages. */
export function validateMaskedSession(s: MaskedSession, label: string): void {
  if (!Number.isInteger(s.nSamples) || s.nSamples < 1 || !Number.isInteger(s.nChannels) || s.nChannels < 1)
    throw new ImputationInputError(`${label}: needs at least one sample and one channel`);
  if (s.data.length !== s.nSamples * s.nChannels)
    throw new ImputationInputError(
      `${label}: data holds ${s.data.length} values, expected ${s.nSamples} samples × ${s.nChannels} channels`,
    );
  if (s.missing && s.missing.length !== s.data.length)
    throw new ImputationInputError(
      `${label}: the missing-value mask has ${s.missing.length} entries but the data has ${s.data.length} (${s.nSamples} × ${s.nChannels}); the mask does not match the data`,
    );
  for (let i = 0; i < s.data.length; i++) {
    if (!s.missing?.[i] && !Number.isFinite(s.data[i]!))
      throw new ImputationInputError(
        `${label}: non-finite value at sample ${Math.floor(i / s.nChannels)}, channel ${i % s.nChannels} that is not marked missing`,
      );
  }
}

export function countMissing(s: MaskedSession): number {
  let n = 0;
  if (s.missing) for (let i = 0; i < s.missing.length; i++) n += s.missing[i] ? 1 : 0;
  return n;
}

/** Refuses sessions that cannot be imputed: nothing missing, or a channel with nothing observed. */
export function requireImputable(s: MaskedSession, label: string): void {
  validateMaskedSession(s, label);
  const missing = countMissing(s);
  if (missing === 0)
    throw new ImputationInputError(`${label}: no values are missing, there is nothing to impute`);
  if (missing === s.data.length)
    throw new ImputationInputError(`${label}: every value is missing, there is nothing to impute from`);
  for (let c = 0; c < s.nChannels; c++) {
    let observed = false;
    for (let t = 0; t < s.nSamples && !observed; t++) observed = !s.missing![t * s.nChannels + c];
    if (!observed)
      throw new ImputationInputError(
        `${label}: channel ${c} is missing in every sample, it cannot be imputed`,
      );
  }
}

/** A run of consecutive missing samples of one channel: [start, end). */
export interface MissingRun {
  channel: number;
  start: number;
  end: number;
}

/** Maximal runs of missing samples, channel by channel. */
export function missingRuns(s: MaskedSession): MissingRun[] {
  const out: MissingRun[] = [];
  if (!s.missing) return out;
  const C = s.nChannels;
  for (let c = 0; c < C; c++) {
    let start = -1;
    for (let t = 0; t <= s.nSamples; t++) {
      const m = t < s.nSamples && s.missing[t * C + c] !== 0;
      if (m && start < 0) start = t;
      if (!m && start >= 0) {
        out.push({ channel: c, start, end: t });
        start = -1;
      }
    }
  }
  return out;
}

/**
 * Refuses all-channel gaps longer than half a model's sequence length L: no window of the model
 * could bridge them. Positions in messages are the session's.
 */
export function checkGapLengths(s: MaskedSession, L: number, label: string): void {
  const C = s.nChannels;
  let run = 0;
  for (let t = 0; t <= s.nSamples; t++) {
    let all = t < s.nSamples;
    for (let c = 0; c < C && all; c++) all = s.missing![t * C + c] !== 0;
    if (all) run++;
    else {
      if (run > Math.floor(L / 2))
        throw new ImputationInputError(
          `${label}: the gap of ${run} samples ending at sample ${t} is longer than half the model's sequence length (${L} samples); train with sequence_length of at least ${2 * run} to bridge it`,
        );
      run = 0;
    }
  }
}
