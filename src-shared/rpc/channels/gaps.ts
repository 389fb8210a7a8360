import { z } from 'zod';
import { datasetIdSchema, preparationIdSchema, sessionIdSchema } from '../../domain/dataset';
import { encodedArraySchema } from '../../domain/encodedArray';
import { runIdSchema } from '../../domain/run';
import { jobIdSchema } from './jobs';

/**
 * Gap filling with a trained VRAE or VOSP. `gaps.impute` and `gaps.denoise` store per-session
 * results of the run (imputed signal, missing mask, posterior spread; denoised signal);
 * `gaps.evaluate` hides known values in held-out sessions and scores the model against simple
 * baselines; `gaps.results` and `gaps.window` feed the Gaps view. Long operations are jobs
 * (`job.progress`, cancel with `jobs.cancel`), and each writes its results in one transaction.
 */

/** Which sessions to work on: the run's own data unless another dataset (and preparation) is named. */
const sessionSelection = {
  runId: runIdSchema,
  datasetId: datasetIdSchema.optional(),
  /** With datasetId: a finished preparation of that dataset (raw sessions when left out). */
  preparationId: preparationIdSchema.optional(),
  sessionIds: z.array(sessionIdSchema).min(1, 'sessionIds must name at least one session').optional(),
  jobId: jobIdSchema.optional(),
};

/**
 * What fills the gaps: 'model' is the run's trained VRAE/VOSP; 'autoregressive' is a multichannel
 * autoregressive model of `autoregressiveOrder` lags fitted to each session's own observed values;
 * 'stacked' combines that model's fill with the per-channel GP's (one second of context), weighted
 * by each value's distance from the observed edge with curves calibrated on synthetic gaps in the
 * selected sessions' observed values. For the last two the run only names the default sessions
 * and holds the results.
 */
export const gapImputerSchema = z.enum(['model', 'autoregressive', 'stacked']);
export type GapImputerKind = z.infer<typeof gapImputerSchema>;
export const autoregressiveOrderSchema = z.number().int().min(1).max(64);

export const imputeRequestSchema = z.strictObject({
  ...sessionSelection,
  imputer: gapImputerSchema.default('model'),
  /**
   * Lags (samples) of the 'autoregressive' imputer and of the 'stacked' one's autoregressive part;
   * it needs 2·order·channels fully observed samples.
   */
  autoregressiveOrder: autoregressiveOrderSchema.default(8),
  /**
   * Rounds of the seed's procedure (posterior mode → emission mode → overwrite the missing values).
   * Ignored by the 'autoregressive' and 'stacked' imputers, which solve for the missing values exactly.
   */
  iterations: z.number().int().min(1).max(100).default(5),
  /** Posterior draws for the per-value uncertainty (0: none). */
  samples: z.number().int().min(0).max(500).default(10),
  seed: z.number().int().nonnegative().default(0),
});
export type ImputeRequest = z.input<typeof imputeRequestSchema>;

export const gapSessionOutcomeSchema = z.strictObject({
  sessionId: sessionIdSchema,
  nSamples: z.number().int().nonnegative(),
  nChannels: z.number().int().positive(),
  /** Values that were missing (and are now imputed). */
  missingValues: z.number().int().nonnegative(),
});

export const imputeResponseSchema = z.strictObject({
  runId: runIdSchema,
  sessions: z.array(gapSessionOutcomeSchema),
  /** Selected sessions without any missing value: nothing stored for them. */
  skippedSessionIds: z.array(sessionIdSchema),
});
export type ImputeResponse = z.infer<typeof imputeResponseSchema>;

export const denoiseRequestSchema = z.strictObject(sessionSelection);
export const denoiseResponseSchema = z.strictObject({
  runId: runIdSchema,
  /** 'online' (VOSP: every output uses the past only) or 'offline' (VRAE). */
  mode: z.enum(['online', 'offline']),
  sessions: z.array(gapSessionOutcomeSchema),
});

