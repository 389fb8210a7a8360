import type { DatasetSummary } from '../../../src-shared/domain/dataset';
import {
  gapImputerSchema,
  type GapEvaluation,
  type GapEvaluationTable,
  type GapImputerKind,
} from '../../../src-shared/rpc/channels/gaps';
import { RpcError } from '../../../src-shared/rpc/errors';
import { checkFlags, intFlag, UsageError, type ParsedArgs } from '../args';
import {
  parseCommandArgs,
  resolveDataset,
  stringFlag,
  withProjectSession,
  type ProjectSession,
} from '../projectSession';

export const gapsHelp = `modescope gaps impute   --project P --run ID [--dataset D [--preparation ID]] [--sessions a,b] [--imputer model|autoregressive|stacked] [--order N] [--iterations N] [--samples N] [--seed N] [--json]
modescope gaps denoise  --project P --run ID [--dataset D [--preparation ID]] [--sessions a,b] [--json]
modescope gaps evaluate --project P --run ID --dataset D [--preparation ID] --sessions a,b --gap-ms MIN-MAX --n-gaps N [--dropouts N] [--seed N] [--iterations N] [--order N] [--json]
modescope gaps results  --project P --run ID [--json]

Gap filling with a trained VRAE or VOSP run (train one with \`modescope train --model vrae\`).
  impute     fills the missing samples of the run's data (or of --dataset) with the model, with a
             per-value uncertainty from --samples posterior draws; stored as results of the run.
             --imputer autoregressive fills them instead with a multichannel autoregressive model
             of --order N lags (default 8, at most 64) fitted to each session's own observed values;
             it needs 2·N·channels fully observed samples per session and ignores --iterations.
             --imputer stacked combines that model's fill with the per-channel GP's, value by value,
             weighted by the distance from the observed edge (curves calibrated on synthetic
             100–500 ms gaps in the selected sessions' observed values); --order sets its AR part
  denoise    reconstructs every sample (online with a VOSP, offline with a VRAE); stored as results
  evaluate   hides --n-gaps all-channel gaps of MIN-MAX milliseconds (and --dropouts single-channel
             dropouts) in each held-out session, fills them with the model, with the baselines
             (linear, last observation carried forward, channel mean, per-channel GP) and with the
             multichannel autoregressive imputer (--order N lags, default 8) and the stacked GP +
             autoregressive imputer (calibrated on synthetic gaps in the observed values of these
             sessions and of the run's own), and prints RMSE/MAE on the hidden values; the table
             is stored with the run
  results    lists the imputed sessions and the stored evaluations
  --sessions a,b   session ids or labels of the dataset (a file's label with or without its extension)
  --json           print the reply as JSON`;

const VALUE_FLAGS = [
  'project',
  'run',
  'dataset',
  'preparation',
  'sessions',
  'iterations',
  'samples',
  'seed',
  'imputer',
  'order',
  'gap-ms',
  'n-gaps',
  'dropouts',
];

function requiredRun(args: ParsedArgs): number {
  const runId = intFlag(args, 'run', 1, Number.MAX_SAFE_INTEGER);
  if (runId === undefined) throw new UsageError('--run ID is required');
  return runId;
}

/** --sessions as ids or labels of the dataset's sessions. */
export function resolveSessions(dataset: DatasetSummary, text: string): number[] {
  const refs = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (refs.length === 0) throw new UsageError('--sessions needs at least one session id or label');
  return refs.map((ref) => {
    const found =
      (/^\d+$/.test(ref) ? dataset.sessions.find((s) => s.id === Number(ref)) : undefined) ??
      dataset.sessions.find((s) => s.label === ref) ??
      dataset.sessions.find((s) => s.label?.replace(/\.[^.]+$/, '') === ref);
    if (!found)
      throw new RpcError(
        'NOT_FOUND',
        `dataset ${dataset.name} has no session "${ref}" (its sessions: ${dataset.sessions.map((s) => s.label ?? s.id).join(', ')})`,
        { field: 'sessions' },
      );
    return found.id;
  });
}

