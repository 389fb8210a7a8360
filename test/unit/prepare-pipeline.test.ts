import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src-main/data/prepare/pipeline';
import { PreparationCancelledError, PreparationError } from '../../src-main/data/prepare/errors';
import {
  parsePipeline,
  PipelineValidationError,
  pipelineFromJson,
  pipelineToJson,
} from '../../src-shared/domain/preparation';
import { channel, gapMaskWith, sessionFrom } from './prepare-helpers';

const fs = 250;
const twoSessions = () => [
  sessionFrom(1000, fs, [(t) => Math.sin(t / 5), (t) => Math.cos(t / 9), (t) => Math.sin(t / 3) * 2]),
  sessionFrom(
    800,
    fs,
    [(t) => Math.sin(t / 4), (t) => Math.cos(t / 7), (t) => Math.sin(t / 2)],
    gapMaskWith(800, [[400, 420]]),
  ),
];

describe('pipeline schema', () => {
  it('fills defaults and round-trips through JSON', () => {
    const p = parsePipeline({
      steps: [{ name: 'filter', params: { low_freq: 1, high_freq: 45 } }, { name: 'standardize' }],
    });
    expect(p.steps[0]).toEqual({
      name: 'filter',
      params: { low_freq: 1, high_freq: 45, order: 5, use_raw: false },
    });
    expect(pipelineFromJson(pipelineToJson(p))).toEqual(p);
  });

  it('imports an osl-dynamics methods dictionary, including numbered repeats', () => {
    const p = pipelineFromJson(
      '{"filter": {"low_freq": 1, "high_freq": 45}, "amplitude_envelope": {}, "moving_average": {"n_window": 5}, "standardize_1": {}}',
    );
    expect(p.steps.map((s) => s.name)).toEqual([
      'filter',
      'amplitude_envelope',
      'moving_average',
      'standardize',
    ]);
  });

  it.each([
    [{ steps: [{ name: 'ica', params: {} }] }, /unknown preparation step "ica"/],
    [{ steps: [{ name: 'tde', params: { n_embeddings: 14 } }] }, /n_embeddings must be odd, got 14/],
    [{ steps: [{ name: 'moving_average', params: { n_window: 0 } }] }, /n_window must be positive/],
    [{ steps: [{ name: 'filter', params: {} }] }, /needs low_freq, high_freq or both/],
    [{ steps: [{ name: 'filter', params: { low_freq: 30, high_freq: 10 } }] }, /must be below high_freq/],
    [{ steps: [{ name: 'pca', params: { n_pca_components: 3, pca_components: [[1]] } }] }, /exactly one of/],
    [{ steps: [{ name: 'tde', params: { n_embeddings: 3, lags: 2 } }] }, /lags/],
  ])('rejects %j with a specific message', (input, message) => {
    expect(() => parsePipeline(input)).toThrow(PipelineValidationError);
    expect(() => parsePipeline(input)).toThrow(message);
  });

  it('rejects text that is not JSON', () => {
    expect(() => pipelineFromJson('{steps:')).toThrow(/not valid JSON/);
  });
});