const evaluationFields = {
  runId: runIdSchema,
  datasetId: datasetIdSchema,
  preparationId: preparationIdSchema.optional(),
  /** Held-out sessions (not trained on), where known values are hidden and scored. */
  sessionIds: z.array(sessionIdSchema).min(1, 'sessionIds must name at least one held-out session'),
  /** [shortest, longest] all-channel gap in milliseconds; up to five lengths evenly between. */
  gapLengthsMs: z.tuple([z.number().positive(), z.number().positive()]),
  /** All-channel gaps hidden per session (spread over the lengths). */
  nGaps: z.number().int().min(1).max(10_000),
  /** Single-channel dropouts hidden per session, with the same lengths (0: none). */
  singleChannelDropouts: z.number().int().min(0).max(10_000).default(0),
  seed: z.number().int().nonnegative().default(0),
  iterations: z.number().int().min(1).max(100).default(5),
  /** Lags of the multichannel autoregressive imputer scored beside the model (fitted per session). */
  autoregressiveOrder: z.number().int().min(1).max(64).default(8),
};

const orderedLengths = {
  check: (r: { gapLengthsMs: [number, number] }) => r.gapLengthsMs[0] <= r.gapLengthsMs[1],
  message: { message: 'gapLengthsMs must be [shortest, longest]', path: ['gapLengthsMs'] },
};

export const gapEvaluationSettingsSchema = z
  .strictObject(evaluationFields)
  .refine(orderedLengths.check, orderedLengths.message);
export const gapEvaluateRequestSchema = z
  .strictObject({ ...evaluationFields, jobId: jobIdSchema.optional() })
  .refine(orderedLengths.check, orderedLengths.message);
export type GapEvaluateRequest = z.input<typeof gapEvaluateRequestSchema>;
export type GapEvaluationSettings = z.infer<typeof gapEvaluationSettingsSchema>;

const stackingCurveSchema = z.strictObject({
  intercept: z.number(),
  slope: z.number(),
  /** Calibration values behind the fit (0: none; the other kind's curve applies). */
  values: z.number().int().nonnegative(),
});
/** The stacked imputer's curves: the GP's weight σ(intercept + slope·d) at d samples from the observed edge. */
export const stackingCurvesSchema = z.strictObject({
  gap: stackingCurveSchema,
  dropout: stackingCurveSchema,
});

export const methodScoreSchema = z.strictObject({ rmse: z.number(), mae: z.number() });

export const gapEvaluationTableSchema = z.strictObject({
  methods: z.array(z.string()),
  rows: z.array(
    z.strictObject({
      kind: z.enum(['gap', 'channel_dropout']),
      /** null: every length of that kind pooled. */
      length_ms: z.number().nullable(),
      n_stretches: z.number().int().nonnegative(),
      n_values: z.number().int().nonnegative(),
      methods: z.record(z.string(), methodScoreSchema),
    }),
  ),
});
export type GapEvaluationTable = z.infer<typeof gapEvaluationTableSchema>;

export const gapEvaluationSchema = z.strictObject({
  /** The stored result's id. */
  id: z.number().int().positive(),
  createdAt: z.string(),
  settings: gapEvaluationSettingsSchema,
  /** The gap lengths actually hidden (ms) and how many of each per session. */
  lengthsMs: z.array(z.number()),
  perLength: z.strictObject({ gaps: z.number().int(), dropouts: z.number().int() }),
  table: gapEvaluationTableSchema,
  /** The 'stacked' column's calibrated curves (absent in evaluations stored before it existed). */
  stackingCurves: stackingCurvesSchema.optional(),
});
export type GapEvaluation = z.infer<typeof gapEvaluationSchema>;

export const gapStretchSchema = z.strictObject({
  start: z.number().int().nonnegative(),
  end: z.number().int().nonnegative(),
  /** null: every channel is missing. */
  channel: z.number().int().nonnegative().nullable(),
});
export type GapStretch = z.infer<typeof gapStretchSchema>;

