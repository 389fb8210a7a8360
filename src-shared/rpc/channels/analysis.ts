import { z } from 'zod';
import { sessionIdSchema } from '../../domain/dataset';
import { encodedArraySchema } from '../../domain/encodedArray';
import { sampleRangeSchema } from '../../domain/recording';
import { runIdSchema } from '../../domain/run';
import { jobIdSchema } from './jobs';

/**
 * Post-hoc analysis of a trained run (`analysis.*`), after osl-dynamics: α reweighted by the mode
 * covariances, binary state time courses from a two-component Gaussian mixture per mode, summary
 * statistics of those states per session, mode spectra by regression, and for simulated data the
 * match with the ground truth. Results are computed once and kept with the run.
 */

export const alphaVariants = ['raw', 'reweighted', 'binarised', 'ground_truth'] as const;
export const alphaVariantSchema = z.enum(alphaVariants);
export type AlphaVariant = z.infer<typeof alphaVariantSchema>;

const perMode = z.array(z.number());

export const analysisSessionSchema = z.strictObject({
  sessionId: sessionIdSchema,
  sessionName: z.string(),
  /** Rows of α (samples at the run's rate, gaps included). */
  nSamples: z.number().int().nonnegative(),
  /** Rows with a finite α (outside gaps). */
  nValidSamples: z.number().int().nonnegative(),
  fractionalOccupancy: perMode,
  meanLifetimeS: perMode,
  meanIntervalS: perMode,
  switchingRateHz: perMode,
  /** Per mode: the smallest α (reweighted when `binarisedFrom` says so) counted as on; null when never on. */
  thresholds: z.array(z.number().nullable()),
});
export type AnalysisSession = z.infer<typeof analysisSessionSchema>;

export const analysisSpectraSchema = z.strictObject({
  /** float64 [F], Hz. */
  frequencies: encodedArraySchema,
  channelNames: z.array(z.string()),
  /** float64 [S, K, C, F]: mode power spectra per session (osl-dynamics' layout). */
  psd: encodedArraySchema,
  /** float64 [S, K, C, C, F] when asked for (`coherence: true`) and computed (at most 16 channels). */
  coh: encodedArraySchema.nullable(),
  /** Which data was regressed, in words. */
  source: z.string(),
  windowLength: z.number().int().positive(),
  stepSize: z.number().int().positive(),
});
export type AnalysisSpectra = z.infer<typeof analysisSpectraSchema>;

export const runAnalysisSchema = z.strictObject({
  runId: runIdSchema,
  nModes: z.number().int().positive(),
  /** Hz of α. */
  samplingRate: z.number().positive(),
  /** The channels the model saw (covariance rows and columns). */
  channelNames: z.array(z.string()),
  /** float32/float64 [K, C, C] mode covariances; null for a model without them. */
  covariances: encodedArraySchema.nullable(),
  binarisation: z.strictObject({
    method: z.literal('gmm'),
    /** The mixture was fitted to the reweighted α when the model has covariances, else to raw α. */
    from: z.enum(['reweighted', 'raw']),
  }),
  sessions: z.array(analysisSessionSchema),
  spectra: analysisSpectraSchema.nullable(),
  /** Why there are no spectra when they were asked for; null otherwise. */
  spectraUnavailable: z.string().nullable(),
  /** The run's dataset is a simulation with a ground truth (`analysis.groundTruthMatch`). */
  groundTruth: z.boolean(),
});
export type RunAnalysisSummary = z.infer<typeof runAnalysisSchema>;

export const alphaWindowRequestSchema = z
  .strictObject({
    runId: runIdSchema,
    sessionId: sessionIdSchema,
    variant: alphaVariantSchema,
    startSample: z.number().int().nonnegative().optional(),
    endSample: z.number().int().positive().optional(),
    /** At most this many buckets (one per pixel); each carries the min, max and mean per mode. */
    maxPoints: z.number().int().min(1).max(100_000),
  })
  .refine((r) => r.startSample === undefined || r.endSample === undefined || r.endSample > r.startSample, {
    message: 'endSample must be greater than startSample',
    path: ['endSample'],
  });
export type AlphaWindowRequest = z.infer<typeof alphaWindowRequestSchema>;

export const alphaWindowSchema = z.strictObject({
  samplingRate: z.number().positive(),
  nSamples: z.number().int().nonnegative(),
  nModes: z.number().int().positive(),
  startSample: z.number().int().nonnegative(),
  endSample: z.number().int().nonnegative(),
  /** Samples per bucket; bucket p covers [startSample + p·step, startSample + (p+1)·step). */
  step: z.number().int().positive(),
  /** float32 [points × K]; NaN where a bucket holds only gap samples. */
  min: encodedArraySchema,
  max: encodedArraySchema,
  mean: encodedArraySchema,
  /** Gap sample ranges [start, end) clipped to the window. */
  gaps: z.array(sampleRangeSchema),
});
export type AlphaWindow = z.infer<typeof alphaWindowSchema>;

export const groundTruthMatchSchema = z.strictObject({
  runId: runIdSchema,
  nModes: z.number().int().positive(),
  /** The simulation's kind (HMM_MVN, …). */
  truthKind: z.string(),
  /** order[k]: the estimated mode paired with ground-truth mode k (maximum total α correlation). */
  order: z.array(z.number().int().nonnegative()),
  /** Per estimated mode j: the ground-truth mode paired with it (the inverse of order). */
  truthModeOf: z.array(z.number().int().nonnegative()),
  /** Per estimated mode j: the correlation of its α with its matched ground-truth α, over all sessions. */
  correlation: z.array(z.number().nullable()),
  meanCorrelation: z.number().nullable(),
  /** Per estimated mode j: Dice of the argmax states of the estimate and the matched truth. */
  dice: z.array(z.number()),
  /** Dice over all modes together: for one-hot states the fraction of samples whose states agree. */
  diceOverall: z.number(),
  /** Samples compared (finite α), over all sessions. */
  nSamples: z.number().int().nonnegative(),
});
export type GroundTruthMatch = z.infer<typeof groundTruthMatchSchema>;

export const analysisChannels = {
  /**
   * Runs (or reads back) the analysis of a run as a job (`job.progress`, cancel with
   * `jobs.cancel`). Without `spectra` only the state analysis is done.
   */
  'analysis.run': {
    request: z.strictObject({
      runId: runIdSchema,
      spectra: z.boolean().optional(),
      coherence: z.boolean().optional(),
      jobId: jobIdSchema.optional(),
    }),
    response: runAnalysisSchema,
  },
  /**
   * A decimated window of one session's α: raw, reweighted, binarised (GMM states), or the
   * matched ground truth with its modes reordered to the estimate's (simulations only).
   */
  'analysis.alphaWindow': {
    request: alphaWindowRequestSchema,
    response: alphaWindowSchema,
  },
  /** For a run on a simulated dataset: the mode pairing with the ground truth and its scores. */
  'analysis.groundTruthMatch': {
    request: z.strictObject({ runId: runIdSchema }),
    response: groundTruthMatchSchema,
  },
} as const;

export const analysisEvents = {} as const;
