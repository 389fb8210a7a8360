import { z } from 'zod';
import { sessionIdSchema } from '../../domain/dataset';
import { runIdSchema } from '../../domain/run';
import { jobIdSchema } from './jobs';

/**
 * Exporting results to files. `exports.run` writes a run's osl-dynamics-style folder (config,
 * inferred parameters, summary statistics, spectra, report) as a job with progress and cancel;
 * `exports.resultArray` writes one stored result array. Nothing is half-written: output goes to a
 * temporary beside the target and is moved into place when complete.
 */
export const exportFormatSchema = z.enum(['npy', 'mat', 'csv'], {
  error: 'format must be one of npy, mat, csv',
});
export type ExportFormatName = z.infer<typeof exportFormatSchema>;

const absolutePath = (what: string) => z.string().trim().min(1, `${what} is required`);

export const exportRunRequestSchema = z.strictObject({
  runId: runIdSchema,
  /** The folder to create (absolute); it must be absent or empty unless `overwrite`. */
  folder: absolutePath('folder'),
  formats: z
    .array(exportFormatSchema)
    .min(1, 'choose at least one format')
    .refine((f) => new Set(f).size === f.length, 'a format is listed twice'),
  report: z.boolean(),
  /** Compute and write mode spectra (slower); default true. */
  spectra: z.boolean().optional(),
  overwrite: z.boolean().optional(),
  jobId: jobIdSchema.optional(),
});
export type ExportRunRequest = z.infer<typeof exportRunRequestSchema>;

export const exportedFileSchema = z.strictObject({
  /** Relative to the export folder, '/'-separated. */
  path: z.string(),
  format: z.enum(['npy', 'mat', 'csv', 'json', 'md', 'html']),
  bytes: z.number().int().nonnegative(),
});
export type ExportedFile = z.infer<typeof exportedFileSchema>;

export const exportRunResponseSchema = z.strictObject({
  runId: runIdSchema,
  folder: z.string(),
  files: z.array(exportedFileSchema),
  totalBytes: z.number().int().nonnegative(),
  /** What could not be included and why (no summary statistics, no spectra). */
  notes: z.array(z.string()),
});
export type ExportRunResponse = z.infer<typeof exportRunResponseSchema>;

export const exportResultArrayRequestSchema = z.strictObject({
  runId: runIdSchema,
  /** A stored array result: alpha, theta_mean, theta_std, means, covariances, … */
  kind: z.string().min(1),
  /** Required when the run holds the kind for several sessions. */
  sessionId: sessionIdSchema.optional(),
  format: exportFormatSchema,
  /** The file to write (absolute). */
  path: absolutePath('path'),
  overwrite: z.boolean().optional(),
});
export type ExportResultArrayRequest = z.infer<typeof exportResultArrayRequestSchema>;

export const exportResultArrayResponseSchema = z.strictObject({
  path: z.string(),
  format: exportFormatSchema,
  dtype: z.string(),
  shape: z.array(z.number().int().nonnegative()),
  bytes: z.number().int().nonnegative(),
});
export type ExportResultArrayResponse = z.infer<typeof exportResultArrayResponseSchema>;

export const exportChannels = {
  'exports.run': { request: exportRunRequestSchema, response: exportRunResponseSchema },
  'exports.resultArray': {
    request: exportResultArrayRequestSchema,
    response: exportResultArrayResponseSchema,
  },
} as const;

export const exportEvents = {} as const;
