import { z } from 'zod';
import {
  filePathSchema,
  projectNameSchema,
  projectSummarySchema,
  recentProjectSchema,
} from '../../domain/project';
import { emptyRequest } from './emptyRequest';

export const projectChannels = {
  'projects.create': {
    request: z.strictObject({ path: filePathSchema, name: projectNameSchema }),
    response: projectSummarySchema,
  },
  'projects.open': {
    request: z.strictObject({ path: filePathSchema }),
    response: projectSummarySchema,
  },
  'projects.close': {
    request: emptyRequest,
    response: z.strictObject({ closed: z.boolean() }),
  },
  'projects.current': {
    request: emptyRequest,
    response: projectSummarySchema.nullable(),
  },
  'projects.listRecent': {
    request: emptyRequest,
    response: z.array(recentProjectSchema),
  },
  'projects.forgetRecent': {
    request: z.strictObject({ path: filePathSchema }),
    response: z.array(recentProjectSchema),
  },
} as const;

export const projectEvents = {
  'project.opened': projectSummarySchema,
  'project.closed': z.strictObject({ path: z.string() }),
} as const;
