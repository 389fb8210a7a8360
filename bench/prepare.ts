/**
 * tde_pca benchmark at the size: 10 sessions × 60,000 samples × 40 channels,
 * 15 embeddings, 80 components. Data are correlated AR(1) noise from a fixed seed.
 */
import { runPipeline } from '../src-main/data/prepare/pipeline';
import { SeededRandom } from '../src-main/numerics/random';
import type { TimeSeriesSession } from '../src-shared/domain/preparation';

export interface TdePcaBenchResult {
  name: 'tde_pca';
  nSessions: number;
  nSamples: number;
  nChannels: number;
  nEmbeddings: number;
  nPcaComponents: number;
  /** Wall time of the whole step (covariance, eigendecomposition, projection), in seconds. */
  seconds: number;
  /** Input samples × channels processed per second. */
  valuesPerSecond: number;
  explainedVariance: number;
}

function syntheticSession(rng: SeededRandom, nSamples: number, nChannels: number): TimeSeriesSession {
  const data = new Float32Array(nSamples * nChannels);
  const state = new Float64Array(nChannels);
  for (let t = 0; t < nSamples; t++) {
    const shared = rng.normal();
    for (let c = 0; c < nChannels; c++) {
      state[c] = 0.9 * state[c]! + rng.normal() + 0.5 * shared;
      data[t * nChannels + c] = state[c]!;
    }
  }
  return { data, nSamples, nChannels, samplingRate: 250 };
}

export async function benchTdePca(
  size: {
    nSessions?: number;
    nSamples?: number;
    nChannels?: number;
    nEmbeddings?: number;
    nPcaComponents?: number;
  } = {},
): Promise<TdePcaBenchResult> {
  const { nSessions = 10, nSamples = 60_000, nChannels = 40, nEmbeddings = 15, nPcaComponents = 80 } = size;
  const rng = new SeededRandom(2024);
  const sessions = Array.from({ length: nSessions }, () => syntheticSession(rng, nSamples, nChannels));
  const started = performance.now();
  const { info } = await runPipeline(sessions, {
    steps: [{ name: 'tde_pca', params: { n_embeddings: nEmbeddings, n_pca_components: nPcaComponents } }],
  });
  const seconds = (performance.now() - started) / 1000;
  return {
    name: 'tde_pca',
    nSessions,
    nSamples,
    nChannels,
    nEmbeddings,
    nPcaComponents,
    seconds,
    valuesPerSecond: (nSessions * nSamples * nChannels) / seconds,
    explainedVariance: info.explainedVariance ?? Number.NaN,
  };
}
