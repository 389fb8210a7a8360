import { z } from 'zod';
import { emptyRequest } from './emptyRequest';

/**
 * Long operations (import, preparation, simulation, training, export) are jobs. The caller may
 * name the job itself (`jobId` in the request) so it can show progress and cancel before the
 * request resolves; the request resolves with the operation's result or fails with CANCELLED.
 */
export const jobIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'job id may hold letters, digits, _ and - only');

export const jobKindSchema = z.enum([
  'import',
  'prepare',
  'simulate',
  'train',
  'export',
  'evaluate',
  'analyse',
]);
export type JobKind = z.infer<typeof jobKindSchema>;

export const jobProgressSchema = z.strictObject({
  jobId: jobIdSchema,
  kind: jobKindSchema,
  /** What is happening now, for people: "reading S001R01.edf", "epoch 3 of 20". */
  stage: z.string(),
  /** Work done and total in the job's own unit; total 0 when unknown. */
  done: z.number().nonnegative(),
  total: z.number().nonnegative(),
  /** Seconds until done, when it can be estimated. */
  etaSeconds: z.number().nonnegative().nullable(),
});
export type JobProgress = z.infer<typeof jobProgressSchema>;

export const jobFinishedSchema = z.strictObject({
  jobId: jobIdSchema,
  kind: jobKindSchema,
  outcome: z.enum(['succeeded', 'failed', 'cancelled']),
  message: z.string().optional(),
});
export type JobFinished = z.infer<typeof jobFinishedSchema>;

export const jobChannels = {
  'jobs.list': {
    request: emptyRequest,
    response: z.array(jobProgressSchema),
  },
  'jobs.cancel': {
    request: z.strictObject({ jobId: jobIdSchema }),
    response: z.strictObject({ cancelled: z.boolean() }),
  },
} as const;

export const jobEvents = {
  'job.progress': jobProgressSchema,
  'job.finished': jobFinishedSchema,
} as const;
