import { z } from 'zod';
import { datasetIdSchema, preparationIdSchema, sessionIdSchema } from './dataset';

/**
 * Training runs as the renderer and the CLI see them: what was trained on what, how it went, and
 * what it produced. Model configs stay `unknown` here; each model's own schema (src-shared/models)
 * validates them on the services side, so this file does not grow with every model.
 */
export const runIdSchema = z.number().int().positive();

/** Models the training process can build. VRAE and VOSP are the gap-aware models (imputation, denoising). */
export const trainableModelKinds = ['dynemo', 'vrae', 'vosp'] as const;
/** The kinds whose runs can impute gaps and denoise. */
export const gapModelKinds = ['vrae', 'vosp'] as const;
export type GapModelKind = (typeof gapModelKinds)[number];
/** The kinds whose runs infer mode time courses (α), which the Modes view and mode analysis need. */
export const modeModelKinds = ['dynemo'] as const;
export type ModeModelKind = (typeof modeModelKinds)[number];
export const modelKindSchema = z.enum(trainableModelKinds, {
  error: `model kind must be one of: ${trainableModelKinds.join(', ')}`,
});
export type ModelKind = z.infer<typeof modelKindSchema>;

export const runStatusSchema = z.enum([
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
]);
export type RunStatusName = z.infer<typeof runStatusSchema>;

export const engineInfoSchema = z.strictObject({
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  kernelPath: z.enum(['native', 'typescript']),
  simd: z.boolean(),
  threads: z.number().int().nonnegative(),
  nativeUnavailableReason: z.string().optional(),
});
export type EngineInfoData = z.infer<typeof engineInfoSchema>;

export const logLevelSchema = z.enum(['info', 'warn', 'error']);
export type LogLevel = z.infer<typeof logLevelSchema>;

export const runLogLineSchema = z.strictObject({
  at: z.string(),
  level: logLevelSchema,
  message: z.string(),
});
export type RunLogLine = z.infer<typeof runLogLineSchema>;

/** One epoch as every model reports it; `index` counts every epoch of the run (initialisations included). */
export const epochRecordSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  /** For people: "init 2 epoch 1", "epoch 3". */
  label: z.string(),
  phase: z.string(),
  loss: z.number(),
  nll: z.number().nullable(),
  kl: z.number().nullable(),
  klFactor: z.number().nullable(),
  lr: z.number().nullable(),
  durationMs: z.number().nonnegative().nullable(),
});
export type EpochRecordData = z.infer<typeof epochRecordSchema>;

export const batchMetricsSchema = z.strictObject({
  runId: runIdSchema,
  epoch: z.number().int().nonnegative(),
  batch: z.number().int().nonnegative(),
  nBatches: z.number().int().nonnegative(),
  loss: z.number(),
  nll: z.number().nullable(),
  kl: z.number().nullable(),
  klFactor: z.number().nullable(),
  lr: z.number().nullable(),
});
export type BatchMetrics = z.infer<typeof batchMetricsSchema>;

export const runTimingsSchema = z.strictObject({
  /** Milliseconds from spawning the process to the engine being ready, per attempt (resumes add one). */
  initMs: z.number().nonnegative().nullable(),
  trainMs: z.number().nonnegative().nullable(),
  epochs: z.number().int().nonnegative(),
  engine: engineInfoSchema.nullable(),
});
export type RunTimings = z.infer<typeof runTimingsSchema>;

export const runSummarySchema = z.strictObject({
  id: runIdSchema,
  name: z.string().nullable(),
  datasetId: datasetIdSchema,
  preparationId: preparationIdSchema.nullable(),
  modelKind: z.string(),
  seed: z.number().int(),
  status: runStatusSchema,
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Epochs recorded so far. */
  epochs: z.number().int().nonnegative(),
  freeEnergy: z.number().nullable(),
  /** There is a checkpoint to continue from and the run is not complete. */
  resumable: z.boolean(),
  error: z.strictObject({ code: z.string(), message: z.string() }).nullable(),
});
export type RunSummary = z.infer<typeof runSummarySchema>;

export const runDetailSchema = runSummarySchema.extend({
  config: z.unknown(),
  backend: z.string().nullable(),
  timings: runTimingsSchema.nullable(),
  log: z.array(runLogLineSchema),
});
export type RunDetail = z.infer<typeof runDetailSchema>;

export const resultSummarySchema = z.strictObject({
  kind: z.string(),
  sessionId: sessionIdSchema.nullable(),
  /** Arrays: dtype and shape; JSON values: null. */
  dtype: z.string().nullable(),
  shape: z.array(z.number().int().nonnegative()).nullable(),
  value: z.unknown().optional(),
});
export type ResultSummary = z.infer<typeof resultSummarySchema>;

export const startRunRequestSchema = z.strictObject({
  datasetId: datasetIdSchema,
  preparationId: preparationIdSchema.optional(),
  modelKind: modelKindSchema,
  /** The model's config; validated by that model's schema with field-named messages. */
  config: z.record(z.string(), z.unknown()),
  name: z.string().trim().min(1).max(200).optional(),
});
export type StartRunRequest = z.infer<typeof startRunRequestSchema>;

export const resultArrayRequestSchema = z
  .strictObject({
    runId: runIdSchema,
    kind: z.string().min(1),
    sessionId: sessionIdSchema.optional(),
    startRow: z.number().int().nonnegative().optional(),
    endRow: z.number().int().nonnegative().optional(),
    /** Decimate axis 0 to about this many points, keeping each bucket's min and max. */
    maxPoints: z.number().int().min(2).max(1_000_000).optional(),
  })
  .refine((r) => r.startRow === undefined || r.endRow === undefined || r.endRow > r.startRow, {
    message: 'endRow must be greater than startRow',
    path: ['endRow'],
  });
export type ResultArrayRequest = z.infer<typeof resultArrayRequestSchema>;
