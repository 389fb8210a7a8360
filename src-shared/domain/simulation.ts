import { z } from 'zod';

/**
 * Simulated datasets with known ground truth, parameterised as osl-dynamics' simulation classes
 * (`HMM_MVN`, `HSMM_MVN`, `MixedSine_MVN`) with the same parameter names and example defaults,
 * plus `seed`, `n_sessions` and a sampling frequency so the result is a dataset like any other.
 */

const int = (what: string) =>
  z.number({ error: `${what} must be a number` }).int(`${what} must be an integer`);
const finite = (what: string) =>
  z.number({ error: `${what} must be a number` }).refine(Number.isFinite, `${what} must be finite`);
const matrix = z.array(z.array(finite('matrix entries')));

const common = {
  n_samples: int('n_samples')
    .min(2, 'n_samples must be at least 2')
    .max(50_000_000, 'n_samples must be at most 50,000,000')
    .default(25_600),
  n_channels: int('n_channels')
    .min(1, 'n_channels must be at least 1')
    .max(512, 'n_channels must be at most 512')
    .default(11),
  means: z.union([z.enum(['zero', 'random']), matrix]).default('zero'),
  covariances: z.union([z.literal('random'), z.array(matrix)]).default('random'),
  n_covariances_act: int('n_covariances_act').min(1).max(100).default(1),
  observation_error: finite('observation_error').nonnegative('observation_error must be ≥ 0').default(0),
  n_sessions: int('n_sessions').min(1, 'n_sessions must be at least 1').max(1000).default(1),
  seed: int('seed').min(0, 'seed must be ≥ 0').max(Number.MAX_SAFE_INTEGER).default(0),
};

type Issue = { path: (string | number)[]; message: string };

function checkSquareStochastic(
  m: number[][],
  n: number,
  name: string,
  path: string,
  issues: Issue[],
  zeroDiagonalAllowed: boolean,
): void {
  if (m.length !== n || m.some((r) => r.length !== n)) {
    issues.push({ path: [path], message: `${name} must be ${n}×${n} (one row and column per state)` });
    return;
  }
  m.forEach((row, i) => {
    if (row.some((v) => v < 0))
      issues.push({ path: [path, i], message: `${name} row ${i} has a negative probability` });
    const sum = row.reduce((a, b) => a + b, 0);
    if (!zeroDiagonalAllowed && Math.abs(sum - 1) > 1e-6) {
      issues.push({ path: [path, i], message: `${name} row ${i} sums to ${sum}, not 1` });
    }
  });
}

function checkObservationShapes(
  p: { means: 'zero' | 'random' | number[][]; covariances: 'random' | number[][][]; n_channels: number },
  nModes: number,
  issues: Issue[],
): void {
  if (
    Array.isArray(p.means) &&
    (p.means.length !== nModes || p.means.some((r) => r.length !== p.n_channels))
  ) {
    issues.push({ path: ['means'], message: `means must be ${nModes}×${p.n_channels} (modes × channels)` });
  }
  if (Array.isArray(p.covariances)) {
    const bad =
      p.covariances.length !== nModes ||
      p.covariances.some((m) => m.length !== p.n_channels || m.some((r) => r.length !== p.n_channels));
    if (bad) {
      issues.push({
        path: ['covariances'],
        message: `covariances must be ${nModes}×${p.n_channels}×${p.n_channels} (modes × channels × channels)`,
      });
    } else {
      p.covariances.forEach((m, k) => {
        for (let i = 0; i < m.length; i++) {
          for (let j = 0; j < i; j++) {
            if (Math.abs(m[i]![j]! - m[j]![i]!) > 1e-9 * (Math.abs(m[i]![j]!) + 1)) {
              issues.push({
                path: ['covariances', k],
                message: `covariance ${k} is not symmetric at (${i}, ${j})`,
              });
              return;
            }
          }
        }
      });
    }
  }
}

/** Generated arrays are held in memory: refuse sizes that cannot be (1.6 GB of float32 per session). */
const maxValuesPerSession = 400_000_000;

function checkSize(p: { n_samples: number; n_channels: number }, issues: Issue[]): void {
  if (p.n_samples * p.n_channels > maxValuesPerSession) {
    issues.push({
      path: ['n_samples'],
      message: `n_samples × n_channels (${p.n_samples} × ${p.n_channels}) exceeds ${maxValuesPerSession.toLocaleString('en')} values per session`,
    });
  }
}

