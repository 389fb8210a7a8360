import { z } from 'zod';

/**
 * DyNeMo configuration with osl-dynamics' field names (osl_dynamics.models.dynemo.Config and its
 * base classes). Where osl-dynamics has a default we use it; where it insists the user passes a
 * value (units, batch size, learning rate, epochs, learn_means/learn_covariances, annealing
 * settings) the default here is the value of osl-dynamics' own DyNeMo examples, so a form opens
 * ready to run. `seed` is ours: osl-dynamics relies on global random state, we do not.
 */

const int = (what: string) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be an integer`);
const finite = (what: string) =>
  z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be finite`);
const matrix = z.array(z.array(finite('matrix entries')));

export const rnnTypes = ['lstm', 'gru'] as const;
export const normalizationTypes = ['layer', 'batch'] as const;
/** Keras activation names we implement; null is the identity (Keras' Activation(None)). */
export const activationTypes = [
  'linear',
  'relu',
  'elu',
  'selu',
  'tanh',
  'sigmoid',
  'softplus',
  'swish',
  'gelu',
] as const;
export type ActivationType = (typeof activationTypes)[number];

const rnnType = (what: string) =>
  z.enum(rnnTypes, { error: `${what} must be 'lstm' or 'gru'` }).default('lstm');
const normalization = (what: string) =>
  z
    .enum(normalizationTypes, { error: `${what} must be 'layer', 'batch' or null` })
    .nullable()
    .default(null);
const activation = (what: string) =>
  z
    .enum(activationTypes, { error: `${what} must be null or one of ${activationTypes.join(', ')}` })
    .nullable()
    .default(null);
const dropout = (what: string) =>
  finite(what).min(0, `${what} must be in [0, 1)`).max(0.999999, `${what} must be in [0, 1)`).default(0);

export const dynemoConfigSchema = z
  .strictObject({
    model_name: z.literal('DyNeMo').default('DyNeMo'),
    n_modes: int('n_modes').min(2, 'n_modes must be two or greater (one mode is a static model)').max(64),
    n_channels: int('n_channels').min(1, 'n_channels must be one or greater').max(1024),
    sequence_length: int('sequence_length').min(2, 'sequence_length must be two or greater').default(200),

    inference_rnn: rnnType('inference_rnn'),
    inference_n_layers: int('inference_n_layers')
      .min(1, 'inference_n_layers must be one or greater')
      .default(1),
    inference_n_units: int('inference_n_units')
      .min(1, 'inference_n_units must be one or greater')
      .default(64),
    inference_normalization: normalization('inference_normalization').default('layer'),
    inference_activation: activation('inference_activation'),
    inference_dropout: dropout('inference_dropout'),

    model_rnn: rnnType('model_rnn'),
    model_n_layers: int('model_n_layers').min(1, 'model_n_layers must be one or greater').default(1),
    model_n_units: int('model_n_units').min(1, 'model_n_units must be one or greater').default(64),
    model_normalization: normalization('model_normalization').default('layer'),
    model_activation: activation('model_activation'),
    model_dropout: dropout('model_dropout'),

    learn_alpha_temperature: z.boolean().default(true),
    initial_alpha_temperature: finite('initial_alpha_temperature')
      .positive('initial_alpha_temperature must be greater than zero')
      .default(1),
    theta_std_epsilon: finite('theta_std_epsilon').nonnegative('theta_std_epsilon must be ≥ 0').default(1e-6),

    learn_means: z.boolean().default(false),
    learn_covariances: z.boolean().default(true),
    initial_means: matrix.nullable().default(null),
    /** [K][C][C], or [K][C] diagonals when diagonal_covariances. */
    initial_covariances: z
      .union([z.array(matrix), matrix])
      .nullable()
      .default(null),
    diagonal_covariances: z.boolean().default(false),
    /** null: 1e-6 when covariances are learnt, else 0 (osl-dynamics' rule); see covariancesEpsilon(). */
    covariances_epsilon: finite('covariances_epsilon')
      .nonnegative('covariances_epsilon must be ≥ 0')
      .nullable()
      .default(null),

    do_kl_annealing: z.boolean().default(true),
    kl_annealing_curve: z
      .enum(['tanh', 'linear'], { error: "kl_annealing_curve must be 'tanh' or 'linear'" })
      .default('tanh'),
    kl_annealing_sharpness: finite('kl_annealing_sharpness')
      .nonnegative('kl_annealing_sharpness must be ≥ 0')
      .default(10),
    n_kl_annealing_epochs: int('n_kl_annealing_epochs')
      .min(1, 'n_kl_annealing_epochs must be one or greater')
      .default(20),

    init_method: z
      .enum(['random_subset'], { error: "init_method must be 'random_subset' or null" })
      .nullable()
      .default('random_subset'),
    n_init: int('n_init').min(0, 'n_init must be ≥ 0').default(5),
    n_init_epochs: int('n_init_epochs').min(1, 'n_init_epochs must be one or greater').default(2),
    init_take: finite('init_take')
      .gt(0, 'init_take must be in (0, 1]')
      .max(1, 'init_take must be in (0, 1]')
      .default(1),

    batch_size: int('batch_size').min(1, 'batch_size must be one or greater').default(16),
    learning_rate: finite('learning_rate').positive('learning_rate must be greater than zero').default(0.01),
    lr_decay: finite('lr_decay').nonnegative('lr_decay must be non-negative').default(0.1),
    /** Keras `clipnorm` as osl-dynamics passes it: each weight's gradient is clipped to this norm. */
    gradient_clip: finite('gradient_clip')
      .positive('gradient_clip must be greater than zero')
      .nullable()
      .default(null),
    /** Ours: 'per_weight' is Keras clipnorm (osl-dynamics), 'global' clips all gradients jointly. */
    gradient_clip_mode: z
      .enum(['per_weight', 'global'], { error: "gradient_clip_mode must be 'per_weight' or 'global'" })
      .default('per_weight'),
    n_epochs: int('n_epochs').min(1, 'n_epochs must be one or greater').default(40),
    loss_calc: z.enum(['mean', 'sum'], { error: "loss_calc must be 'mean' or 'sum'" }).default('mean'),
    best_of: int('best_of').min(1, 'best_of must be one or greater').default(1),
    seed: int('seed').min(0, 'seed must be ≥ 0').max(Number.MAX_SAFE_INTEGER).default(0),
  })
  .superRefine((c, ctx) => {
    const K = c.n_modes;
    const C = c.n_channels;
    if (c.initial_means !== null) {
      if (c.initial_means.length !== K || c.initial_means.some((r) => r.length !== C)) {
        ctx.addIssue({
          code: 'custom',
          path: ['initial_means'],
          message: `initial_means must be ${K}×${C} (modes × channels)`,
        });
      }
    }
    if (c.initial_covariances !== null) {
      const ic = c.initial_covariances;
      const isFull = ic.every((m) => Array.isArray(m[0]));
      const fullOk =
        isFull &&
        ic.length === K &&
        (ic as number[][][]).every((m) => m.length === C && m.every((r) => r.length === C));
      const diagOk =
        c.diagonal_covariances &&
        !isFull &&
        ic.length === K &&
        (ic as number[][]).every((r) => r.length === C);
      if (!fullOk && !diagOk) {
        ctx.addIssue({
          code: 'custom',
          path: ['initial_covariances'],
          message: c.diagonal_covariances
            ? `initial_covariances must be ${K}×${C}×${C} or ${K}×${C} (diagonals)`
            : `initial_covariances must be ${K}×${C}×${C} (modes × channels × channels)`,
        });
      }
    }
    if (c.n_kl_annealing_epochs > c.n_epochs && c.do_kl_annealing) {
      ctx.addIssue({
        code: 'custom',
        path: ['n_kl_annealing_epochs'],
        message: `n_kl_annealing_epochs (${c.n_kl_annealing_epochs}) must not exceed n_epochs (${c.n_epochs})`,
      });
    }
  });

