import { z } from 'zod';

/**
 * A preparation pipeline is declared data: an ordered list of osl-dynamics `Data.prepare` steps
 * with the same names and parameter names, so a pipeline can be stored with a dataset, re-run,
 * exported as JSON and compared with an osl-dynamics script.
 */

/** One session's samples, time-major [nSamples × nChannels]. gapMask[t] = 1 marks a missing sample. */
export interface TimeSeriesSession {
  data: Float32Array;
  nSamples: number;
  nChannels: number;
  samplingRate: number;
  gapMask?: Uint8Array;
}

const useRaw = z.boolean().default(false);
const positiveInt = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int(`${what} must be an integer`)
    .positive(`${what} must be positive`);
const oddPositiveInt = (what: string) =>
  positiveInt(what).refine((v) => v % 2 === 1, {
    error: (issue) => `${what} must be odd, got ${String(issue.input)}`,
  });
const frequency = (what: string) =>
  z
    .number({ error: `${what} must be a number in Hz` })
    .positive(`${what} must be positive`)
    .refine(Number.isFinite, `${what} must be finite`);
const componentsMatrix = z
  .array(z.array(z.number().refine(Number.isFinite, 'PCA component entries must be finite')).min(1))
  .min(1, 'pca_components must have at least one row')
  .refine(
    (rows) => rows.every((r) => r.length === rows[0]!.length),
    'pca_components rows must all have the same length',
  );

export const standardizeParamsSchema = z.strictObject({ use_raw: useRaw });

export const filterParamsSchema = z
  .strictObject({
    low_freq: frequency('low_freq').nullable().default(null),
    high_freq: frequency('high_freq').nullable().default(null),
    order: positiveInt('order').max(20, 'order must be at most 20').default(5),
    use_raw: useRaw,
  })
  .superRefine((p, ctx) => {
    if (p.low_freq === null && p.high_freq === null) {
      ctx.addIssue({
        code: 'custom',
        message: 'filter needs low_freq, high_freq or both',
        path: ['low_freq'],
      });
    }
    if (p.low_freq !== null && p.high_freq !== null && !(p.low_freq < p.high_freq)) {
      ctx.addIssue({
        code: 'custom',
        message: `low_freq (${p.low_freq} Hz) must be below high_freq (${p.high_freq} Hz)`,
        path: ['low_freq'],
      });
    }
  });

export const downsampleParamsSchema = z.strictObject({ freq: frequency('freq'), use_raw: useRaw });
export const amplitudeEnvelopeParamsSchema = z.strictObject({ use_raw: useRaw });
export const movingAverageParamsSchema = z.strictObject({
  n_window: oddPositiveInt('n_window'),
  use_raw: useRaw,
});
export const tdeParamsSchema = z.strictObject({
  n_embeddings: oddPositiveInt('n_embeddings'),
  use_raw: useRaw,
});

const exactlyOneOfComponents = (
  p: { n_pca_components?: number | undefined; pca_components?: number[][] | undefined },
  ctx: z.RefinementCtx,
) => {
  if ((p.n_pca_components === undefined) === (p.pca_components === undefined)) {
    ctx.addIssue({
      code: 'custom',
      message: 'pass exactly one of n_pca_components and pca_components',
      path: ['n_pca_components'],
    });
  }
};

export const pcaParamsSchema = z
  .strictObject({
    n_pca_components: positiveInt('n_pca_components').optional(),
    pca_components: componentsMatrix.optional(),
    whiten: z.boolean().default(false),
    use_raw: useRaw,
  })
  .superRefine(exactlyOneOfComponents);

export const tdePcaParamsSchema = z
  .strictObject({
    n_embeddings: oddPositiveInt('n_embeddings'),
    n_pca_components: positiveInt('n_pca_components').optional(),
    pca_components: componentsMatrix.optional(),
    whiten: z.boolean().default(false),
    use_raw: useRaw,
  })
  .superRefine(exactlyOneOfComponents);

