/**
 * Seeded hiding of known values, for evaluation: contiguous all-channel gaps and single-channel
 * dropouts of configurable lengths, placed where the data is observed and kept apart from each
 * other (and from the session edges) by a margin, so every method sees the same context.
 */
import { SeededRandom } from '../numerics/random';
import { ImputationInputError, type MaskedSession } from './missingEntries';

export type HiddenKind = 'gap' | 'channel_dropout';

export interface HiddenStretch {
  kind: HiddenKind;
  /** The channel for a dropout; null for an all-channel gap. */
  channel: number | null;
  start: number;
  end: number;
  lengthMs: number;
}

export interface HideOptions {
  samplingRate: number;
  /** Gap lengths in milliseconds; every length gets `gapsPerLength` gaps. */
  gapLengthsMs: number[];
  gapsPerLength: number;
  /** Single-channel dropouts per length (same lengths). */
  dropoutsPerLength: number;
  /** Observed samples kept between hidden stretches and before/after the session edges. */
  marginSamples: number;
  seed: number;
}

export interface HiddenSession {
  session: MaskedSession;
  hidden: HiddenStretch[];
  /** [T × C], 1 where a value was hidden by this procedure (and so has a known truth). */
  hiddenEntries: Uint8Array;
}

export function hideStretches(s: MaskedSession, options: HideOptions): HiddenSession {
  const { nSamples: T, nChannels: C } = s;
  const rng = new SeededRandom(options.seed);
  const wanted: { kind: HiddenKind; lengthMs: number }[] = [];
  for (const ms of options.gapLengthsMs) {
    if (!(ms > 0)) throw new ImputationInputError(`gap lengths must be positive milliseconds, got ${ms}`);
    for (let i = 0; i < options.gapsPerLength; i++) wanted.push({ kind: 'gap', lengthMs: ms });
    for (let i = 0; i < options.dropoutsPerLength; i++)
      wanted.push({ kind: 'channel_dropout', lengthMs: ms });
  }
  const margin = options.marginSamples;
  const lengths = wanted.map((w) => Math.max(1, Math.round((w.lengthMs / 1000) * options.samplingRate)));
  const needed = lengths.reduce((a, l) => a + l + margin, margin);
  if (needed > T)
    throw new ImputationInputError(
      `cannot place ${wanted.length} hidden stretches (${lengths.reduce((a, b) => a + b, 0)} samples) with ${margin} samples of margin in a session of ${T} samples; ask for fewer or shorter ones`,
    );
  const alreadyMissing = new Uint8Array(T);
  for (let t = 0; t < T; t++) for (let c = 0; c < C; c++) if (s.missing?.[t * C + c]) alreadyMissing[t] = 1;
  // A random order and a random share of the slack before each stretch: every layout that fits
  // is reachable, and placement never jams the way sequential rejection sampling does.
  for (let attempt = 0; attempt < 100; attempt++) {
    const order = wanted.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.integerBelow(i + 1);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    const cuts = order.map(() => rng.uniform()).concat([rng.uniform()]);
    const total = cuts.reduce((a, b) => a + b, 0);
    const slack = T - needed;
    let t = margin;
    const layout: HiddenStretch[] = [];
    let clash = false;
    order.forEach((i, k) => {
      t += Math.floor((slack * cuts[k]!) / total);
      const len = lengths[i]!;
      for (let u = t - margin; u < t + len + margin && !clash; u++) clash = alreadyMissing[u] === 1;
      const w = wanted[i]!;
      layout.push({ kind: w.kind, channel: null, start: t, end: t + len, lengthMs: w.lengthMs });
      t += len + margin;
    });
    if (clash) continue;
    const missing = s.missing ? Uint8Array.from(s.missing) : new Uint8Array(T * C);
    const hiddenEntries = new Uint8Array(T * C);
    for (const h of layout) {
      if (h.kind === 'channel_dropout') h.channel = rng.integerBelow(C);
      for (let u = h.start; u < h.end; u++)
        for (let c = 0; c < C; c++) {
          if (h.channel !== null && c !== h.channel) continue;
          missing[u * C + c] = 1;
          hiddenEntries[u * C + c] = 1;
        }
    }
    layout.sort((a, b) => a.start - b.start);
    return { session: { ...s, missing }, hidden: layout, hiddenEntries };
  }
  throw new ImputationInputError(
    `cannot place ${wanted.length} hidden stretches away from the session's existing gaps; ask for fewer or shorter ones`,
  );
}