export type DynemoConfig = z.infer<typeof dynemoConfigSchema>;
export type DynemoConfigInput = z.input<typeof dynemoConfigSchema>;

export class DynemoConfigError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'DynemoConfigError';
    this.issues = issues;
  }
}

/** Parses a DyNeMo config (defaults filled in) or throws DynemoConfigError listing every problem. */
export function parseDynemoConfig(input: unknown): DynemoConfig {
  const result = dynemoConfigSchema.safeParse(input);
  if (!result.success) {
    throw new DynemoConfigError(
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return result.data;
}

/** osl-dynamics' rule for an unset covariances_epsilon. */
export function covariancesEpsilon(c: DynemoConfig): number {
  if (c.covariances_epsilon !== null) return c.covariances_epsilon;
  return c.learn_covariances ? 1e-6 : 0;
}

/**
 * Checks a config against the data it will train on: every session (or gap-free segment) shorter
 * than a sequence contributes nothing, so at least one must hold a whole sequence, and the
 * channel count must match.
 */
export function checkDynemoConfigAgainstData(
  c: DynemoConfig,
  data: { nChannels: number; longestSegment: number },
): void {
  const issues: Array<{ path: string; message: string }> = [];
  if (data.nChannels !== c.n_channels) {
    issues.push({
      path: 'n_channels',
      message: `n_channels is ${c.n_channels} but the data have ${data.nChannels} channels`,
    });
  }
  if (c.sequence_length > data.longestSegment) {
    issues.push({
      path: 'sequence_length',
      message: `sequence_length (${c.sequence_length}) is longer than the longest gap-free stretch of data (${data.longestSegment} samples)`,
    });
  }
  if (issues.length) throw new DynemoConfigError(issues);
}

// ---------- osl-dynamics-style config files ----------

/** JSON text of the config with every field (osl-dynamics names). */
export function exportDynemoConfigJson(c: DynemoConfig): string {
  return JSON.stringify(c, null, 2) + '\n';
}

function yamlScalar(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return /^[A-Za-z_][\w-]*$/.test(v) && !isYamlKeyword(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}

function isYamlKeyword(s: string): boolean {
  return ['null', 'Null', 'NULL', 'None', '~', 'true', 'false', 'True', 'False', 'yes', 'no'].includes(s);
}

/** `key: value` lines as in an osl-dynamics config_kwargs block (nested arrays as flow lists). */
export function exportDynemoConfigYaml(c: DynemoConfig): string {
  return (
    Object.entries(c)
      .map(([k, v]) => `${k}: ${yamlScalar(v)}`)
      .join('\n') + '\n'
  );
}

export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

function parseYamlValue(raw: string, line: number): unknown {
  const s = raw.trim();
  if (s === '' || s === '~' || /^(null|Null|NULL|None)$/.test(s)) return null;
  if (/^(true|True|TRUE)$/.test(s)) return true;
  if (/^(false|False|FALSE)$/.test(s)) return false;
  if (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s)) return Number(s);
  if (s.startsWith('[')) {
    // Flow lists of numbers (possibly nested) are valid JSON once Python's None/True/False are mapped.
    try {
      return JSON.parse(
        s
          .replace(/\bNone\b/g, 'null')
          .replace(/\bTrue\b/g, 'true')
          .replace(/\bFalse\b/g, 'false'),
      );
    } catch {
      throw new ConfigFileError(`line ${line}: cannot read the list ${s}`);
    }
  }
  if ((s.startsWith('"') && s.endsWith('"')) || (s.startsWith("'") && s.endsWith("'"))) return s.slice(1, -1);
  return s;
}

type YamlMap = { [key: string]: unknown };

/**
 * The subset of YAML osl-dynamics config files use: nested `key:` mappings by indentation, scalar
 * values, flow lists, `#` comments. Anything else (block lists, anchors, multi-line strings) is
 * refused with the line number.
 */
export function parseSimpleYaml(text: string): YamlMap {
  const root: YamlMap = {};
  const stack: Array<{ indent: number; map: YamlMap }> = [{ indent: -1, map: root }];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    const noComment = rawLine.replace(/(^|\s)#.*$/, '');
    if (noComment.trim() === '' || noComment.trim() === '---') return;
    const indent = noComment.length - noComment.trimStart().length;
    const m = /^([A-Za-z_][\w.-]*)\s*:(.*)$/.exec(noComment.trim());
    if (!m) throw new ConfigFileError(`line ${lineNo}: expected 'key: value', got '${rawLine.trim()}'`);
    while (stack.length > 1 && indent <= stack[stack.length - 1]!.indent) stack.pop();
    const parent = stack[stack.length - 1]!.map;
    const key = m[1]!;
    const rest = m[2]!;
    if (rest.trim() === '') {
      const child: YamlMap = {};
      parent[key] = child;
      stack.push({ indent, map: child });
    } else {
      parent[key] = parseYamlValue(rest, lineNo);
    }
  });
  return root;
}

function findConfigMap(doc: YamlMap): YamlMap {
  if ('n_modes' in doc || 'n_channels' in doc) return doc;
  for (const v of Object.values(doc)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const inner = v as YamlMap;
      if ('config_kwargs' in inner && inner.config_kwargs && typeof inner.config_kwargs === 'object') {
        return inner.config_kwargs as YamlMap;
      }
      const deeper = findConfigMap(inner);
      if ('n_modes' in deeper || 'n_channels' in deeper) return deeper;
    }
  }
  return doc;
}

