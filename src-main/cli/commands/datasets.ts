import type { DatasetSummary } from '../../../src-shared/domain/dataset';
import { checkFlags, UsageError } from '../args';

import { withProjectSession, parseCommandArgs } from '../projectSession';

const BOOLEAN_FLAGS = ['json'];

export const datasetsHelp = `modescope datasets --project P [--json]

Lists the datasets of a project: sessions, channels, rate, duration, gaps and preparations.`;

/** A plain-text table with left-aligned text and right-aligned numbers. */
export function datasetTable(datasets: readonly DatasetSummary[]): string {
  const header = [
    'id',
    'name',
    'format',
    'sessions',
    'channels',
    'rate Hz',
    'duration s',
    'gaps %',
    'preparations',
  ];
  const rows = datasets.map((d) => {
    const samples = d.sessions.reduce((a, s) => a + s.nSamples, 0);
    const gapSamples = d.sessions.reduce((a, s) => a + (s.gapFraction ?? 0) * s.nSamples, 0);
    const preps = d.preparations.map((p) => `${p.id}:${p.status}`).join(' ') || '-';
    return [
      String(d.id),
      d.name,
      d.format,
      String(d.sessions.length),
      String(d.nChannels),
      String(d.samplingRate),
      (samples / d.samplingRate).toFixed(1),
      samples > 0 ? ((100 * gapSamples) / samples).toFixed(1) : '0.0',
      preps,
    ];
  });
  const numeric = [true, false, false, true, true, true, true, true, false];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

export async function datasetsCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, BOOLEAN_FLAGS);
  checkFlags(args, { boolean: [...BOOLEAN_FLAGS], value: ['project'] });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument ${args.positionals[0]}`);
  await withProjectSession(args, async (session) => {
    const datasets = await session.call('datasets.list', {});
    if (args.flags.has('json')) console.log(JSON.stringify(datasets));
    else if (datasets.length === 0) console.log('no datasets in this project');
    else console.log(datasetTable(datasets));
  });
}