/** --imputer model|autoregressive|stacked. */
export function imputerFlag(args: ParsedArgs): GapImputerKind | undefined {
  const text = stringFlag(args, 'imputer');
  if (text === undefined) return undefined;
  const parsed = gapImputerSchema.safeParse(text);
  if (!parsed.success)
    throw new UsageError(`--imputer ${text}: expected one of ${gapImputerSchema.options.join(', ')}`);
  return parsed.data;
}

/** "100-500" or "200" milliseconds. */
export function parseGapRange(text: string): [number, number] {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?))?\s*$/.exec(text);
  if (!match) throw new UsageError(`--gap-ms ${text}: expected MIN-MAX milliseconds, e.g. 100-500`);
  const lo = Number(match[1]);
  const hi = match[2] === undefined ? lo : Number(match[2]);
  if (!(lo > 0) || hi < lo)
    throw new UsageError(`--gap-ms ${text}: expected 0 < MIN ≤ MAX milliseconds, e.g. 100-500`);
  return [lo, hi];
}

const fmt = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toPrecision(4));

/** The evaluation table as aligned text: one row per (kind, length), RMSE and MAE per method. */
export function formatEvaluationTable(table: GapEvaluationTable): string {
  const header = ['kind', 'length', 'stretches', 'values', ...table.methods.map((m) => `${m} RMSE/MAE`)];
  const rows = table.rows.map((r) => [
    r.kind === 'gap' ? 'all-channel gap' : 'channel dropout',
    r.length_ms === null ? 'all' : `${r.length_ms} ms`,
    String(r.n_stretches),
    String(r.n_values),
    ...table.methods.map((m) => `${fmt(r.methods[m]?.rmse)}/${fmt(r.methods[m]?.mae)}`),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

interface Selection {
  datasetId?: number;
  preparationId?: number;
  sessionIds?: number[];
}

async function selection(session: ProjectSession, args: ParsedArgs): Promise<Selection> {
  const datasetRef = stringFlag(args, 'dataset');
  const preparationId = intFlag(args, 'preparation', 1, Number.MAX_SAFE_INTEGER);
  if (preparationId !== undefined && datasetRef === undefined)
    throw new UsageError('--preparation needs --dataset');
  const sessionsText = stringFlag(args, 'sessions');
  if (datasetRef === undefined) {
    if (sessionsText === undefined) return {};
    const run = await session.call('runs.get', { runId: requiredRun(args) });
    const dataset = (await session.call('datasets.list', {})).find((d) => d.id === run.datasetId)!;
    return { sessionIds: resolveSessions(dataset, sessionsText) };
  }
  const dataset = await resolveDataset(session, datasetRef);
  return {
    datasetId: dataset.id,
    ...(preparationId !== undefined ? { preparationId } : {}),
    ...(sessionsText !== undefined ? { sessionIds: resolveSessions(dataset, sessionsText) } : {}),
  };
}

function printEvaluation(e: GapEvaluation): void {
  console.log(
    `evaluation ${e.id}: ${e.perLength.gaps} gap(s) and ${e.perLength.dropouts} dropout(s) per length (${e.lengthsMs.join(', ')} ms) in each of ${e.settings.sessionIds.length} session(s), seed ${e.settings.seed}`,
  );
  console.log(formatEvaluationTable(e.table));
}

export async function gapsCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, ['json']);
  checkFlags(args, { boolean: ['json'], value: VALUE_FLAGS });
  const action = args.positionals[0];
  const json = args.flags.get('json') === true;
  if (!action || !['impute', 'denoise', 'evaluate', 'results'].includes(action))
    throw new UsageError(
      `gaps needs an action: impute, denoise, evaluate or results (got ${action ?? 'none'})`,
    );
  if (args.positionals.length > 1) throw new UsageError(`unexpected argument ${args.positionals[1]}`);
  const runId = requiredRun(args);
  const allowed: Record<string, string[]> = {
    impute: ['dataset', 'preparation', 'sessions', 'imputer', 'order', 'iterations', 'samples', 'seed'],
    denoise: ['dataset', 'preparation', 'sessions'],
    evaluate: [
      'dataset',
      'preparation',
      'sessions',
      'gap-ms',
      'n-gaps',
      'dropouts',
      'seed',
      'iterations',
      'order',
    ],
    results: [],
  };
  for (const flag of args.flags.keys())
    if (!['project', 'run', 'json', ...allowed[action]!].includes(flag))
      throw new UsageError(`gaps ${action} does not take --${flag}`);
  const iterations = intFlag(args, 'iterations', 1, 100);
  const seed = intFlag(args, 'seed', 0, Number.MAX_SAFE_INTEGER);
  const imputer = imputerFlag(args);
  const order = intFlag(args, 'order', 1, 64);
  if (order !== undefined && action === 'impute' && imputer !== 'autoregressive' && imputer !== 'stacked')
    throw new UsageError(
      '--order sets the autoregressive (or stacked) imputer: add --imputer autoregressive or --imputer stacked',
    );

  await withProjectSession(args, async (session) => {
    switch (action) {
      case 'impute': {
        const samples = intFlag(args, 'samples', 0, 500);
        const reply = await session.runJob('gaps.impute', {
          runId,
          ...(await selection(session, args)),
          ...(imputer !== undefined ? { imputer } : {}),
          ...(order !== undefined ? { autoregressiveOrder: order } : {}),
          ...(iterations !== undefined ? { iterations } : {}),
          ...(samples !== undefined ? { samples } : {}),
          ...(seed !== undefined ? { seed } : {}),
        });
        if (json) return console.log(JSON.stringify(reply));
        for (const s of reply.sessions)
          console.log(
            `session ${s.sessionId}: imputed ${s.missingValues} missing values (${s.nSamples} samples × ${s.nChannels} channels)`,
          );
        if (reply.skippedSessionIds.length)
          console.log(`no missing values in session(s) ${reply.skippedSessionIds.join(', ')}: skipped`);
        return;
      }
      case 'denoise': {
        const reply = await session.runJob('gaps.denoise', { runId, ...(await selection(session, args)) });
        if (json) return console.log(JSON.stringify(reply));
        console.log(
          `denoised ${reply.sessions.length} session(s) ${reply.mode}: ${reply.sessions.map((s) => s.sessionId).join(', ')}`,
        );
        return;
      }
      case 'evaluate': {
        const datasetRef = stringFlag(args, 'dataset');
        const sessionsText = stringFlag(args, 'sessions');
        const gapMs = stringFlag(args, 'gap-ms');
        const nGaps = intFlag(args, 'n-gaps', 1, 10_000);
        if (
          datasetRef === undefined ||
          sessionsText === undefined ||
          gapMs === undefined ||
          nGaps === undefined
        )
          throw new UsageError(
            'gaps evaluate needs --dataset, --sessions (held out), --gap-ms MIN-MAX and --n-gaps N',
          );
        const gapLengthsMs = parseGapRange(gapMs);
        const sel = await selection(session, args);
        const dropouts = intFlag(args, 'dropouts', 0, 10_000);
        const reply = await session.runJob('gaps.evaluate', {
          runId,
          datasetId: sel.datasetId!,
          ...(sel.preparationId !== undefined ? { preparationId: sel.preparationId } : {}),
          sessionIds: sel.sessionIds!,
          gapLengthsMs,
          nGaps,
          ...(dropouts !== undefined ? { singleChannelDropouts: dropouts } : {}),
          ...(seed !== undefined ? { seed } : {}),
          ...(iterations !== undefined ? { iterations } : {}),
          ...(order !== undefined ? { autoregressiveOrder: order } : {}),
        });
        if (json) return console.log(JSON.stringify(reply));
        printEvaluation(reply);
        return;
      }
      case 'results': {
        const reply = await session.call('gaps.results', { runId });
        if (json) return console.log(JSON.stringify(reply));
        console.log(`run ${runId} (${reply.modelKind}): ${reply.sessions.length} imputed session(s)`);
        for (const s of reply.sessions)
          console.log(
            `  session ${s.sessionId} ${s.label}: ${s.missingValues} imputed values in ${s.gaps.length}${s.gapsTruncated ? '+' : ''} stretch(es)${s.imputer === 'autoregressive' ? ` by an autoregressive model of order ${s.autoregressiveOrder}` : s.imputer === 'stacked' ? ` by the stacked GP + autoregressive imputer (order ${s.autoregressiveOrder})` : ''}${s.hasDenoised ? ', denoised' : ''}`,
          );
        for (const e of reply.evaluations) printEvaluation(e);
        return;
      }
    }
  });
}
