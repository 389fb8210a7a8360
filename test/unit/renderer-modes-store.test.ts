import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import type { PartialHandlers } from '../../src-main/rpc/handlerRegistry';
import type { RunSummary } from '../../src-shared/domain/run';
import { encodeArray } from '../../src-shared/domain/encodedArray';
import type { RunAnalysisSummary } from '../../src-shared/rpc/channels/analysis';
import { createApi, type RpcTransport } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { setApi } from '../../src-renderer/api/currentApi';
import { useJobsStore } from '../../src-renderer/stores/jobs';
import { useModesStore } from '../../src-renderer/stores/modes';
import { dispatcherForFake } from '../helpers/fakeServicesDispatcher';

function run(id: number, status: RunSummary['status'], modelKind = 'dynemo'): RunSummary {
  return {
    id,
    name: `r${id}`,
    datasetId: 1,
    preparationId: null,
    modelKind,
    seed: 0,
    status,
    createdAt: '2026-11-23T09:00:00.000Z',
    startedAt: null,
    finishedAt: null,
    epochs: 3,
    freeEnergy: 1.5,
    resumable: false,
    error: null,
  };
}

function analysis(runId: number, groundTruth: boolean): RunAnalysisSummary {
  const session = (sessionId: number) => ({
    sessionId,
    sessionName: `session ${sessionId}`,
    nSamples: 100,
    nValidSamples: 100,
    fractionalOccupancy: [0.5, 0.5],
    meanLifetimeS: [0.1, 0.2],
    meanIntervalS: [0.1, 0.2],
    switchingRateHz: [3, 4],
    thresholds: [0.4, 0.6],
  });
  return {
    runId,
    nModes: 2,
    samplingRate: 100,
    channelNames: ['a', 'b'],
    covariances: encodeArray(new Float64Array([1, -4, -4, 2, 3, 0, 0, 1]), [2, 2, 2]),
    binarisation: { method: 'gmm', from: 'reweighted' },
    sessions: [session(11), session(12)],
    spectra: {
      frequencies: encodeArray(new Float64Array([1, 2]), [2]),
      channelNames: ['a', 'b'],
      psd: encodeArray(new Float64Array(16).fill(2), [2, 2, 2, 2]),
      coh: null,
      source: 'the data',
      windowLength: 50,
      stepSize: 5,
    },
    spectraUnavailable: null,
    groundTruth,
  };
}

class FakeAnalysisServices {
  readonly calls: Array<{ channel: string; payload: unknown }> = [];
  /** Requests of this channel wait until released. */
  gated: { channel: string; release: () => void; promise: Promise<void> } | null = null;
  cancelled: string[] = [];
  onCancel: () => void = () => undefined;
  readonly handlers: PartialHandlers = {
    'runs.list': () => [
      run(1, 'completed'),
      run(2, 'running'),
      run(3, 'completed'),
      run(4, 'completed', 'vrae'),
    ],
    'analysis.run': ({ runId, jobId }) => {
      if (this.cancelled.includes(jobId ?? '')) throw new RpcError('CANCELLED', 'analyse cancelled');
      if (runId === 3) throw new RpcError('INVALID_INPUT', 'cannot analyse this run: nothing to split');
      return analysis(runId, runId === 1);
    },
    'analysis.groundTruthMatch': ({ runId }) => ({
      runId,
      nModes: 2,
      truthKind: 'HMM_MVN',
      order: [1, 0],
      truthModeOf: [1, 0],
      correlation: [0.9, 0.8],
      meanCorrelation: 0.85,
      dice: [0.9, 0.9],
      diceOverall: 0.9,
      nSamples: 200,
    }),
    'analysis.alphaWindow': ({ startSample, endSample, maxPoints }) => {
      const s = startSample ?? 0;
      const e = endSample ?? 100;
      const step = Math.max(1, Math.ceil((e - s) / maxPoints));
      const points = Math.ceil((e - s) / step);
      const values = new Float32Array(points * 2).fill(0.5);
      return {
        samplingRate: 100,
        nSamples: 100,
        nModes: 2,
        startSample: s,
        endSample: e,
        step,
        min: encodeArray(values, [points, 2]),
        max: encodeArray(values, [points, 2]),
        mean: encodeArray(values, [points, 2]),
        gaps: [],
      };
    },
    'jobs.cancel': ({ jobId }) => {
      this.cancelled.push(jobId);
      this.onCancel();
      return { cancelled: true };
    },
  };
  private readonly dispatch = dispatcherForFake(this.handlers);
  readonly transport: RpcTransport = {
    invoke: async (channel, payload) => {
      this.calls.push({ channel, payload });
      if (this.gated && this.gated.channel === channel) await this.gated.promise;
      const outcome = await this.dispatch(channel, payload);
      if (!outcome.ok) throw RpcError.fromData(outcome.error);
      return outcome.result;
    },
    subscribe: () => () => undefined,
  };

