import { z } from 'zod';
import { dirEntrySchema, filePathSchema } from '../../domain/project';

export const fileChannels = {
  'files.listDirectory': {
    request: z.strictObject({
      path: filePathSchema,
      extensions: z.array(z.string().max(32)).max(64).optional(),
    }),
    response: z.strictObject({
      path: z.string(),
      parent: z.string().nullable(),
      entries: z.array(dirEntrySchema),
    }),
  },
} as const;
