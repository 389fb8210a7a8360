import { readFileSync } from 'node:fs';
import { trainableModelKinds, type EpochRecordData, type ModelKind } from '../../../src-shared/domain/run';
import { epochStage } from '../../../src-shared/domain/runProgress';
import { ConfigFileError, DynemoConfigError, importDynemoConfig } from '../../../src-shared/models/dynemo';
import { RpcError } from '../../../src-shared/rpc/errors';
import { checkFlags, intFlag, parseArgs, UsageError, type ParsedArgs } from '../args';
import { resolveDataset, stringFlag, withProjectSession, type ProjectSession } from '../projectSession';

export const trainHelp = `modescope train --project P --dataset NAME|ID [--preparation ID] [--config FILE] [--set key=value …] [--seed N] [--name NAME]
modescope train --project P --resume RUN_ID

Trains a model in a separate training process and prints one line per epoch (loss, NLL, KL, KL
factor, learning rate, ETA). Ctrl+C cancels cleanly; the run keeps its checkpoints and
\`--resume RUN_ID\` continues it exactly where it stopped.
  --config FILE     model config, JSON or osl-dynamics YAML (a flat mapping or a pipeline file's
                    config_kwargs); n_channels defaults to the data's channel count
  --set key=value   overrides one config field (repeatable), e.g. --set n_modes=6 --set n_epochs=20
  --seed N          the run's seed (same seed, same data, same config: the same run)
  --model KIND      dynemo (the default), vrae or vosp (gap-aware models: impute and denoise
                    with \`modescope gaps\`); their --config is JSON
  --json            print the final run summary as JSON`;

const FINAL = new Set(['completed', 'cancelled', 'failed', 'interrupted']);

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new UsageError(`--set: cannot read ${text} as JSON`);
    }
  }
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

/** `--set` may repeat, which the shared parser (one value per flag) cannot hold: take them out first. */
export function splitSetFlags(argv: readonly string[]): { rest: string[]; sets: Record<string, unknown> } {
  const rest: string[] = [];
  const sets: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    let pair: string | undefined;
    if (a === '--set') {
      pair = argv[++i];
      if (pair === undefined) throw new UsageError('--set needs key=value');
    } else if (a.startsWith('--set=')) pair = a.slice('--set='.length);
    else {
      rest.push(a);
      continue;
    }
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--set ${pair}: expected key=value`);
    sets[pair.slice(0, eq).trim()] = scalar(pair.slice(eq + 1).trim());
  }
  return { rest, sets };
}

function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  const whole = Math.round(s);
  return whole >= 60 ? `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
}

const num = (v: number | null, digits = 4) => (v === null ? '–' : Number(v).toPrecision(digits));

export function formatEpochLine(stage: string, e: EpochRecordData, etaSeconds: number | null): string {
  const eta = formatSeconds(etaSeconds);
  return `${stage}  loss ${num(e.loss, 6)}  nll ${num(e.nll, 6)}  kl ${num(e.kl)}  kl_factor ${num(e.klFactor, 3)}  lr ${num(e.lr, 3)}${eta ? `  ETA ${eta}` : ''}`;
}

function readConfig(file: string, nChannels: number, model: ModelKind): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RpcError('INVALID_INPUT', `cannot read config file ${file}: ${(error as Error).message}`, {
      field: 'config',
    });
  }
  if (model !== 'dynemo') return readJsonConfig(file, text);
  try {
    return importDynemoConfig(text, { n_channels: nChannels }) as unknown as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConfigFileError || error instanceof DynemoConfigError) {
      throw new RpcError('INVALID_INPUT', `config file ${file}: ${error.message}`, { field: 'config' });
    }
    throw error;
  }
}

