/**
 * Loads EEG recordings as imputation sessions the way users prepare EEG: optional zero-phase
 * band-pass with the pipeline's `filter` step, then per-channel standardisation (also a pipeline
 * step). Reader gaps are carried as all-channel missing entries.
 */
import { runPipeline } from '../data/prepare/pipeline';
import { readRecording } from '../data/readers/readRecording';
import type { PreparationStepInput } from '../../src-shared/domain/preparation';
import { entriesFromGapMask, type MaskedSession } from './missingEntries';

export interface EegPreparation {
  /** [low, high] Hz for the band-pass; null keeps the raw signal. */
  bandPass: [number, number] | null;
}

export interface LoadedEeg {
  sessions: MaskedSession[];
  samplingRate: number;
  channelNames: string[];
}

export async function loadEegSessions(paths: readonly string[], prep: EegPreparation): Promise<LoadedEeg> {
  const recordings = await Promise.all(paths.map((p) => readRecording(p)));
  const first = recordings[0]!.header;
  const input = recordings.map((r) => ({
    data: r.data,
    nSamples: r.header.nSamples,
    nChannels: r.header.channels.length,
    samplingRate: r.header.samplingRate,
    gapMask: r.gapMask,
  }));
  const steps: PreparationStepInput[] = [];
  if (prep.bandPass)
    steps.push({ name: 'filter', params: { low_freq: prep.bandPass[0], high_freq: prep.bandPass[1] } });
  steps.push({ name: 'standardize', params: {} });
  const prepared = await runPipeline(input, { steps });
  return {
    sessions: prepared.sessions.map((s) => {
      const anyGap = s.gapMask?.some((v) => v !== 0) ?? false;
      return {
        data: s.data,
        nSamples: s.nSamples,
        nChannels: s.nChannels,
        ...(anyGap ? { missing: entriesFromGapMask(s.gapMask!, s.nChannels) } : {}),
      };
    }),
    samplingRate: first.samplingRate,
    channelNames: first.channels.map((c) => c.name),
  };
}