describe('runPipeline', () => {
  it('checks parameters against the data before running', async () => {
    await expect(
      runPipeline(twoSessions(), { steps: [{ name: 'filter', params: { high_freq: 125 } }] }),
    ).rejects.toThrow(/high_freq \(125 Hz\) must be below the Nyquist frequency \(125 Hz\)/);
    await expect(
      runPipeline(twoSessions(), {
        steps: [{ name: 'tde_pca', params: { n_embeddings: 3, n_pca_components: 10 } }],
      }),
    ).rejects.toThrow(/n_pca_components \(10\) exceeds the 9 channels × embeddings \(3 × 3\)/);
    await expect(
      runPipeline(twoSessions(), {
        steps: [
          { name: 'downsample', params: { freq: 100 } },
          { name: 'filter', params: { high_freq: 60 } },
        ],
      }),
    ).rejects.toThrow(/Nyquist frequency \(50 Hz\)/);
    await expect(runPipeline([], { steps: [] })).rejects.toThrow(PreparationError);
    const mismatched = [twoSessions()[0]!, sessionFrom(10, fs, [() => 1])];
    await expect(runPipeline(mismatched, { steps: [] })).rejects.toThrow(
      /session 1 has 1 channels but session 0 has 3/,
    );
  });

  it('runs an amplitude-envelope pipeline, tracking masks, rate and start times', async () => {
    const { sessions, info } = await runPipeline(
      twoSessions(),
      {
        steps: [
          { name: 'filter', params: { low_freq: 1, high_freq: 45 } },
          { name: 'amplitude_envelope' },
          { name: 'moving_average', params: { n_window: 5 } },
          { name: 'downsample', params: { freq: 125 } },
          { name: 'select', params: { channels: ['c', 0] } },
          { name: 'standardize' },
        ],
      },
      { channelNames: ['a', 'b', 'c'] },
    );
    expect(info.channelNames).toEqual(['c', 'a']);
    expect(info.samplingRate).toBe(125);
    expect(info.sessionStartTimes).toEqual([2 / fs, 2 / fs]);
    expect(sessions.map((s) => [s.nSamples, s.nChannels])).toEqual([
      [498, 2],
      [398, 2],
    ]);
    expect(sessions[0]!.gapMask).toBeUndefined();
    expect(sessions[1]!.gapMask!.reduce((p, q) => p + q, 0)).toBeGreaterThan(8);
    expect(channel(sessions[1]!, 0).every(Number.isFinite)).toBe(true);
  });

  it('applies use_raw to the original data', async () => {
    const { sessions } = await runPipeline(twoSessions(), {
      steps: [
        { name: 'tde', params: { n_embeddings: 3 } },
        { name: 'select', params: { channels: [1], use_raw: true } },
      ],
    });
    expect(sessions[0]!.nChannels).toBe(1);
    expect(sessions[0]!.nSamples).toBe(1000);
    expect(sessions[0]!.data[10]).toBeCloseTo(Math.cos(10 / 9), 6);
  });

  it('reports monotone progress that ends at 1 and exports the components', async () => {
    const fractions: number[] = [];
    const { info } = await runPipeline(
      twoSessions(),
      {
        steps: [
          { name: 'tde_pca', params: { n_embeddings: 3, n_pca_components: 4 } },
          { name: 'standardize' },
        ],
      },
      { onProgress: (p) => fractions.push(p.fraction) },
    );
    expect(fractions.at(-1)).toBe(1);
    fractions.forEach((f, i) => i > 0 && expect(f).toBeGreaterThanOrEqual(fractions[i - 1]!));
    expect(info.pcaComponents).toHaveLength(9);
    expect(info.pcaComponents![0]).toHaveLength(4);
    expect(info.nEmbeddings).toBe(3);
    // The exported components re-apply to give the same output.
    const again = await runPipeline(twoSessions(), {
      steps: [{ name: 'tde_pca', params: { n_embeddings: 3, pca_components: info.pcaComponents! } }],
    });
    const first = await runPipeline(twoSessions(), {
      steps: [{ name: 'tde_pca', params: { n_embeddings: 3, n_pca_components: 4 } }],
    });
    expect(Array.from(again.sessions[1]!.data)).toEqual(Array.from(first.sessions[1]!.data));
  });

  it('can be cancelled through an AbortSignal', async () => {
    const controller = new AbortController();
    const run = runPipeline(
      twoSessions(),
      {
        steps: [
          { name: 'standardize' },
          { name: 'filter', params: { high_freq: 40 } },
          { name: 'standardize' },
        ],
      },
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.stepIndex === 1) controller.abort();
        },
      },
    );
    await expect(run).rejects.toThrow(PreparationCancelledError);
  });
});

describe('gaps are never crossed', () => {
  const n = 1200;
  const mask = gapMaskWith(n, [[600, 640]]);
  const base = (t: number) => Math.sin(t / 6) + 0.3 * Math.cos(t / 17);
  const clean = sessionFrom(n, fs, [base], mask);
  const spiked = sessionFrom(n, fs, [(t) => (t === 599 ? base(t) + 500 : base(t))], mask);

  it.each([
    ['filter', { name: 'filter', params: { low_freq: 2, high_freq: 40 } }],
    ['amplitude_envelope', { name: 'amplitude_envelope' }],
    ['moving_average', { name: 'moving_average', params: { n_window: 9 } }],
    ['tde', { name: 'tde', params: { n_embeddings: 7 } }],
    ['downsample', { name: 'downsample', params: { freq: 100 } }],
  ] as const)('%s: a spike just before a gap changes nothing after it', async (_name, step) => {
    const a = (await runPipeline([clean], { steps: [step] })).sessions[0]!;
    const b = (await runPipeline([spiked], { steps: [step] })).sessions[0]!;
    const firstAfter = a.gapMask!.lastIndexOf(1) + 1;
    expect(firstAfter).toBeGreaterThan(0);
    const after = (s: typeof a) => Array.from(s.data.subarray(firstAfter * s.nChannels));
    expect(after(b)).toEqual(after(a));
    // …and the spike did reach the outputs before the gap.
    const before = (s: typeof a) => Array.from(s.data.subarray(0, firstAfter * s.nChannels));
    expect(before(b)).not.toEqual(before(a));
  });

  it('refuses non-finite values in valid samples but ignores them inside gaps', async () => {
    const bad = sessionFrom(100, fs, [(t) => (t === 50 ? Number.NaN : 1)]);
    await expect(runPipeline([bad], { steps: [{ name: 'standardize' }] })).rejects.toThrow(
      /non-finite value at sample 50, channel 0/,
    );
    const masked = sessionFrom(100, fs, [(t) => (t === 50 ? Number.NaN : t)], gapMaskWith(100, [[50, 51]]));
    const { sessions } = await runPipeline([masked], { steps: [{ name: 'standardize' }] });
    expect(Array.from(sessions[0]!.data).every(Number.isFinite)).toBe(true);
  });
});
