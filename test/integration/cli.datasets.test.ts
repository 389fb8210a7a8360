import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { ProjectStore } from '../../src-main/store/projectStore';
import { DatasetRepository } from '../../src-main/store/datasetRepository';
import { arrayInfo } from '../../src-main/store/arrayStore';
import { eegDir } from '../helpers/readersData';

const eegmmidb = ['S001R01', 'S001R04', 'S002R01', 'S003R01'].map((r) =>
  path.join(eegDir, 'raw', `eegmmidb_${r}.edf`),
);

let dir: string;
let project: string;
const savedConfigDir = process.env.MODESCOPE_CONFIG_DIR;

/** Runs the CLI in this process and captures what it prints. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  return cliWatching(() => undefined, ...argv);
}

/** As `cli`, calling `onError` with every line written to stderr (progress included) as it comes. */
async function cliWatching(
  onError: (line: string) => void,
  ...argv: string[]
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    const line = a.join(' ');
    err.push(line);
    onError(line);
  });
  try {
    const code = await runCli(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-datasets-'));
  project = path.join(dir, 'study.modescope');
  process.env.MODESCOPE_CONFIG_DIR = path.join(dir, 'config');
});

afterAll(() => {
  if (savedConfigDir === undefined) delete process.env.MODESCOPE_CONFIG_DIR;
  else process.env.MODESCOPE_CONFIG_DIR = savedConfigDir;
  rmSync(dir, { recursive: true, force: true });
});

