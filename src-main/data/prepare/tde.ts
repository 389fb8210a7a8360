/**
 * Time-delay embedding (osl-dynamics `tde`). Output channel c·E + j holds input channel c at
 * offset (E − 1)/2 − j from the centre sample, i.e. each channel's lags run from the most future
 * to the most past, exactly as osl_dynamics.data.processing.time_embed orders them. The session
 * loses (E − 1)/2 samples at each end (as osl-dynamics); inside a session, windows that touch a
 * gap are marked missing.
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { PreparationError } from './errors';
import { centredWindowMask, validRuns } from './segments';

export function checkEmbeddings(nEmbeddings: number, nSamples: number, step: string): void {
  if (!Number.isInteger(nEmbeddings) || nEmbeddings < 1 || nEmbeddings % 2 !== 1) {
    throw new PreparationError(`${step}: n_embeddings must be a positive odd integer, got ${nEmbeddings}`);
  }
  if (nSamples < nEmbeddings) {
    throw new PreparationError(
      `${step}: a session of ${nSamples} samples is shorter than n_embeddings (${nEmbeddings})`,
    );
  }
}

export function tdeChannelNames(names: string[], nEmbeddings: number): string[] {
  const half = (nEmbeddings - 1) / 2;
  return names.flatMap((name) =>
    Array.from({ length: nEmbeddings }, (_, j) => {
      const offset = half - j;
      return `${name}[${offset > 0 ? '+' : ''}${offset}]`;
    }),
  );
}

export function tdeSession(session: TimeSeriesSession, nEmbeddings: number): TimeSeriesSession {
  checkEmbeddings(nEmbeddings, session.nSamples, 'tde');
  const { nSamples, nChannels, data } = session;
  const span = nEmbeddings - 1;
  const nOut = nSamples - span;
  const width = nChannels * nEmbeddings;
  const out = new Float32Array(nOut * width);
  for (const { start, end } of validRuns(nSamples, session.gapMask)) {
    // Output row i covers input samples i .. i + span; column c·E + j is sample i + span − j.
    for (let i = start; i + span < end; i++) {
      const row = i * width;
      for (let c = 0; c < nChannels; c++) {
        const col = row + c * nEmbeddings;
        for (let j = 0; j < nEmbeddings; j++) out[col + j] = data[(i + span - j) * nChannels + c]!;
      }
    }
  }
  const gapMask = centredWindowMask(nSamples, session.gapMask, span / 2);
  return {
    data: out,
    nSamples: nOut,
    nChannels: width,
    samplingRate: session.samplingRate,
    ...(gapMask ? { gapMask } : {}),
  };
}