function addIssues(ctx: z.RefinementCtx, issues: Issue[]): void {
  for (const issue of issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
}

export const hmmMvnSchema = z
  .strictObject({
    kind: z.literal('HMM_MVN'),
    ...common,
    n_states: int('n_states').min(1, 'n_states must be at least 1').max(64).default(5),
    trans_prob: z.union([z.enum(['sequence', 'uniform']), matrix]).default('sequence'),
    stay_prob: finite('stay_prob')
      .min(0, 'stay_prob must be in [0, 1]')
      .max(1, 'stay_prob must be in [0, 1]')
      .default(0.9),
    sampling_frequency: finite('sampling_frequency')
      .positive('sampling_frequency must be positive')
      .default(250),
  })
  .superRefine((p, ctx) => {
    const issues: Issue[] = [];
    if (Array.isArray(p.trans_prob))
      checkSquareStochastic(p.trans_prob, p.n_states, 'trans_prob', 'trans_prob', issues, false);
    checkObservationShapes(p, p.n_states, issues);
    checkSize(p, issues);
    addIssues(ctx, issues);
  });

export const hsmmMvnSchema = z
  .strictObject({
    kind: z.literal('HSMM_MVN'),
    ...common,
    n_states: int('n_states').min(2, 'an HSMM needs at least 2 states').max(64).default(5),
    gamma_shape: finite('gamma_shape').positive('gamma_shape must be positive').default(10),
    gamma_scale: finite('gamma_scale').positive('gamma_scale must be positive').default(5),
    off_diagonal_trans_prob: matrix.optional(),
    full_trans_prob: matrix.optional(),
    sampling_frequency: finite('sampling_frequency')
      .positive('sampling_frequency must be positive')
      .default(250),
  })
  .superRefine((p, ctx) => {
    const issues: Issue[] = [];
    if (p.off_diagonal_trans_prob && p.full_trans_prob) {
      issues.push({
        path: ['full_trans_prob'],
        message: 'pass at most one of off_diagonal_trans_prob and full_trans_prob',
      });
    }
    for (const name of ['off_diagonal_trans_prob', 'full_trans_prob'] as const) {
      const m = p[name];
      if (!m) continue;
      checkSquareStochastic(m, p.n_states, name, name, issues, true);
      m.forEach((row, i) => {
        const offDiagonal = row.reduce((a, b, j) => a + (j === i ? 0 : b), 0);
        if (row.length === p.n_states && !(offDiagonal > 0)) {
          issues.push({
            path: [name, i],
            message: `${name} row ${i} has no probability of leaving state ${i}`,
          });
        }
      });
    }
    checkObservationShapes(p, p.n_states, issues);
    checkSize(p, issues);
    addIssues(ctx, issues);
  });

export const mixedSineMvnSchema = z
  .strictObject({
    kind: z.literal('MixedSine_MVN'),
    ...common,
    n_modes: int('n_modes').min(1, 'n_modes must be at least 1').max(64).default(6),
    relative_activation: z.array(finite('relative_activation')).default([1, 0.5, 0.5, 0.25, 0.25, 0.1]),
    amplitudes: z.array(finite('amplitudes')).default([6, 5, 4, 3, 2, 1]),
    frequencies: z
      .array(finite('frequencies').nonnegative('frequencies must be ≥ 0'))
      .default([1, 2, 3, 4, 6, 8]),
    sampling_frequency: finite('sampling_frequency')
      .positive('sampling_frequency must be positive')
      .default(250),
  })
  .superRefine((p, ctx) => {
    const issues: Issue[] = [];
    for (const name of ['relative_activation', 'amplitudes', 'frequencies'] as const) {
      if (p[name].length !== p.n_modes) {
        issues.push({
          path: [name],
          message: `${name} has ${p[name].length} entries but n_modes is ${p.n_modes}`,
        });
      }
    }
    checkObservationShapes(p, p.n_modes, issues);
    checkSize(p, issues);
    addIssues(ctx, issues);
  });

export const simulationSpecSchema = z.discriminatedUnion(
  'kind',
  [hmmMvnSchema, hsmmMvnSchema, mixedSineMvnSchema],
  {
    error: (issue) =>
      issue.code === 'invalid_union'
        ? `unknown simulation ${JSON.stringify((issue.input as { kind?: unknown } | undefined)?.kind)}; expected HMM_MVN, HSMM_MVN or MixedSine_MVN`
        : undefined,
  },
);

export type HmmMvnSpec = z.infer<typeof hmmMvnSchema>;
export type HsmmMvnSpec = z.infer<typeof hsmmMvnSchema>;
export type MixedSineMvnSpec = z.infer<typeof mixedSineMvnSchema>;
export type SimulationSpec = z.infer<typeof simulationSpecSchema>;
export type SimulationSpecInput = z.input<typeof simulationSpecSchema>;
export type SimulationKind = SimulationSpec['kind'];

export class SimulationSpecError extends Error {
  readonly issues: Array<{ path: string; message: string }>;
  constructor(issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '));
    this.name = 'SimulationSpecError';
    this.issues = issues;
  }
}

/** Parses a simulation spec (defaults filled in) or throws SimulationSpecError listing every problem. */
export function parseSimulationSpec(input: unknown): SimulationSpec {
  const result = simulationSpecSchema.safeParse(input);
  if (!result.success) {
    throw new SimulationSpecError(
      result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
    );
  }
  return result.data;
}