  gate(channel: string): void {
    let release = () => undefined as void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gated = { channel, release, promise };
  }
}

let services: FakeAnalysisServices;

beforeEach(() => {
  services = new FakeAnalysisServices();
  setApi(createApi(services.transport));
  setActivePinia(createPinia());
});

describe('modes store', () => {
  it('lists only completed runs of models with modes (no VRAE/VOSP)', async () => {
    const store = useModesStore();
    await store.refreshRuns();
    expect(store.runs.map((r) => r.id)).toEqual([1, 3]);
    expect(store.runsLoaded).toBe(true);
  });

  it('analyses a run as a tracked job with spectra, decodes it and matches the ground truth', async () => {
    const store = useModesStore();
    await store.selectRun(1);
    const request = services.calls.find((c) => c.channel === 'analysis.run')!.payload as {
      runId: number;
      spectra: boolean;
      jobId: string;
    };
    expect(request).toMatchObject({ runId: 1, spectra: true });
    expect(store.analysisJobId).toBe(request.jobId);
    expect(useJobsStore().get(request.jobId)?.status).toBe('succeeded');
    expect(store.sessionId).toBe(11);
    const a = store.analysis!;
    expect(a.covarianceLimit).toBe(4);
    expect(a.covariances!.map((m) => Array.from(m))).toEqual([
      [1, -4, -4, 2],
      [3, 0, 0, 1],
    ]);
    expect(a.psdShape).toEqual([2, 2, 2, 2]);
    expect(Array.from(a.frequencies!)).toEqual([1, 2]);
    expect(store.groundTruth?.truthModeOf).toEqual([1, 0]);
  });

  it('fetches α windows for the chosen variant, run and session, with maxPoints as an integer', async () => {
    const store = useModesStore();
    expect(store.alphaFetch('raw')).toBeNull();
    await store.selectRun(1);
    store.selectSession(12);
    store.selectSession(99);
    expect(store.sessionId).toBe(12);
    const fetch = store.alphaFetch('binarised')!;
    const window = await fetch(10, 60, 20.6);
    const sent = services.calls.filter((c) => c.channel === 'analysis.alphaWindow').pop()!.payload;
    expect(sent).toEqual({
      runId: 1,
      sessionId: 12,
      variant: 'binarised',
      startSample: 10,
      endSample: 60,
      maxPoints: 21,
    });
    expect(window.nChannels).toBe(2);
    expect(window.step).toBe(3);
    expect(window.mean![0]).toBe(0.5);
  });

  it('shows an analysis error and has no ground truth for a run that is not a simulation', async () => {
    const store = useModesStore();
    await store.selectRun(3);
    expect(store.analysis).toBeNull();
    expect(store.errors.analyse?.code).toBe('INVALID_INPUT');
    expect(store.errors.analyse?.message).toMatch(/nothing to split/);
    expect(services.calls.some((c) => c.channel === 'analysis.groundTruthMatch')).toBe(false);
  });

  it('cancels the running analysis when another run is chosen, and keeps only the newest', async () => {
    const store = useModesStore();
    services.gate('analysis.run');
    const first = store.selectRun(1);
    await new Promise((r) => setTimeout(r, 0));
    const firstJob = store.analysisJobId!;
    expect(useJobsStore().get(firstJob)?.status).toBe('running');
    const gate = services.gated!;
    services.gated = null;
    services.onCancel = gate.release;
    const second = store.selectRun(3);
    await Promise.all([first, second]);
    expect(services.cancelled).toEqual([firstJob]);
    expect(useJobsStore().get(firstJob)?.status).toBe('cancelled');
    expect(store.runId).toBe(3);
    // The first run's late answer neither shows nor reports an error.
    expect(store.analysis).toBeNull();
    expect(store.errors.analyse?.message).toMatch(/nothing to split/);
  });
});
