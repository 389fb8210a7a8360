import { decodeArray } from '../../../src-shared/domain/encodedArray';
import { checkFlags, intFlag, UsageError } from '../args';
import { parseCommandArgs, withProjectSession, type ProjectSession } from '../projectSession';

export const resultsHelp = `modescope results --project P --run ID [--json]

Prints a run's summary: status, engine, epochs, free energy, the stored results, and each
mode's fractional occupancy (the share of time points where it has the largest α).
  --json    print the summary as JSON`;

/** Above this many α values the occupancies are skipped: the summary stays quick. */
const MAX_ALPHA_VALUES = 20_000_000;

/** Share of (non-NaN) time points at which each mode has the largest α, over every session. */
async function fractionalOccupancies(
  session: ProjectSession,
  runId: number,
  alpha: { sessionId: number | null; shape: number[] | null }[],
) {
  const nModes = alpha[0]?.shape?.[1];
  if (!nModes) return null;
  const total = alpha.reduce((n, a) => n + (a.shape ? a.shape[0]! * a.shape[1]! : 0), 0);
  if (total > MAX_ALPHA_VALUES) return null;
  const counts = new Float64Array(nModes);
  let points = 0;
  for (const a of alpha) {
    const window = await session.call('runs.resultArray', {
      runId,
      kind: 'alpha',
      ...(a.sessionId !== null ? { sessionId: a.sessionId } : {}),
    });
    const values = decodeArray(window.array);
    for (let t = 0; t < values.length / nModes; t++) {
      let best = -1;
      let bestValue = -Infinity;
      for (let k = 0; k < nModes; k++) {
        const v = values[t * nModes + k]!;
        if (v > bestValue) {
          bestValue = v;
          best = k;
        }
      }
      if (best < 0) continue;
      counts[best]! += 1;
      points++;
    }
  }
  return points === 0 ? null : Array.from(counts, (c) => c / points);
}

export async function resultsCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, ['json']);
  checkFlags(args, { boolean: ['json'], value: ['project', 'run'] });
  const runId = intFlag(args, 'run', 1, Number.MAX_SAFE_INTEGER);
  if (runId === undefined) throw new UsageError('--run ID is required');
  await withProjectSession(args, async (session) => {
    const detail = await session.call('runs.get', { runId });
    const results = await session.call('runs.results', { runId });
    const occupancies = await fractionalOccupancies(
      session,
      runId,
      results.filter((r) => r.kind === 'alpha'),
    );
    if (args.flags.has('json')) {
      const { log: _log, ...summary } = detail;
      console.log(JSON.stringify({ ...summary, results, fractionalOccupancies: occupancies }));
      return;
    }
    const lines = [
      `run ${detail.id}${detail.name ? ` (${detail.name})` : ''}: ${detail.modelKind}, ${detail.status}`,
      `  dataset ${detail.datasetId}${detail.preparationId !== null ? `, preparation ${detail.preparationId}` : ''}, seed ${detail.seed}`,
      `  epochs ${detail.epochs}${detail.timings?.trainMs != null ? ` in ${(detail.timings.trainMs / 1000).toFixed(1)} s` : ''}${detail.backend ? ` on ${detail.backend}` : ''}`,
      `  free energy ${detail.freeEnergy ?? '–'}`,
    ];
    if (detail.error) lines.push(`  error ${detail.error.code}: ${detail.error.message}`);
    if (occupancies) {
      lines.push(
        `  fractional occupancy: ${occupancies.map((f, k) => `mode ${k + 1} ${f.toFixed(3)}`).join(', ')}`,
      );
    }
    lines.push('  results:');
    for (const r of results) {
      lines.push(
        `    ${r.kind}${r.sessionId !== null ? ` (session ${r.sessionId})` : ''}${r.shape ? ` ${r.dtype} [${r.shape.join(', ')}]` : ''}`,
      );
    }
    if (detail.resumable) lines.push(`  resumable: modescope train --project P --resume ${detail.id}`);
    console.log(lines.join('\n'));
  });
}
