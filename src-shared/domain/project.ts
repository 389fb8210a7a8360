import { z } from 'zod';

/** Paths come from people and from other machines: bounded, no NUL bytes. */
export const filePathSchema = z
  .string()
  .min(1, 'path is empty')
  .max(4096, 'path is longer than 4096 characters')
  .refine((p) => !p.includes('\0'), 'path contains a NUL byte');

export const projectNameSchema = z
  .string()
  .trim()
  .min(1, 'project name is empty')
  .max(200, 'project name is longer than 200 characters');

export const projectSummarySchema = z.strictObject({
  path: z.string(),
  name: z.string(),
  createdAt: z.string(),
  schemaVersion: z.number().int(),
  readOnly: z.boolean(),
  counts: z.strictObject({
    datasets: z.number().int().nonnegative(),
    runs: z.number().int().nonnegative(),
  }),
});
export type ProjectSummary = z.infer<typeof projectSummarySchema>;

export const recentProjectSchema = z.strictObject({
  path: z.string(),
  name: z.string(),
  openedAt: z.string(),
  exists: z.boolean(),
});
export type RecentProject = z.infer<typeof recentProjectSchema>;

export const dirEntrySchema = z.strictObject({
  name: z.string(),
  path: z.string(),
  kind: z.enum(['file', 'directory', 'other']),
  size: z.number().nonnegative(),
});
export type DirEntry = z.infer<typeof dirEntrySchema>;