describe('modescope import / prepare / simulate / datasets', () => {
  it('imports the four EEGMMIDB recordings as one four-session dataset and prepares it with tde_pca', async () => {
    const imported = await cli('import', '--project', project, '--create', '--name', 'eegmmidb', ...eegmmidb);
    expect(imported.err).not.toMatch(/modescope:/);
    expect(imported.code).toBe(0);
    expect(imported.out).toMatch(
      /^imported dataset "eegmmidb" \(id 1\): 4 session\(s\), 64 channels at 160 Hz/,
    );
    expect(imported.out).toContain('2. eegmmidb_S001R04.edf: 20000 samples, 0.0% gaps');
    expect(imported.err).toMatch(/^reading eegmmidb_S00\dR0\d\.edf \([1-4] of 4\) \d+%$/m);
    expect(imported.err.split('\n').at(-1)).toMatch(/100%$/);

    // The osl-dynamics methods dictionary form of a pipeline.
    const pipeline = path.join(dir, 'pipeline.json');
    writeFileSync(
      pipeline,
      JSON.stringify({ tde_pca: { n_embeddings: 15, n_pca_components: 80 }, standardize: {} }),
    );
    const prepared = await cli(
      'prepare',
      '--project',
      project,
      '--dataset',
      'eegmmidb',
      '--pipeline',
      pipeline,
    );
    expect(prepared.err).not.toMatch(/modescope:/);
    expect(prepared.code).toBe(0);
    expect(prepared.out).toMatch(
      /^prepared dataset "eegmmidb": preparation 1, 4 session\(s\), 80 channels at 160 Hz, explained variance 0\.\d{4}$/,
    );
    expect(prepared.err).toMatch(/tde_pca/);

    // What the CLI stored: four prepared sessions of 80 components, edges trimmed by 7 samples each.
    const store = ProjectStore.open(project, { readOnly: true });
    try {
      const repo = new DatasetRepository(store);
      const sessions = repo.sessions(1);
      expect(sessions.map((s) => s.nSamples)).toEqual([9760, 20000, 9760, 9760]);
      expect(sessions.map((s) => s.sourceSha256?.slice(0, 8))).toEqual([
        '4743b736',
        '3d161f88',
        'd542689b',
        '2af68afa',
      ]);
      const outputs = repo.preparationOutputs(1);
      expect(outputs).toHaveLength(4);
      expect(outputs.map((o) => arrayInfo(store, o.arrayId).shape)).toEqual(
        sessions.map((s) => [s.nSamples - 14, 80]),
      );
      expect(repo.preparation(1).pipeline).toEqual({
        steps: [
          {
            name: 'tde_pca',
            params: { n_embeddings: 15, n_pca_components: 80, whiten: false, use_raw: false },
          },
          { name: 'standardize', params: { use_raw: false } },
        ],
      });
    } finally {
      store.close();
    }

    const listed = await cli('datasets', '--project', project);
    expect(listed.code).toBe(0);
    const lines = listed.out.split('\n');
    expect(lines[0]).toMatch(
      /^id\s+name\s+format\s+sessions\s+channels\s+rate Hz\s+duration s\s+gaps %\s+preparations$/,
    );
    expect(lines[1]).toMatch(/^ 1\s+eegmmidb\s+edf\s+4\s+64\s+160\s+308\.0\s+0\.0\s+1:done$/);
  });

  it('simulates from flags and prepares with inline steps', async () => {
    const sim = await cli(
      'simulate',
      '--project',
      project,
      '--name',
      'hmm',
      '--kind',
      'HMM_MVN',
      '--n-samples',
      '2000',
      '--n-channels',
      '5',
      '--seed',
      '3',
    );
    expect(sim.code).toBe(0);
    expect(sim.out).toMatch(
      /^simulated dataset "hmm" \(id \d+\): 1 session\(s\), 5 channels at 250 Hz, 8\.0 s/,
    );
    const prep = await cli(
      'prepare',
      '--project',
      project,
      '--dataset',
      'hmm',
      '--steps',
      'filter:low_freq=1,high_freq=45;tde_pca:n_embeddings=3,n_pca_components=4',
      '--json',
    );
    expect(prep.code).toBe(0);
    const summary = JSON.parse(prep.out) as { status: string; nChannels: number; pipeline: unknown };
    expect(summary.status).toBe('done');
    expect(summary.nChannels).toBe(4);
    const json = await cli('datasets', '--project', project, '--json');
    expect((JSON.parse(json.out) as { name: string }[]).map((d) => d.name)).toEqual(['eegmmidb', 'hmm']);
  });

  it('cancels the running job on Ctrl+C and leaves the project as it was', async () => {
    let interrupted = false;
    const result = await cliWatching(
      (line) => {
        if (!interrupted && line.startsWith('reading ')) {
          interrupted = true;
          process.emit('SIGINT');
        }
      },
      'import',
      '--project',
      project,
      '--name',
      'interrupted',
      ...eegmmidb,
    );
    expect(interrupted).toBe(true);
    expect(result.code).toBe(1);
    expect(result.err).toContain('cancelling…');
    expect(result.err.split('\n').at(-1)).toBe('modescope: CANCELLED: import cancelled');
    expect(process.listenerCount('SIGINT')).toBe(0);
    const listed = await cli('datasets', '--project', project, '--json');
    expect((JSON.parse(listed.out) as { name: string }[]).map((d) => d.name)).toEqual(['eegmmidb', 'hmm']);
  });

  it('exits 2 on usage errors and 1 on operation errors, with the error code', async () => {
    const noName = await cli('import', '--project', project, eegmmidb[0]!);
    expect(noName.code).toBe(2);
    expect(noName.err).toBe('modescope: --name NAME is required');
    const unknown = await cli('datasets', '--project', project, '--colour');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toBe('modescope: unknown option --colour');
    const both = await cli('prepare', '--project', project, '--dataset', 'hmm');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(/exactly one of --pipeline FILE and --steps STEPS/);

    const missingProject = await cli('datasets', '--project', path.join(dir, 'nope.modescope'));
    expect(missingProject.code).toBe(1);
    expect(missingProject.err).toMatch(
      /^modescope: NOT_FOUND: project .*nope\.modescope does not exist \(add --create/,
    );
    const missingFile = await cli(
      'import',
      '--project',
      project,
      '--name',
      'x',
      path.join(dir, 'absent.edf'),
    );
    expect(missingFile.code).toBe(1);
    expect(missingFile.err).toMatch(/^modescope: NOT_FOUND: absent\.edf: file not found/m);
    const badStep = await cli(
      'prepare',
      '--project',
      project,
      '--dataset',
      'hmm',
      '--steps',
      'tde:n_embeddings=4',
    );
    expect(badStep.code).toBe(1);
    expect(badStep.err).toMatch(
      /INVALID_INPUT: invalid pipeline: steps\.0\.params\.n_embeddings: n_embeddings must be odd/,
    );
    const noDataset = await cli(
      'prepare',
      '--project',
      project,
      '--dataset',
      'other',
      '--steps',
      'standardize',
    );
    expect(noDataset.code).toBe(1);
    expect(noDataset.err).toMatch(
      /NOT_FOUND: no dataset "other" in this project \(there are: eegmmidb, hmm\)/,
    );
    const mismatch = await cli(
      'import',
      '--project',
      project,
      '--name',
      'mixed',
      eegmmidb[0]!,
      path.join(eegDir, 'raw', 'eeglab_data.set'),
    );
    expect(mismatch.code).toBe(1);
    expect(mismatch.err).toMatch(
      /INVALID_INPUT: eeglab_data\.set is sampled at 128 Hz but eegmmidb_S001R01\.edf at 160 Hz/,
    );
    // Nothing of the failed commands reached the project, and its lock was released each time.
    const listed = await cli('datasets', '--project', project, '--json');
    expect((JSON.parse(listed.out) as { name: string }[]).map((d) => d.name)).toEqual(['eegmmidb', 'hmm']);
  });
});
