import type { MaskedSession } from '../../src-main/imputation/missingEntries';

/** A copy of the session with the entries `isMissing` picks marked missing (and NaN, as readers leave them). */
export function withMissing(s: MaskedSession, isMissing: (t: number, c: number) => boolean): MaskedSession {
  const C = s.nChannels;
  const missing = new Uint8Array(s.data.length);
  const data = Float32Array.from(s.data);
  for (let t = 0; t < s.nSamples; t++)
    for (let c = 0; c < C; c++)
      if (isMissing(t, c)) {
        missing[t * C + c] = 1;
        data[t * C + c] = Number.NaN;
      }
  return { ...s, data, missing };
}
