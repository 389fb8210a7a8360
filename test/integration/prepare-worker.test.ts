import { rmSync } from 'node:fs';
import { bundleNodeEntry } from '../helpers/nodeEntryBundle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { PreparationCancelledError, PreparationError } from '../../src-main/data/prepare/errors';
import { runPipeline } from '../../src-main/data/prepare/pipeline';
import {
  parsePipeline,
  PipelineValidationError,
  type PreparationPipeline,
  type TimeSeriesSession,
} from '../../src-shared/domain/preparation';
import {
  prepareWorkerEntry,
  runPipelineInWorker,
} from '../../src-main/services/datasets/preparePipelineRunner';

/** The preparation worker thread (issue #6): same numbers as in-process, a free loop, a real cancel. */

let entry: string;

function session(nSamples: number, nChannels: number, seed: number): TimeSeriesSession {
  const data = new Float32Array(nSamples * nChannels);
  for (let i = 0; i < data.length; i++) {
    const x = Math.sin((i + 1) * 12.9898 + seed * 78.233) * 43758.5453;
    data[i] = x - Math.floor(x) - 0.5 + Math.sin(i / (7 + seed));
  }
  const gapMask = new Uint8Array(nSamples);
  gapMask.fill(1, 1000, 1100);
  return { data, nSamples, nChannels, samplingRate: 250, gapMask };
}

function copy(s: TimeSeriesSession): TimeSeriesSession {
  return { ...s, data: s.data.slice(), ...(s.gapMask ? { gapMask: s.gapMask.slice() } : {}) };
}

const tdePca = (nPca: number): PreparationPipeline =>
  parsePipeline({
    steps: [
      { name: 'tde_pca', params: { n_embeddings: 15, n_pca_components: nPca } },
      { name: 'standardize', params: {} },
    ],
  });

beforeAll(async () => {
  entry = await bundleNodeEntry('src-main/services/datasets/prepareWorker.ts');
}, 60_000);

afterAll(() => {
  if (entry) rmSync(entry, { force: true });
});

describe('the preparation worker', () => {
  it('is found through MODESCOPE_PREPARE_WORKER_ENTRY; from the sources there is none', () => {
    expect(prepareWorkerEntry({ MODESCOPE_PREPARE_WORKER_ENTRY: '/x/prepareWorker.mjs' })).toBe(
      '/x/prepareWorker.mjs',
    );
    expect(prepareWorkerEntry({})).toBeNull();
  });

  it('prepares exactly what runPipeline prepares in-process, with the loop free meanwhile', async () => {
    const inputs = [session(30_000, 16, 1), session(20_000, 16, 2)];
    const expected = await runPipeline(inputs.map(copy), tdePca(24));
    const progress: number[] = [];
    let last = performance.now();
    let maxGapMs = 0;
    const timer = setInterval(() => {
      const now = performance.now();
      maxGapMs = Math.max(maxGapMs, now - last);
      last = now;
    }, 2);
    const got = await runPipelineInWorker(entry, inputs.map(copy), tdePca(24), {
      onProgress: (p) => progress.push(p.fraction),
    }).finally(() => clearInterval(timer));
    expect(got.sessions).toHaveLength(2);
    got.sessions.forEach((s, i) => {
      const e = expected.sessions[i]!;
      expect([s.nSamples, s.nChannels]).toEqual([e.nSamples, e.nChannels]);
      expect(Array.from(s.data)).toEqual(Array.from(e.data));
      expect(Array.from(s.gapMask!)).toEqual(Array.from(e.gapMask!));
    });
    expect(got.info).toEqual(expected.info);
    expect(progress[progress.length - 1]).toBe(1);
    // In-process, the eigendecomposition of the 240 × 240 covariance alone takes about a second here.
    expect(maxGapMs).toBeLessThan(250);
  }, 120_000);

  it('revives a pipeline validation error with its issues', async () => {
    const error = await runPipelineInWorker(entry, [session(2000, 4, 3)], tdePca(200)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PipelineValidationError);
    const issues = (error as PipelineValidationError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toBe('steps.0.params.n_pca_components');
  }, 60_000);

  it('revives a preparation error with its message', async () => {
    // Every sample in a gap: nothing to embed.
    const s = session(2000, 4, 3);
    s.gapMask!.fill(1);
    const error = await runPipelineInWorker(entry, [s], tdePca(10)).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PreparationError);
    const expected = await runPipeline(
      [session(2000, 4, 3)].map((x) => ({ ...x, gapMask: new Uint8Array(2000).fill(1) })),
      tdePca(10),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe((expected as Error).message);
  }, 60_000);

  it('is terminated by an abort, and an aborted signal starts nothing', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = runPipelineInWorker(entry, [session(400_000, 16, 4)], tdePca(24), {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    await expect(pending).rejects.toBeInstanceOf(PreparationCancelledError);
    expect(performance.now() - started).toBeLessThan(3000);
    await expect(
      runPipelineInWorker(entry, [session(100, 2, 5)], tdePca(2), { signal: controller.signal }),
    ).rejects.toBeInstanceOf(PreparationCancelledError);
  }, 60_000);
});
