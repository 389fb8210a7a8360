import { z } from 'zod';
import { rpcErrorCodeSchema } from '../rpc/errors';
import { encodedArraySchema } from './encodedArray';
import { preparationPipelineSchema } from './preparation';
import { annotationSchema, recordingReadOptionsSchema, sampleRangeSchema } from './recording';
import { simulationSpecSchema } from './simulation';

/**
 * Datasets as the renderer and the CLI see them: one or many recordings (sessions) with the same
 * channels and rate, their preparations, and simulated datasets with their ground truth.
 *
 * Stored samples: missing samples (reader gap segments, `BAD…` annotation spans, NaN/±Inf values)
 * are 1 in the session's gap mask. Non-finite values are stored as 0 (the mask says they are
 * missing); values under a `BAD…` annotation are kept as read, so the mask alone decides.
 */

export const datasetIdSchema = z.number().int().positive();
export const sessionIdSchema = z.number().int().positive();
export const preparationIdSchema = z.number().int().positive();
export const datasetNameSchema = z.string().trim().min(1, 'dataset name is empty').max(200);

export const datasetChannelSchema = z.strictObject({
  name: z.string(),
  type: z.string(),
  unit: z.string().optional(),
});
export type DatasetChannel = z.infer<typeof datasetChannelSchema>;

export const sessionSummarySchema = z.strictObject({
  id: sessionIdSchema,
  ordinal: z.number().int().nonnegative(),
  label: z.string().nullable(),
  sourcePath: z.string(),
  sourceSize: z.number().int().nonnegative().nullable(),
  sourceSha256: z.string().nullable(),
  nSamples: z.number().int().nonnegative(),
  durationSeconds: z.number().nonnegative(),
  /** Share of samples marked missing; null for sessions stored before this was counted. */
  gapFraction: z.number().min(0).max(1).nullable(),
  nAnnotations: z.number().int().nonnegative(),
});
export type SessionSummary = z.infer<typeof sessionSummarySchema>;

export const preparationStatusSchema = z.enum(['pending', 'running', 'done', 'failed', 'cancelled']);

