import { z } from 'zod';
import { engineInfoSchema, epochRecordSchema, logLevelSchema } from '../../src-shared/domain/run';

/**
 * The messages between the services (supervisor) and the training process. Both sides parse
 * every message with these schemas: a malformed message is a bug, and it fails loudly instead of
 * being half-understood. Typed arrays cross as structured clones (Node's 'advanced'
 * serialization, Electron's utilityProcess), so weights and outputs need no encoding.
 */

const numericArray = z.custom<Float32Array | Float64Array>(
  (v) => v instanceof Float32Array || v instanceof Float64Array,
  'expected a Float32Array or Float64Array',
);

export const sessionRefSchema = z.strictObject({
  dataArrayId: z.number().int().positive(),
  gapMaskArrayId: z.number().int().positive().nullable(),
});
export type SessionRef = z.infer<typeof sessionRefSchema>;

export const startMessageSchema = z.strictObject({
  type: z.literal('start'),
  projectPath: z.string().min(1),
  modelKind: z.string().min(1),
  config: z.unknown(),
  sessions: z.array(sessionRefSchema).min(1),
  /** The model's checkpoint state to continue from (a resume), or null for a fresh start. */
  checkpoint: z.unknown().nullable(),
  maxBackend: z.enum(['tensorflow', 'wasm', 'cpu']).optional(),
  /** At most one batch message per this many milliseconds (the last batch of an epoch always goes). */
  batchIntervalMs: z.number().nonnegative(),
  maxNanRetries: z.number().int().nonnegative().optional(),
});
export type StartMessage = z.infer<typeof startMessageSchema>;

export const toTrainerSchema = z.discriminatedUnion('type', [
  startMessageSchema,
  z.strictObject({ type: z.literal('cancel') }),
]);
export type ToTrainer = z.infer<typeof toTrainerSchema>;

export const trainerErrorCodes = [
  'INVALID_CONFIG',
  'INVALID_DATA',
  'CHECKPOINT_MISMATCH',
  'DIVERGED',
  'PROTOCOL',
  'INTERNAL',
] as const;
export type TrainerErrorCode = (typeof trainerErrorCodes)[number];

export const resultArraySchema = z.strictObject({
  kind: z.string().min(1),
  /** Index into the start message's sessions; null for a run-wide array. */
  session: z.number().int().nonnegative().nullable(),
  shape: z.array(z.number().int().nonnegative()),
  data: numericArray,
});
export type ResultArrayMessage = z.infer<typeof resultArraySchema>;

export const fromTrainerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), engine: engineInfoSchema }),
  z.strictObject({
    type: z.literal('batch'),
    epoch: z.number().int().nonnegative(),
    batch: z.number().int().nonnegative(),
    nBatches: z.number().int().nonnegative(),
    loss: z.number(),
    nll: z.number().nullable(),
    kl: z.number().nullable(),
    klFactor: z.number().nullable(),
    lr: z.number().nullable(),
  }),
  z.strictObject({
    type: z.literal('epoch'),
    record: epochRecordSchema,
    /** Epochs the whole run is planned to take (for progress and ETA). */
    plannedEpochs: z.number().int().nonnegative(),
    /** The model's checkpoint at this epoch boundary. */
    state: z.unknown(),
  }),
  z.strictObject({
    type: z.literal('nan'),
    message: z.string(),
    newLr: z.number().nullable(),
  }),
  z.strictObject({ type: z.literal('log'), level: logLevelSchema, message: z.string() }),
  z.strictObject({
    type: z.literal('outputs'),
    arrays: z.array(resultArraySchema),
    values: z.array(z.strictObject({ kind: z.string().min(1), value: z.unknown() })),
    freeEnergy: z.number().nullable(),
  }),
  z.strictObject({ type: z.literal('done') }),
  z.strictObject({ type: z.literal('cancelled') }),
  z.strictObject({
    type: z.literal('error'),
    code: z.enum(trainerErrorCodes),
    message: z.string(),
    /** Config fields at fault, when the config was refused. */
    fields: z.array(z.string()).optional(),
  }),
]);
export type FromTrainer = z.infer<typeof fromTrainerSchema>;

export class ProtocolError extends Error {
  constructor(direction: string, issues: string) {
    super(`malformed ${direction} message: ${issues}`);
    this.name = 'ProtocolError';
  }
}

function parseWith<T>(schema: z.ZodType<T>, direction: string, message: unknown): T {
  const result = schema.safeParse(message);
  if (!result.success) {
    throw new ProtocolError(
      direction,
      result.error.issues.map((i) => `${i.path.join('.') || '(message)'}: ${i.message}`).join('; '),
    );
  }
  return result.data;
}

export const parseToTrainer = (m: unknown): ToTrainer => parseWith(toTrainerSchema, 'to-trainer', m);
export const parseFromTrainer = (m: unknown): FromTrainer => parseWith(fromTrainerSchema, 'from-trainer', m);