export const selectParamsSchema = z
  .strictObject({
    channels: z
      .array(z.union([z.number().int().nonnegative('channel indices must be ≥ 0'), z.string().min(1)]))
      .min(1, 'select needs at least one channel')
      .optional(),
    sessions: z.array(z.number().int().nonnegative('session indices must be ≥ 0')).min(1).optional(),
    use_raw: useRaw,
  })
  .refine(
    (p) => p.channels !== undefined || p.sessions !== undefined,
    'select needs channels, sessions or both',
  );

const step = <N extends string, P extends z.ZodType>(name: N, params: P) =>
  z.strictObject({ name: z.literal(name), params: params });

export const preparationStepSchema = z.discriminatedUnion(
  'name',
  [
    step('standardize', standardizeParamsSchema.default({ use_raw: false })),
    step('filter', filterParamsSchema),
    step('downsample', downsampleParamsSchema),
    step('amplitude_envelope', amplitudeEnvelopeParamsSchema.default({ use_raw: false })),
    step('moving_average', movingAverageParamsSchema),
    step('tde', tdeParamsSchema),
    step('pca', pcaParamsSchema),
    step('tde_pca', tdePcaParamsSchema),
    step('select', selectParamsSchema),
  ],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unknown preparation step ${JSON.stringify((issue.input as { name?: unknown } | undefined)?.name)}; expected one of ${preparationStepNames.join(', ')}`
        : undefined,
  },
);

export const preparationStepNames = [
  'standardize',
  'filter',
  'downsample',
  'amplitude_envelope',
  'moving_average',
  'tde',
  'pca',
  'tde_pca',
  'select',
] as const;
export type PreparationStepName = (typeof preparationStepNames)[number];

export const preparationPipelineSchema = z.strictObject({
  steps: z.array(preparationStepSchema).max(64, 'a pipeline has at most 64 steps'),
});

export type PreparationStep = z.infer<typeof preparationStepSchema>;
export type PreparationStepInput = z.input<typeof preparationStepSchema>;
export type PreparationPipeline = z.infer<typeof preparationPipelineSchema>;
export type PreparationPipelineInput = z.input<typeof preparationPipelineSchema>;

export class PipelineValidationError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'PipelineValidationError';
    this.issues = issues;
  }
}

function zodIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

/** Parses a pipeline object (defaults filled in) or throws PipelineValidationError listing every problem. */
export function parsePipeline(input: unknown): PreparationPipeline {
  const result = preparationPipelineSchema.safeParse(input);
  if (!result.success) throw new PipelineValidationError(zodIssues(result.error));
  return result.data;
}

/**
 * Reads a pipeline from JSON: either `{ "steps": [...] }` or an osl-dynamics `prepare` methods
 * dictionary such as `{ "tde_pca": { "n_embeddings": 15, "n_pca_components": 80 }, "standardize": {} }`
 * (repeated steps carry a `_<number>` suffix there, e.g. `standardize_1`).
 */
export function pipelineFromJson(text: string): PreparationPipeline {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new PipelineValidationError([
      { path: '', message: `pipeline is not valid JSON: ${(e as Error).message}` },
    ]);
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && !('steps' in value)) {
    return pipelineFromOslMethods(value as Record<string, unknown>);
  }
  return parsePipeline(value);
}

export function pipelineFromOslMethods(methods: Record<string, unknown>): PreparationPipeline {
  const steps = Object.entries(methods).map(([key, params]) => ({
    name: /^(.+?)(_\d+)?$/.exec(key)![1]!,
    params: params ?? {},
  }));
  return parsePipeline({ steps });
}

/** Stable JSON for storage and export (parameters with their defaults filled in). */
export function pipelineToJson(pipeline: PreparationPipeline): string {
  return JSON.stringify(parsePipeline(pipeline), null, 2);
}

/** What a pipeline needs to know about the data to check parameters that depend on it. */
export interface PipelineInputShape {
  nChannels: number;
  samplingRate: number;
  nSessions?: number;
  channelNames?: string[];
}

/**
 * Walks the pipeline over the data's shape (channels, rate) and reports parameters that cannot
 * work on it: edges at or above Nyquist, more PCA components than channels × embeddings, upsampling,
 * unknown channel names… Returns an empty list when the pipeline fits.
 */
export function checkPipelineAgainstData(
  pipeline: PreparationPipeline,
  input: PipelineInputShape,
): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  const raw = { nChannels: input.nChannels, samplingRate: input.samplingRate, names: input.channelNames };
  let current = { ...raw };
  pipeline.steps.forEach((s, i) => {
    const at = (field: string) => `steps.${i}.params.${field}`;
    const before = s.params.use_raw ? { ...raw } : current;
    const nyquist = before.samplingRate / 2;
    const next = { ...before };
    switch (s.name) {
      case 'filter':
        for (const field of ['low_freq', 'high_freq'] as const) {
          const f = s.params[field];
          if (f !== null && f >= nyquist) {
            issues.push({
              path: at(field),
              message: `${field} (${f} Hz) must be below the Nyquist frequency (${nyquist} Hz)`,
            });
          }
        }
        break;
      case 'downsample':
        if (s.params.freq > before.samplingRate) {
          issues.push({
            path: at('freq'),
            message: `downsample freq (${s.params.freq} Hz) must not exceed the current sampling rate (${before.samplingRate} Hz)`,
          });
        }
        next.samplingRate = s.params.freq;
        break;
      case 'tde':
        next.nChannels = before.nChannels * s.params.n_embeddings;
        next.names = undefined;
        break;
      case 'pca':
      case 'tde_pca': {
        const embeddings = s.name === 'tde_pca' ? s.params.n_embeddings : 1;
        const inputs = before.nChannels * embeddings;
        if (s.params.n_pca_components !== undefined && s.params.n_pca_components > inputs) {
          issues.push({
            path: at('n_pca_components'),
            message: `n_pca_components (${s.params.n_pca_components}) exceeds the ${inputs} ${s.name === 'tde_pca' ? `channels × embeddings (${before.nChannels} × ${embeddings})` : 'channels'}`,
          });
        }
        if (s.params.pca_components !== undefined && s.params.pca_components.length !== inputs) {
          issues.push({
            path: at('pca_components'),
            message: `pca_components has ${s.params.pca_components.length} rows but the data has ${inputs} (channels × embeddings)`,
          });
        }
        next.nChannels = s.params.n_pca_components ?? s.params.pca_components?.[0]?.length ?? inputs;
        next.names = undefined;
        break;
      }
      case 'select':
        if (s.params.channels) {
          s.params.channels.forEach((c, j) => {
            if (typeof c === 'number' && c >= before.nChannels) {
              issues.push({
                path: `${at('channels')}.${j}`,
                message: `channel index ${c} is out of range (${before.nChannels} channels)`,
              });
            }
            if (typeof c === 'string' && !before.names?.includes(c)) {
              issues.push({
                path: `${at('channels')}.${j}`,
                message: before.names
                  ? `no channel named ${JSON.stringify(c)}`
                  : `channel names are not known here, select ${JSON.stringify(c)} by index`,
              });
            }
          });
          next.nChannels = s.params.channels.length;
          next.names = before.names
            ? s.params.channels.map((c) => (typeof c === 'number' ? before.names![c]! : c))
            : undefined;
        }
        if (s.params.sessions && input.nSessions !== undefined) {
          s.params.sessions.forEach((k, j) => {
            if (k >= input.nSessions!) {
              issues.push({
                path: `${at('sessions')}.${j}`,
                message: `session index ${k} is out of range (${input.nSessions} sessions)`,
              });
            }
          });
        }
        break;
      default:
        break;
    }
    current = next;
  });
  return issues;
}
