import type { DatasetSummary } from '../../../src-shared/domain/dataset';
import { sampleOrientations, type SampleOrientation } from '../../../src-shared/domain/recording';
import { checkFlags, UsageError } from '../args';

import { numberFlag, stringFlag, withProjectSession, parseCommandArgs } from '../projectSession';

const BOOLEAN_FLAGS = ['common-channels', 'create', 'json'];

export const importHelp = `modescope import --project P --name NAME [options] FILE...

Imports one or many recordings as the sessions of one new dataset.
  --project P           the project file (add --create to create it if missing)
  --name NAME           the dataset's name
  --channels a,b,c      keep only these channels, in this order (every file must hold them)
  --common-channels     keep the channels all files share (otherwise all files need the same channels)
  --orientation O       time-first or channel-first, for npy/mat/csv matrices
  --sampling-rate HZ    for formats that store no rate (npy, mat, csv)
  --field NAME          the .mat variable holding the data (e.g. X or EEG.data)
  --json                print the dataset summary as JSON`;

/** One line per session and a header line: what a person wants to see after an import. */
export function describeDataset(d: DatasetSummary): string {
  const seconds = d.sessions.reduce((a, s) => a + s.durationSeconds, 0);
  const lines = [
    `dataset "${d.name}" (id ${d.id}): ${d.sessions.length} session(s), ${d.nChannels} channels at ${d.samplingRate} Hz, ${seconds.toFixed(1)} s`,
  ];
  for (const s of d.sessions) {
    const gaps = s.gapFraction === null ? '' : `, ${(100 * s.gapFraction).toFixed(1)}% gaps`;
    lines.push(`  ${s.ordinal + 1}. ${s.label ?? s.sourcePath}: ${s.nSamples} samples${gaps}`);
  }
  return lines.join('\n');
}

export async function importCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, BOOLEAN_FLAGS);
  checkFlags(args, {
    boolean: [...BOOLEAN_FLAGS],
    value: ['project', 'name', 'channels', 'orientation', 'sampling-rate', 'field'],
  });
  const name = stringFlag(args, 'name');
  if (!name) throw new UsageError('--name NAME is required');
  if (args.positionals.length === 0) throw new UsageError('name at least one recording file to import');
  const orientation = stringFlag(args, 'orientation');
  if (orientation !== undefined && !(sampleOrientations as readonly string[]).includes(orientation)) {
    throw new UsageError(`--orientation must be ${sampleOrientations.join(' or ')}, got ${orientation}`);
  }
  const channels = stringFlag(args, 'channels')
    ?.split(',')
    .map((c) => c.trim())
    .filter((c) => c.length > 0);
  if (channels && args.flags.has('common-channels')) {
    throw new UsageError('use either --channels or --common-channels, not both');
  }
  const samplingRate = numberFlag(args, 'sampling-rate');
  const field = stringFlag(args, 'field');
  const options = {
    ...(orientation ? { orientation: orientation as SampleOrientation } : {}),
    ...(samplingRate !== undefined ? { samplingRate } : {}),
    ...(field ? { field } : {}),
  };
  await withProjectSession(args, async (session) => {
    const summary = await session.runJob('datasets.import', {
      name,
      files: args.positionals.map((path) => ({ path })),
      ...(Object.keys(options).length ? { options } : {}),
      ...(channels ? { channels } : {}),
      ...(args.flags.has('common-channels') ? { channelPolicy: 'common' as const } : {}),
    });
    console.log(args.flags.has('json') ? JSON.stringify(summary) : `imported ${describeDataset(summary)}`);
  });
}
