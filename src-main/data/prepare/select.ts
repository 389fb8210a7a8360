/** Channel (and session) selection (osl-dynamics `select`), by index or by name. */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { PreparationError } from './errors';

export function resolveChannels(
  channels: Array<number | string>,
  nChannels: number,
  names: string[] | undefined,
): number[] {
  return channels.map((c) => {
    if (typeof c === 'number') {
      if (!Number.isInteger(c) || c < 0 || c >= nChannels) {
        throw new PreparationError(`select: channel index ${c} is out of range (${nChannels} channels)`);
      }
      return c;
    }
    if (!names)
      throw new PreparationError(`select: channel names are not known, select ${JSON.stringify(c)} by index`);
    const index = names.indexOf(c);
    if (index < 0) throw new PreparationError(`select: no channel named ${JSON.stringify(c)}`);
    return index;
  });
}

export function selectChannels(session: TimeSeriesSession, indices: number[]): TimeSeriesSession {
  const { nSamples, nChannels, data } = session;
  const width = indices.length;
  const out = new Float32Array(nSamples * width);
  for (let t = 0; t < nSamples; t++) {
    const src = t * nChannels;
    const dst = t * width;
    for (let j = 0; j < width; j++) out[dst + j] = data[src + indices[j]!]!;
  }
  return {
    ...session,
    data: out,
    nChannels: width,
    ...(session.gapMask ? { gapMask: session.gapMask.slice() } : {}),
  };
}
