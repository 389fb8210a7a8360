import { z } from 'zod';
import {
  datasetChangeSchema,
  datasetIdSchema,
  datasetSummarySchema,
  groundTruthSchema,
  importRequestSchema,
  inspectedFileSchema,
  inspectFilesRequestSchema,
  prepareRequestSchema,
  preparationIdSchema,
  preparationSummarySchema,
  previewRequestSchema,
  previewSchema,
  sessionIdSchema,
  simulateRequestSchema,
} from '../../domain/dataset';
import { emptyRequest } from './emptyRequest';
import { jobIdSchema } from './jobs';

/**
 * Datasets: inspect files for the import wizard, import (a job), list/get/delete, prepare and
 * simulate (jobs), preview windows and simulation ground truth. Job requests take an optional
 * `jobId` so the caller can follow `job.progress` and cancel before the request resolves.
 */
export const datasetChannels = {
  'datasets.inspectFiles': {
    request: inspectFilesRequestSchema,
    response: z.array(inspectedFileSchema),
  },
  'datasets.import': {
    request: importRequestSchema.extend({ jobId: jobIdSchema.optional() }),
    response: datasetSummarySchema,
  },
  'datasets.list': {
    request: emptyRequest,
    response: z.array(datasetSummarySchema),
  },
  'datasets.get': {
    request: z.strictObject({ datasetId: datasetIdSchema }),
    response: datasetSummarySchema,
  },
  'datasets.delete': {
    request: z.strictObject({ datasetId: datasetIdSchema }),
    response: z.strictObject({ deleted: z.boolean() }),
  },
  'datasets.prepare': {
    request: prepareRequestSchema.extend({ jobId: jobIdSchema.optional() }),
    response: preparationSummarySchema,
  },
  'datasets.exportPipeline': {
    request: z.strictObject({ preparationId: preparationIdSchema }),
    response: z.strictObject({ json: z.string() }),
  },
  'datasets.simulate': {
    request: simulateRequestSchema.extend({ jobId: jobIdSchema.optional() }),
    response: datasetSummarySchema,
  },
  'datasets.groundTruth': {
    request: z.strictObject({ datasetId: datasetIdSchema, sessionId: sessionIdSchema }),
    response: groundTruthSchema,
  },
  'datasets.preview': {
    request: previewRequestSchema,
    response: previewSchema,
  },
} as const;

export const datasetEvents = {
  'dataset.changed': datasetChangeSchema,
} as const;
