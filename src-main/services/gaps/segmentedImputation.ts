import type { LatentSequenceModel } from '../../engine/models/dvae/sequenceModel';
import {
  checkGapLengths,
  ImputationInputError,
  requireImputable,
  type MaskedSession,
} from '../../imputation/missingEntries';
import type { ImputationOptions, SessionImputation } from '../../imputation/modelImputation';

/**
 * Model imputation of a long session in segments, so that the services process (Electron's main
 * process on the desktop) gets control back between segments, progress moves within a session and
 * a cancel is honoured within about a second. One call of imputeSession over a minute of 64-channel
 * EEG at the default config takes about 20 s here.
 *
 * The seed's procedure works on windows of the model's sequence length L on a grid of half-window
 * hops; a sample's value comes from the window whose centre is nearest, and each iteration can
 * move information by at most about L. So a segment cut on the hop grid, with (iterations + 2)·L
 * of context on each side that is computed and thrown away, gives its kept part the same values as
 * imputing the whole session (only the posterior draws for the uncertainty differ, being other
 * random numbers). Sessions shorter than one segment go through imputeSession unchanged.
 */

export interface ImputationSegment {
  /** The samples given to imputeSession. */
  start: number;
  end: number;
  /** The samples whose result is kept. */
  keepStart: number;
  keepEnd: number;
}

/** Kept samples per segment, in windows of the sequence length. */
const SEGMENT_WINDOWS = 32;

export function imputationSegments(
  nSamples: number,
  sequenceLength: number,
  iterations: number,
): ImputationSegment[] {
  const L = Math.min(sequenceLength, nSamples);
  const hop = Math.max(1, Math.floor(L / 2));
  const onGrid = (n: number) => Math.ceil(n / hop) * hop;
  const interior = onGrid(SEGMENT_WINDOWS * L);
  const margin = onGrid((iterations + 2) * L);
  if (nSamples <= interior + 2 * margin)
    return [{ start: 0, end: nSamples, keepStart: 0, keepEnd: nSamples }];
  const out: ImputationSegment[] = [];
  for (let keepStart = 0; keepStart < nSamples; keepStart += interior) {
    const keepEnd = Math.min(nSamples, keepStart + interior);
    out.push({
      keepStart,
      keepEnd,
      start: Math.max(0, keepStart - margin),
      end: Math.min(nSamples, keepEnd + margin),
    });
  }
  // A short tail segment would be mostly context: fold it into the one before.
  const last = out[out.length - 1]!;
  if (out.length > 1 && last.keepEnd - last.keepStart < margin) {
    out.pop();
    const prev = out[out.length - 1]!;
    prev.keepEnd = nSamples;
    prev.end = nSamples;
  }
  return out;
}

export type ImputeSession = (
  model: LatentSequenceModel,
  s: MaskedSession,
  options: ImputationOptions,
  label: string,
) => SessionImputation;

export async function imputeInSegments(
  impute: ImputeSession,
  model: LatentSequenceModel,
  s: MaskedSession,
  options: ImputationOptions & { iterations: number; samples: number; seed: number },
  label: string,
  between: (done: number, total: number) => Promise<void>,
): Promise<SessionImputation> {
  requireImputable(s, label);
  checkGapLengths(s, model.sequenceLength, label);
  const segments = imputationSegments(s.nSamples, model.sequenceLength, options.iterations);
  if (segments.length === 1) {
    await between(0, 1);
    return impute(model, s, options, label);
  }
  const C = s.nChannels;
  const imputed = Float32Array.from(s.data);
  const missing = Uint8Array.from(s.missing!);
  const std = options.samples > 0 ? new Float32Array(s.data.length) : null;
  for (let k = 0; k < segments.length; k++) {
    await between(k, segments.length);
    const g = segments[k]!;
    const part: MaskedSession = {
      data: s.data.subarray(g.start * C, g.end * C),
      missing: missing.subarray(g.start * C, g.end * C),
      nSamples: g.end - g.start,
      nChannels: C,
    };
    if (!part.missing!.some((v) => v !== 0)) continue;
    let r: SessionImputation;
    try {
      r = impute(model, part, { ...options, seed: options.seed + k }, label);
    } catch (error) {
      // A channel missing throughout one segment (but not the session) needs the whole session.
      if (error instanceof ImputationInputError && /missing in every sample/.test(error.message))
        return impute(model, s, options, label);
      throw error;
    }
    const from = (g.keepStart - g.start) * C;
    const to = (g.keepEnd - g.start) * C;
    imputed.set(r.imputed.subarray(from, to), g.keepStart * C);
    if (std && r.std) std.set(r.std.subarray(from, to), g.keepStart * C);
  }
  return { imputed, missing, std };
}
