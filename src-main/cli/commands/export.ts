import path from 'node:path';
import { exportFormatSchema, type ExportFormatName } from '../../../src-shared/rpc/channels/exports';
import { checkFlags, intFlag, UsageError } from '../args';
import { parseCommandArgs, stringFlag, withProjectSession } from '../projectSession';

export const exportHelp = `modescope export --project P --run ID --out DIR [--format npy,mat,csv] [--no-report] [--no-spectra] [--overwrite] [--json]
modescope export --project P --run ID --array KIND [--session ID] --out FILE [--format npy|mat|csv] [--overwrite]

Writes a run's results into DIR in osl-dynamics' layout: model/config.json (re-run it with
\`modescope train --config DIR/model/config.json\`), model/run.json, inf_params/alp/<i>_<session>.npy,
inf_params/means.npy and covs.npy, summary_stats/fo.npy lt.npy intv.npy sr.npy, spectra/f.npy psd.npy
coh.npy, and report.html. DIR must be absent or empty unless --overwrite; nothing is left
half-written if the export fails or Ctrl+C cancels it.
  --format LIST   npy (default), mat, csv or several, comma-separated
  --no-report     leave out report.html
  --no-spectra    skip the mode spectra (they take the longest to compute)
  --array KIND    write one stored result array (alpha, theta_mean, theta_std, means, covariances…)
                  to FILE; --session names the session for per-session arrays; the format
                  defaults to FILE's extension
  --json          print the list of files written as JSON`;

function parseFormats(text: string): ExportFormatName[] {
  const formats = text
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '');
  if (formats.length === 0) throw new UsageError('--format needs at least one of npy, mat, csv');
  return [
    ...new Set(
      formats.map((f) => {
        const parsed = exportFormatSchema.safeParse(f);
        if (!parsed.success) throw new UsageError(`--format ${f}: choose npy, mat or csv`);
        return parsed.data;
      }),
    ),
  ];
}

const kib = (bytes: number) => (bytes < 10_240 ? `${bytes} B` : `${(bytes / 1024).toFixed(0)} KiB`);

export async function exportCommand(argv: readonly string[]): Promise<void> {
  const args = parseCommandArgs(argv, ['no-report', 'no-spectra', 'overwrite', 'json']);
  checkFlags(args, {
    boolean: ['no-report', 'no-spectra', 'overwrite', 'json'],
    value: ['project', 'run', 'out', 'format', 'array', 'session'],
  });
  const runId = intFlag(args, 'run', 1, Number.MAX_SAFE_INTEGER);
  if (runId === undefined) throw new UsageError('--run ID is required');
  const out = stringFlag(args, 'out');
  if (out === undefined) throw new UsageError('--out is required (a folder, or a file with --array)');
  const target = path.resolve(out);
  const overwrite = args.flags.has('overwrite');
  const json = args.flags.has('json');
  const kind = stringFlag(args, 'array');
  const formatText = stringFlag(args, 'format');

  if (kind !== undefined) {
    if (args.flags.has('no-report') || args.flags.has('no-spectra')) {
      throw new UsageError('--no-report and --no-spectra apply to a whole-run export, not to --array');
    }
    const sessionId = intFlag(args, 'session', 1, Number.MAX_SAFE_INTEGER);
    const formats = parseFormats(formatText ?? (path.extname(target).slice(1) || 'npy'));
    if (formats.length !== 1) throw new UsageError('--array writes one file: give one --format');
    await withProjectSession(args, async (session) => {
      const written = await session.call('exports.resultArray', {
        runId,
        kind,
        ...(sessionId !== undefined ? { sessionId } : {}),
        format: formats[0]!,
        path: target,
        overwrite,
      });
      if (json) console.log(JSON.stringify(written));
      else
        console.log(
          `wrote ${written.path}: ${written.dtype} [${written.shape.join(', ')}], ${kib(written.bytes)}`,
        );
    });
    return;
  }
  if (args.flags.has('session')) throw new UsageError('--session goes with --array');

  await withProjectSession(args, async (session) => {
    const result = await session.runJob('exports.run', {
      runId,
      folder: target,
      formats: parseFormats(formatText ?? 'npy'),
      report: !args.flags.has('no-report'),
      spectra: !args.flags.has('no-spectra'),
      overwrite,
    });
    if (json) {
      console.log(JSON.stringify(result));
      return;
    }
    for (const note of result.notes) console.error(`note: ${note}`);
    console.log(
      [
        `exported run ${result.runId} to ${result.folder}: ${result.files.length} files, ${kib(result.totalBytes)}`,
        ...result.files.map((f) => `  ${f.path}  ${kib(f.bytes)}`),
      ].join('\n'),
    );
  });
}
