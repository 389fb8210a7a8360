import { readFileSync } from 'node:fs';
import {
  parsePipeline,
  PipelineValidationError,
  pipelineFromJson,
  type PreparationPipeline,
} from '../../../src-shared/domain/preparation';
import { RpcError } from '../../../src-shared/rpc/errors';
import { checkFlags, type ParsedArgs, UsageError } from '../args';

import { resolveDataset, stringFlag, withProjectSession, parseCommandArgs } from '../projectSession';

const BOOLEAN_FLAGS = ['create', 'json'];

export const prepareHelp = `modescope prepare --project P --dataset NAME|ID (--pipeline FILE | --steps STEPS) [--name NAME]

Runs a preparation pipeline over every session of a dataset and stores the result.
  --pipeline FILE   JSON: {"steps": [{"name": "tde_pca", "params": {...}}]} or an osl-dynamics
                    methods dictionary {"tde_pca": {"n_embeddings": 15, "n_pca_components": 80}}
  --steps STEPS     inline steps: 'filter:low_freq=1,high_freq=45;tde_pca:n_embeddings=15,n_pca_components=80'
  --name NAME       a name for the preparation
  --json            print the preparation summary as JSON`;

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** Parses `name:key=value,key=value;name…` into a pipeline (values: numbers, booleans, null, text). */
export function parseInlineSteps(text: string): PreparationPipeline {
  const steps = text
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const colon = s.indexOf(':');
      const name = (colon < 0 ? s : s.slice(0, colon)).trim();
      const params: Record<string, unknown> = {};
      if (colon >= 0) {
        for (const pair of s.slice(colon + 1).split(',')) {
          if (pair.trim() === '') continue;
          const eq = pair.indexOf('=');
          if (eq <= 0) throw new UsageError(`--steps: "${pair}" in step ${name} is not key=value`);
          params[pair.slice(0, eq).trim()] = scalar(pair.slice(eq + 1).trim());
        }
      }
      return { name, params };
    });
  if (steps.length === 0) throw new UsageError('--steps names no step');
  return parsePipeline({ steps });
}

function loadPipeline(args: ParsedArgs): PreparationPipeline {
  const file = stringFlag(args, 'pipeline');
  const inline = stringFlag(args, 'steps');
  if ((file === undefined) === (inline === undefined)) {
    throw new UsageError('give exactly one of --pipeline FILE and --steps STEPS');
  }
  try {
    if (inline !== undefined) return parseInlineSteps(inline);
    let text: string;
    try {
      text = readFileSync(file!, 'utf8');
    } catch (error) {
      throw new RpcError('NOT_FOUND', `cannot read pipeline file ${file}: ${(error as Error).message}`);
    }
    return pipelineFromJson(text);
  } catch (error) {
    if (error instanceof PipelineValidationError) {
      throw new RpcError('INVALID_INPUT', `invalid pipeline: ${error.message}`, { issues: error.issues });
    }
    throw error;
  }
}

export async function prepareCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, BOOLEAN_FLAGS);
  checkFlags(args, {
    boolean: [...BOOLEAN_FLAGS],
    value: ['project', 'dataset', 'pipeline', 'steps', 'name'],
  });
  const datasetRef = stringFlag(args, 'dataset');
  if (!datasetRef) throw new UsageError('--dataset NAME|ID is required');
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  const pipeline = loadPipeline(args);
  const name = stringFlag(args, 'name');
  await withProjectSession(args, async (session) => {
    const dataset = await resolveDataset(session, datasetRef);
    const prep = await session.runJob('datasets.prepare', {
      datasetId: dataset.id,
      pipeline,
      ...(name ? { name } : {}),
    });
    if (args.flags.has('json')) {
      console.log(JSON.stringify(prep));
      return;
    }
    const variance =
      prep.explainedVariance === null ? '' : `, explained variance ${prep.explainedVariance.toFixed(4)}`;
    console.log(
      `prepared dataset "${dataset.name}": preparation ${prep.id}, ${prep.sessionIds.length} session(s), ${prep.nChannels} channels at ${prep.samplingRate} Hz${variance}`,
    );
  });
}