/** osl-dynamics keys that have no meaning here (hardware, Keras objects); dropped on import. */
const IGNORED_OSL_KEYS = new Set([
  'multi_gpu',
  'strategy',
  'optimizer',
  'inference_regularizer',
  'model_regularizer',
  'means_regularizer',
  'covariances_regularizer',
  'multiple_dynamics',
  'n_states',
]);

/**
 * Reads a config file's text: JSON, or the YAML subset (a flat mapping, or an osl-dynamics
 * pipeline file whose `train_dynemo: config_kwargs:` block holds the fields). `overrides` (e.g.
 * n_channels from the data) fill in what the file leaves out.
 */
export function importDynemoConfig(text: string, overrides: Partial<DynemoConfigInput> = {}): DynemoConfig {
  const trimmed = text.trim();
  let doc: YamlMap;
  if (trimmed.startsWith('{')) {
    try {
      doc = JSON.parse(trimmed) as YamlMap;
    } catch (e) {
      throw new ConfigFileError(`config file is not valid JSON: ${(e as Error).message}`);
    }
  } else {
    doc = parseSimpleYaml(text);
  }
  const fields: YamlMap = {};
  for (const [k, v] of Object.entries(findConfigMap(doc))) if (!IGNORED_OSL_KEYS.has(k)) fields[k] = v;
  return parseDynemoConfig({ ...overrides, ...fields });
}
