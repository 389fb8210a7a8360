import { z } from 'zod';
import { emptyRequest } from './emptyRequest';

export const appChannels = {
  'app.info': {
    request: emptyRequest,
    response: z.strictObject({
      name: z.literal('ModeScope'),
      version: z.string(),
      transport: z.enum(['electron', 'web', 'in-process']),
      platform: z.string(),
      nodeVersion: z.string(),
      defaultProjectDir: z.string(),
    }),
  },
} as const;
