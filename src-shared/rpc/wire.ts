import { z } from 'zod';
import { rpcErrorSchema } from './errors';

/**
 * Messages on the WebSocket (and the shape the Electron bridge mirrors). Payloads stay `unknown`
 * here: the channel's own schema validates them on the receiving side.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

export const requestMessageSchema = z.strictObject({
  type: z.literal('request'),
  id: z.number().int().nonnegative(),
  channel: z.string().max(128),
  payload: z.unknown().optional(),
});
export type RequestMessage = z.infer<typeof requestMessageSchema>;

export const responseMessageSchema = z.discriminatedUnion('ok', [
  z.strictObject({ type: z.literal('response'), id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({
    type: z.literal('response'),
    id: z.number().nullable(),
    ok: z.literal(false),
    error: rpcErrorSchema,
  }),
]);
export type ResponseMessage = z.infer<typeof responseMessageSchema>;

export const eventMessageSchema = z.strictObject({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown(),
});
export type EventMessage = z.infer<typeof eventMessageSchema>;

export const serverMessageSchema = z.union([responseMessageSchema, eventMessageSchema]);
