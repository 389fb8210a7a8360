import { encodeArray } from '../../../src-shared/domain/encodedArray';
import type { AlphaVariant, RunAnalysisSummary } from '../../../src-shared/rpc/channels/analysis';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { PartialHandlers } from '../../rpc/handlerRegistry';
import type { ProjectStore } from '../../store/projectStore';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';
import { alphaWindow, storedAlphaArrayId } from './alphaWindow';
import { hasGroundTruth, matchGroundTruth } from './groundTruthMatch';
import { loadRunContext, type RunContext } from './runContext';
import { analyseRunDetailed, type DetailedRunAnalysis } from './runAnalysis';

export interface AnalysisServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** Progress in thousandths: the analysis reports fractions. */
const UNITS = 1000;

function summaryOf(
  store: ProjectStore,
  detailed: DetailedRunAnalysis,
  withCoherence: boolean,
): RunAnalysisSummary {
  const { analysis, notes, context } = detailed;
  const K = context.nModes;
  const C = context.nChannels;
  const spectra = analysis.spectra;
  return {
    runId: analysis.runId,
    nModes: analysis.nModes,
    samplingRate: notes.samplingRate,
    channelNames: context.channelNames,
    covariances: context.covariances ? encodeArray(context.covariances, [K, C, C]) : null,
    binarisation: { method: notes.binarisation, from: notes.binarisedFrom },
    sessions: analysis.sessions.map((s, i) => ({
      ...s,
      nSamples: context.sessions[i]!.nSamples,
      nValidSamples: notes.nValidSamples[i]!,
      thresholds: notes.thresholds[i]!,
    })),
    spectra: spectra
      ? {
          frequencies: encodeArray(spectra.frequencies, [spectra.frequencies.length]),
          channelNames: spectra.channelNames,
          psd: encodeArray(spectra.psd.data, spectra.psd.shape),
          coh: withCoherence && spectra.coh ? encodeArray(spectra.coh.data, spectra.coh.shape) : null,
          source: notes.spectraSource ?? '',
          windowLength: notes.spectraSettings?.windowLength ?? 1,
          stepSize: notes.spectraSettings?.stepSize ?? 1,
        }
      : null,
    spectraUnavailable: notes.spectraUnavailable,
    groundTruth: hasGroundTruth(store, context.run.datasetId),
  };
}

function sessionOf(context: RunContext, sessionId: number) {
  const session = context.sessions.find((s) => s.sessionId === sessionId);
  if (!session) {
    throw new RpcError(
      'NOT_FOUND',
      `run ${context.run.id} has no α for session ${sessionId} (its sessions: ${context.sessions.map((s) => s.sessionId).join(', ')})`,
      { field: 'sessionId', runId: context.run.id, sessionId },
    );
  }
  return session;
}

/** The stored array of a variant, computing (and storing) the analysis or the match first when missing. */
async function variantArrayId(
  store: ProjectStore,
  context: RunContext,
  sessionId: number,
  variant: AlphaVariant,
): Promise<number> {
  const runId = context.run.id;
  if (variant === 'raw') return sessionOf(context, sessionId).alphaArrayId;
  if (variant === 'reweighted' && context.covariances === null) {
    throw new RpcError(
      'INVALID_INPUT',
      `run ${runId} (${context.run.modelKind}) has no mode covariances to reweight α by`,
      {
        field: 'variant',
      },
    );
  }
  let id = storedAlphaArrayId(store, runId, sessionId, variant);
  if (id === null) {
    if (variant === 'ground_truth') matchGroundTruth(store, runId);
    else await analyseRunDetailed(store, runId);
    id = storedAlphaArrayId(store, runId, sessionId, variant);
  }
  if (id === null) {
    throw new RpcError(
      'NOT_WRITABLE',
      `the ${variant} α of run ${runId} is not stored and this project is open read-only, so it cannot be kept`,
      { field: 'variant' },
    );
  }
  return id;
}

/** Handlers for the `analysis.*` channels. */
export function analysisHandlers(deps: AnalysisServiceDeps): PartialHandlers {
  const { projects, jobs } = deps;
  return {
    'analysis.run': ({ runId, spectra, coherence, jobId }) => {
      const store = projects.require();
      // Unknown runs and runs without α fail here, before a job is announced.
      loadRunContext(store, runId);
      return jobs.run('analyse', jobId, async (job) => {
        const stage = spectra ? `analysing run ${runId} (states and spectra)` : `analysing run ${runId}`;
        job.progress(stage, 0, UNITS);
        const detailed = await analyseRunDetailed(store, runId, {
          spectra: spectra ?? false,
          signal: job.signal,
          onProgress: (f) => job.progress(stage, Math.round(f * UNITS), UNITS),
        });
        return summaryOf(store, detailed, coherence ?? false);
      });
    },

    'analysis.alphaWindow': async ({ runId, sessionId, variant, startSample, endSample, maxPoints }) => {
      const store = projects.require();
      const context = loadRunContext(store, runId);
      sessionOf(context, sessionId);
      const arrayId = await variantArrayId(store, context, sessionId, variant);
      return alphaWindow(store, arrayId, context.samplingRate, { startSample, endSample, maxPoints });
    },

    'analysis.groundTruthMatch': ({ runId }) => matchGroundTruth(projects.require(), runId),
  };
}