function readJsonConfig(file: string, text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RpcError('INVALID_INPUT', `config file ${file} is not JSON: ${(error as Error).message}`, {
      field: 'config',
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new RpcError('INVALID_INPUT', `config file ${file} must hold a JSON object of config fields`, {
      field: 'config',
    });
  return value as Record<string, unknown>;
}

/** Follows a run until it ends, printing epoch lines; Ctrl+C cancels it. */
async function follow(
  session: ProjectSession,
  jobId: string,
  start: () => Promise<{ id: number }>,
): Promise<{ runId: number; status: string; message?: string }> {
  const statuses: { runId: number; status: string; message?: string }[] = [];
  let runId: number | null = null;
  let settle: (() => void) | null = null;
  // ETA from this session's own pace: a resumed run's earlier epochs took no time here.
  const startedAt = Date.now();
  let firstIndex: number | null = null;
  const unsubscribe = session.services.events.onAny((event, payload) => {
    if (event === 'run.status') {
      statuses.push(payload as { runId: number; status: string; message?: string });
      settle?.();
    } else if (event === 'run.epoch') {
      const { epoch, plannedEpochs } = payload as { epoch: EpochRecordData; plannedEpochs: number };
      firstIndex ??= epoch.index;
      const done = epoch.index - firstIndex + 1;
      const remaining = plannedEpochs - epoch.index - 1;
      const eta = remaining > 0 ? (((Date.now() - startedAt) / 1000) * remaining) / done : null;
      console.error(formatEpochLine(epochStage(epoch.label, epoch.index, plannedEpochs), epoch, eta));
    } else if (event === 'run.log') {
      const l = payload as { runId: number; level: string; message: string };
      if (l.runId === runId && l.level !== 'info') console.error(`${l.level}: ${l.message}`);
    }
  });
  const onInterrupt = () => {
    console.error('cancelling… (the run keeps its checkpoints)');
    session.services.jobs.cancel(jobId);
  };
  process.on('SIGINT', onInterrupt);
  try {
    try {
      runId = (await start()).id;
    } catch (error) {
      // Cancelled while the process was starting: the run exists and says so.
      if (!(error instanceof RpcError && error.code === 'CANCELLED')) throw error;
      const cancelled = statuses.find((s) => s.status === 'cancelled');
      if (!cancelled) throw error;
      runId = cancelled.runId;
    }
    const id = runId;
    const final = () => statuses.find((s) => s.runId === id && FINAL.has(s.status));
    while (!final()) await new Promise<void>((resolve) => (settle = resolve));
    return final()!;
  } finally {
    process.off('SIGINT', onInterrupt);
    unsubscribe();
  }
}

function startArgs(args: ParsedArgs): void {
  checkFlags(args, {
    boolean: ['json'],
    value: ['project', 'dataset', 'preparation', 'config', 'seed', 'name', 'model', 'resume'],
  });
}

export async function trainCommand(argv: readonly string[]): Promise<void> {
  const { rest, sets } = splitSetFlags(argv);
  const json = rest.includes('--json');
  const args = parseArgs(rest.filter((a) => a !== '--json'));
  if (json) args.flags.set('json', true);
  startArgs(args);
  const resume = intFlag(args, 'resume', 1, Number.MAX_SAFE_INTEGER);
  const seed = intFlag(args, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const modelFlag = stringFlag(args, 'model') ?? 'dynemo';
  if (!(trainableModelKinds as readonly string[]).includes(modelFlag))
    throw new UsageError(`--model ${modelFlag}: expected one of ${trainableModelKinds.join(', ')}`);
  const model = modelFlag as ModelKind;
  if (resume !== undefined && args.flags.has('model'))
    throw new UsageError('--resume continues a run with its own model: leave out --model');
  if (
    resume !== undefined &&
    (args.flags.has('dataset') || args.flags.has('config') || Object.keys(sets).length)
  ) {
    throw new UsageError(
      '--resume continues a run as it was configured: leave out --dataset, --config and --set',
    );
  }
  if (resume === undefined && !args.flags.has('dataset'))
    throw new UsageError('--dataset NAME|ID is required');

  await withProjectSession(args, async (session) => {
    const jobId = `cli-train-${process.pid}-${Date.now()}`;
    const started = Date.now();
    let outcome: { runId: number; status: string; message?: string };
    if (resume !== undefined) {
      outcome = await follow(session, jobId, () => session.call('runs.resume', { runId: resume, jobId }));
    } else {
      const dataset = await resolveDataset(session, stringFlag(args, 'dataset')!);
      const preparationId = intFlag(args, 'preparation', 1, Number.MAX_SAFE_INTEGER);
      const preparation =
        preparationId === undefined ? undefined : dataset.preparations.find((p) => p.id === preparationId);
      if (preparationId !== undefined && !preparation) {
        throw new RpcError('NOT_FOUND', `dataset ${dataset.name} has no preparation ${preparationId}`, {
          field: 'preparation',
        });
      }
      const nChannels = preparation?.nChannels ?? dataset.nChannels;
      const file = stringFlag(args, 'config');
      const config: Record<string, unknown> = {
        ...(file === undefined ? {} : readConfig(file, nChannels, model)),
        ...sets,
        ...(seed !== undefined ? { seed } : {}),
      };
      const name = stringFlag(args, 'name');
      outcome = await follow(session, jobId, () =>
        session.call('runs.start', {
          jobId,
          datasetId: dataset.id,
          ...(preparationId !== undefined ? { preparationId } : {}),
          modelKind: model,
          config,
          ...(name !== undefined ? { name } : {}),
        }),
      );
    }
    const detail = await session.call('runs.get', { runId: outcome.runId });
    if (json) console.log(JSON.stringify(detail));
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    switch (outcome.status) {
      case 'completed':
        if (!json) {
          console.log(
            `run ${detail.id} completed in ${seconds} s: ${detail.epochs} epochs, free energy ${detail.freeEnergy ?? '–'} (${detail.backend ?? 'engine unknown'})`,
          );
        }
        return;
      case 'cancelled':
        throw new RpcError(
          'CANCELLED',
          `run ${detail.id} cancelled after ${detail.epochs} epochs; continue it with: modescope train --project ${session.services.projects.require().path} --resume ${detail.id}`,
          { runId: detail.id },
        );
      default:
        throw new RpcError(
          'INTERNAL',
          `run ${detail.id} ${outcome.status}: ${detail.error?.message ?? outcome.message ?? ''}`,
          {
            runId: detail.id,
          },
        );
    }
  });
}
