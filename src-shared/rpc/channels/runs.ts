import { z } from 'zod';
import { encodedArraySchema } from '../../domain/encodedArray';
import {
  batchMetricsSchema,
  epochRecordSchema,
  logLevelSchema,
  resultArrayRequestSchema,
  resultSummarySchema,
  runDetailSchema,
  runIdSchema,
  runStatusSchema,
  runSummarySchema,
  startRunRequestSchema,
} from '../../domain/run';
import { emptyRequest } from './emptyRequest';
import { jobIdSchema } from './jobs';

/**
 * Training runs. `runs.start` and `runs.resume` resolve once the training process is running;
 * the training itself continues as a job (`job.progress`, cancel with `runs.cancel` or
 * `jobs.cancel`) and reports through the `run.*` events.
 */
export const runChannels = {
  'runs.start': {
    request: startRunRequestSchema.extend({ jobId: jobIdSchema.optional() }),
    response: runSummarySchema,
  },
  'runs.cancel': {
    request: z.strictObject({ runId: runIdSchema }),
    response: z.strictObject({ cancelled: z.boolean() }),
  },
  'runs.resume': {
    request: z.strictObject({ runId: runIdSchema, jobId: jobIdSchema.optional() }),
    response: runSummarySchema,
  },
  'runs.list': {
    request: emptyRequest,
    response: z.array(runSummarySchema),
  },
  'runs.get': {
    request: z.strictObject({ runId: runIdSchema }),
    response: runDetailSchema,
  },
  'runs.metrics': {
    request: z.strictObject({ runId: runIdSchema, sinceEpoch: z.number().int().nonnegative().optional() }),
    response: z.strictObject({
      epochs: z.array(epochRecordSchema),
      /** The latest batches of a live run (kept in memory only). */
      batches: z.array(batchMetricsSchema),
    }),
  },
  'runs.delete': {
    request: z.strictObject({ runId: runIdSchema }),
    response: z.strictObject({ deleted: z.boolean() }),
  },
  'runs.results': {
    request: z.strictObject({ runId: runIdSchema }),
    response: z.array(resultSummarySchema),
  },
  'runs.resultArray': {
    request: resultArrayRequestSchema,
    response: z.strictObject({
      array: encodedArraySchema,
      /** Rows of the stored array this window covers. */
      startRow: z.number().int().nonnegative(),
      endRow: z.number().int().nonnegative(),
      /** 'minmax': each pair of rows is one bucket's min then max, per column. */
      decimation: z.enum(['none', 'minmax']),
    }),
  },
} as const;

export const runEvents = {
  'run.batch': batchMetricsSchema,
  'run.epoch': z.strictObject({
    runId: runIdSchema,
    epoch: epochRecordSchema,
    /** Epochs the whole run is planned to take, initialisations included. */
    plannedEpochs: z.number().int().nonnegative(),
  }),
  'run.status': z.strictObject({
    runId: runIdSchema,
    status: runStatusSchema,
    message: z.string().optional(),
  }),
  'run.log': z.strictObject({ runId: runIdSchema, level: logLevelSchema, message: z.string() }),
} as const;