export const preparationSummarySchema = z.strictObject({
  id: preparationIdSchema,
  datasetId: datasetIdSchema,
  name: z.string().nullable(),
  status: preparationStatusSchema,
  pipeline: z.unknown(),
  samplingRate: z.number().positive().nullable(),
  nChannels: z.number().int().positive().nullable(),
  channelNames: z.array(z.string()).nullable(),
  explainedVariance: z.number().nullable(),
  /** Ids of the sessions that have a prepared output (select can drop sessions). */
  sessionIds: z.array(sessionIdSchema),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type PreparationSummary = z.infer<typeof preparationSummarySchema>;

export const datasetSummarySchema = z.strictObject({
  id: datasetIdSchema,
  name: z.string(),
  /** The recording format of the sources ('edf', 'fif'…), 'mixed', or 'simulation'. */
  format: z.string(),
  simulated: z.boolean(),
  samplingRate: z.number().positive(),
  nChannels: z.number().int().positive(),
  channels: z.array(datasetChannelSchema),
  createdAt: z.string(),
  sessions: z.array(sessionSummarySchema),
  preparations: z.array(preparationSummarySchema),
});
export type DatasetSummary = z.infer<typeof datasetSummarySchema>;

const filePath = z.string().min(1, 'file path is empty').max(4096);

export const importOptionsSchema = recordingReadOptionsSchema;

export const inspectedFileSchema = z.discriminatedUnion('ok', [
  z.strictObject({
    ok: z.literal(true),
    path: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    format: z.string(),
    channels: z.array(datasetChannelSchema),
    samplingRate: z.number().positive(),
    nSamples: z.number().int().positive(),
    durationSeconds: z.number().positive(),
    nAnnotations: z.number().int().nonnegative(),
    /** Annotations whose description starts with BAD (any case): they become gaps on import. */
    nBadAnnotations: z.number().int().nonnegative(),
    gapSegments: z.array(sampleRangeSchema),
    warnings: z.array(z.string()),
  }),
  z.strictObject({
    ok: z.literal(false),
    path: z.string(),
    error: z.strictObject({ code: rpcErrorCodeSchema, message: z.string() }),
  }),
]);
export type InspectedFile = z.infer<typeof inspectedFileSchema>;

export const inspectFilesRequestSchema = z.strictObject({
  paths: z.array(filePath).min(1, 'name at least one file').max(1000),
  options: importOptionsSchema.optional(),
});

export const channelPolicySchema = z.enum(['identical', 'common']);

export const importRequestSchema = z.strictObject({
  jobId: z.string().optional(),
  name: datasetNameSchema,
  files: z
    .array(z.strictObject({ path: filePath, label: z.string().max(200).optional() }))
    .min(1, 'name at least one file')
    .max(1000),
  options: importOptionsSchema.optional(),
  /** Channels to keep, in this order; every file must hold them. */
  channels: z.array(z.string().min(1)).min(1).max(4096).optional(),
  channelPolicy: channelPolicySchema.optional(),
});
export type ImportRequest = z.infer<typeof importRequestSchema>;

export const prepareRequestSchema = z.strictObject({
  jobId: z.string().optional(),
  datasetId: datasetIdSchema,
  pipeline: preparationPipelineSchema,
  name: z.string().trim().min(1).max(200).optional(),
});

export const simulateRequestSchema = z.strictObject({
  jobId: z.string().optional(),
  name: datasetNameSchema,
  spec: simulationSpecSchema,
});

export const maxPreviewChannels = 256;
export const maxPreviewPoints = 8192;

export const previewRequestSchema = z
  .strictObject({
    datasetId: datasetIdSchema,
    sessionId: sessionIdSchema,
    preparationId: preparationIdSchema.optional(),
    startSample: z.number().int().nonnegative(),
    endSample: z.number().int().positive(),
    /** Channel indices to show; the first 256 channels when omitted. */
    channels: z.array(z.number().int().nonnegative()).min(1).max(maxPreviewChannels).optional(),
    maxPoints: z.number().int().min(1).max(maxPreviewPoints),
  })
  .refine((r) => r.endSample > r.startSample, {
    error: 'endSample must be greater than startSample',
    path: ['endSample'],
  });
export type PreviewRequest = z.infer<typeof previewRequestSchema>;

export const previewSchema = z.strictObject({
  samplingRate: z.number().positive(),
  startSample: z.number().int().nonnegative(),
  endSample: z.number().int().positive(),
  /** Samples in the whole (raw or prepared) session, so a view can size its scroll bar. */
  nSamples: z.number().int().positive(),
  channelNames: z.array(z.string()),
  /** Samples per point; point p covers [startSample + p·step, startSample + (p+1)·step). */
  step: z.number().int().positive(),
  decimated: z.boolean(),
  /** float32 [points × channels]; NaN where a bucket holds only missing samples. */
  min: encodedArraySchema,
  max: encodedArraySchema,
  /** Missing sample ranges [start, end) clipped to the window, in session samples. */
  gaps: z.array(sampleRangeSchema),
  /** Annotations overlapping the window; onsets in seconds from the session's first sample. */
  annotations: z.array(annotationSchema),
});
export type Preview = z.infer<typeof previewSchema>;

export const groundTruthSchema = z.strictObject({
  datasetId: datasetIdSchema,
  sessionId: sessionIdSchema,
  kind: z.string(),
  spec: z.unknown(),
  nModes: z.number().int().positive(),
  nChannels: z.number().int().positive(),
  /** float32 [nSamples × nModes]. */
  alpha: encodedArraySchema,
  /** int32 [nSamples] (HMM/HSMM). */
  states: encodedArraySchema.nullable(),
  /** float64 [nModes × nChannels]. */
  means: encodedArraySchema,
  /** float64 [nModes × nChannels × nChannels]. */
  covariances: encodedArraySchema,
  /** float64 [nModes × nModes]. */
  transProb: encodedArraySchema.nullable(),
  /** float32 [nSamples × nModes] (MixedSine). */
  logits: encodedArraySchema.nullable(),
  lifetimes: z.array(z.number()).nullable(),
  phases: z.array(z.number()).nullable(),
});
export type GroundTruth = z.infer<typeof groundTruthSchema>;

export const datasetChangeSchema = z.strictObject({
  datasetId: datasetIdSchema,
  change: z.enum(['created', 'deleted', 'prepared']),
});
export type DatasetChange = z.infer<typeof datasetChangeSchema>;
