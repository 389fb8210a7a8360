import { readFileSync } from 'node:fs';
import { RpcError } from '../../../src-shared/rpc/errors';
import { checkFlags, UsageError } from '../args';

import { numberFlag, stringFlag, withProjectSession, parseCommandArgs } from '../projectSession';
import { describeDataset } from './import';

const BOOLEAN_FLAGS = ['create', 'json'];

export const simulateHelp = `modescope simulate --project P --name NAME (--spec FILE | --kind KIND) [options]

Simulates a dataset with known ground truth (osl-dynamics' simulation parameters).
  --spec FILE               JSON simulation spec, e.g. {"kind": "HMM_MVN", "n_states": 5}
  --kind KIND               HMM_MVN, HSMM_MVN or MixedSine_MVN (with the flags below)
  --n-samples N  --n-channels N  --n-states N  --n-modes N  --n-sessions N  --seed N
  --sampling-frequency HZ   --stay-prob P
  Flags override the same fields of --spec.
  --json                    print the dataset summary as JSON`;

const numericFlags: Record<string, string> = {
  'n-samples': 'n_samples',
  'n-channels': 'n_channels',
  'n-states': 'n_states',
  'n-modes': 'n_modes',
  'n-sessions': 'n_sessions',
  seed: 'seed',
  'sampling-frequency': 'sampling_frequency',
  'stay-prob': 'stay_prob',
};

export async function simulateCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, BOOLEAN_FLAGS);
  checkFlags(args, {
    boolean: [...BOOLEAN_FLAGS],
    value: ['project', 'name', 'spec', 'kind', ...Object.keys(numericFlags)],
  });
  const name = stringFlag(args, 'name');
  if (!name) throw new UsageError('--name NAME is required');
  const file = stringFlag(args, 'spec');
  let spec: Record<string, unknown> = {};
  if (file !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    } catch (error) {
      throw new RpcError('INVALID_INPUT', `cannot read simulation spec ${file}: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new RpcError('INVALID_INPUT', `simulation spec ${file} must hold a JSON object`);
    }
    spec = parsed as Record<string, unknown>;
  }
  const kind = stringFlag(args, 'kind');
  if (kind !== undefined) spec.kind = kind;
  if (spec.kind === undefined) throw new UsageError('give --spec FILE or --kind KIND');
  for (const [flag, field] of Object.entries(numericFlags)) {
    const v = numberFlag(args, flag);
    if (v !== undefined) spec[field] = v;
  }
  await withProjectSession(args, async (session) => {
    const summary = await session.runJob('datasets.simulate', {
      name,
      spec: spec as never,
    });
    console.log(args.flags.has('json') ? JSON.stringify(summary) : `simulated ${describeDataset(summary)}`);
  });
}