export const gapSessionResultSchema = z.strictObject({
  sessionId: sessionIdSchema,
  datasetId: datasetIdSchema,
  label: z.string(),
  nSamples: z.number().int().nonnegative(),
  nChannels: z.number().int().positive(),
  samplingRate: z.number().positive(),
  channelNames: z.array(z.string()),
  hasUncertainty: z.boolean(),
  hasDenoised: z.boolean(),
  /** What filled the gaps (imputations stored by training are the model's). */
  imputer: gapImputerSchema.optional(),
  /** The order of the 'autoregressive' imputer (or of the 'stacked' one's autoregressive part). */
  autoregressiveOrder: autoregressiveOrderSchema.optional(),
  /** The 'stacked' imputer's calibrated curves. */
  stackingCurves: stackingCurvesSchema.optional(),
  missingValues: z.number().int().nonnegative(),
  /** Missing stretches (all-channel ones first merged across channels), at most 1000. */
  gaps: z.array(gapStretchSchema),
  gapsTruncated: z.boolean(),
});
export type GapSessionResult = z.infer<typeof gapSessionResultSchema>;

export const gapResultsSchema = z.strictObject({
  runId: runIdSchema,
  modelKind: z.string(),
  sessions: z.array(gapSessionResultSchema),
  evaluations: z.array(gapEvaluationSchema),
});
export type GapResults = z.infer<typeof gapResultsSchema>;

export const gapWindowRequestSchema = z
  .strictObject({
    runId: runIdSchema,
    sessionId: sessionIdSchema,
    startRow: z.number().int().nonnegative().optional(),
    endRow: z.number().int().nonnegative().optional(),
    /** Channels to return (default: all, at most 64). */
    channels: z.array(z.number().int().nonnegative()).min(1).max(64).optional(),
    /** Decimate to about this many points, keeping each bucket's min and max. */
    maxPoints: z.number().int().min(2).max(1_000_000).optional(),
    /** Band half-width in posterior standard deviations. */
    bandSd: z.number().positive().max(10).default(2),
    /** Also return the denoised signal (when the session has one). */
    denoised: z.boolean().default(false),
  })
  .refine((r) => r.startRow === undefined || r.endRow === undefined || r.endRow > r.startRow, {
    message: 'endRow must be greater than startRow',
    path: ['endRow'],
  });
export type GapWindowRequest = z.input<typeof gapWindowRequestSchema>;

/**
 * A window in the charts' envelope convention: bucket p covers rows
 * [startRow + p·step, startRow + (p+1)·step); every array is float32 [points, channels] and NaN
 * where the bucket holds no value of that series.
 */
export const gapWindowSchema = z.strictObject({
  startRow: z.number().int().nonnegative(),
  endRow: z.number().int().nonnegative(),
  step: z.number().int().positive(),
  channels: z.array(z.number().int().nonnegative()),
  /** Observed values (missing ones skipped): bucket min and max. */
  observedMin: encodedArraySchema,
  observedMax: encodedArraySchema,
  /** Imputed values (observed ones skipped): bucket min and max. */
  imputedMin: encodedArraySchema,
  imputedMax: encodedArraySchema,
  /** Lowest imputed − bandSd·std and highest imputed + bandSd·std per bucket; null without uncertainty. */
  lower: encodedArraySchema.nullable(),
  upper: encodedArraySchema.nullable(),
  /** The denoised signal's bucket min and max, when asked for and stored; else null. */
  denoisedMin: encodedArraySchema.nullable(),
  denoisedMax: encodedArraySchema.nullable(),
  /** Missing stretches overlapping the window, clipped to it (at most 2000). */
  gaps: z.array(gapStretchSchema),
});
export type GapWindow = z.infer<typeof gapWindowSchema>;

export const gapChannels = {
  'gaps.impute': { request: imputeRequestSchema, response: imputeResponseSchema },
  'gaps.denoise': { request: denoiseRequestSchema, response: denoiseResponseSchema },
  'gaps.evaluate': {
    request: gapEvaluateRequestSchema,
    response: gapEvaluationSchema,
  },
  'gaps.results': { request: z.strictObject({ runId: runIdSchema }), response: gapResultsSchema },
  'gaps.window': { request: gapWindowRequestSchema, response: gapWindowSchema },
} as const;

export const gapEvents = {} as const;
