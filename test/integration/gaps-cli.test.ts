import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { formatEvaluationTable, parseGapRange } from '../../src-main/cli/commands/gaps';
import { npyBytes } from '../helpers/readersFixtures';
import { sineSession, tinyDvaeConfig } from './gaps-helpers';
import { buildTrainerBundle } from './training-harness';

let dir: string;
let project: string;
let entry: string;
const saved = { ...process.env };

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void err.push(a.join(' ')));
  try {
    const code = await runCli(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

function npy(name: string, nSamples: number, phase: number, gaps: [number, number][]): string {
  const file = path.join(dir, `${name}.npy`);
  writeFileSync(file, npyBytes('<f4', [nSamples, 3], false, sineSession(nSamples, phase, gaps)));
  return file;
}

beforeAll(async () => {
  entry = await buildTrainerBundle();
  dir = mkdtempSync(path.join(tmpdir(), 'cli-gaps-'));
  project = path.join(dir, 'study.modescope');
  process.env.MODESCOPE_CONFIG_DIR = path.join(dir, 'config');
  process.env.MODESCOPE_TRAINER_ENTRY = entry;
  process.env.MODESCOPE_MAX_BACKEND = 'cpu';
  const a = npy('a', 600, 0, [[100, 120]]);
  const b = npy('b', 500, 1, [[250, 262]]);
  const imported = await cli(
    'import',
    '--project',
    project,
    '--create',
    '--name',
    'train',
    '--sampling-rate',
    '100',
    a,
    b,
  );
  expect(imported.code, imported.err).toBe(0);
  const h1 = npy('held1', 1500, 2, []);
  const h2 = npy('held2', 1200, 3, []);
  const held = await cli(
    'import',
    '--project',
    project,
    '--name',
    'heldout',
    '--sampling-rate',
    '100',
    h1,
    h2,
  );
  expect(held.code, held.err).toBe(0);
}, 60_000);

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
  rmSync(entry, { force: true });
});

describe('modescope gaps', () => {
  it('parses gap ranges and formats the evaluation table', () => {
    expect(parseGapRange('100-500')).toEqual([100, 500]);
    expect(parseGapRange('250')).toEqual([250, 250]);
    expect(() => parseGapRange('500-100')).toThrow(/0 < MIN ≤ MAX/);
    expect(() => parseGapRange('abc')).toThrow(/expected MIN-MAX milliseconds/);
    const text = formatEvaluationTable({
      methods: ['model', 'linear'],
      rows: [
        {
          kind: 'gap',
          length_ms: 100,
          n_stretches: 4,
          n_values: 120,
          methods: { model: { rmse: 0.5, mae: 0.25 }, linear: { rmse: 1, mae: 0.75 } },
        },
      ],
    });
    expect(text.split('\n')).toEqual([
      'kind             length  stretches  values  model RMSE/MAE  linear RMSE/MAE',
      'all-channel gap  100 ms  4          120     0.5000/0.2500   1.000/0.7500',
    ]);
  });

  it('trains a VRAE, imputes, evaluates on held-out sessions and prints the table', async () => {
    const config = path.join(dir, 'vrae.json');
    writeFileSync(config, JSON.stringify(tinyDvaeConfig({ n_epochs: 2 })));
    const trained = await cli(
      'train',
      '--project',
      project,
      '--dataset',
      'train',
      '--model',
      'vrae',
      '--config',
      config,
      '--json',
    );
    expect(trained.code, trained.err).toBe(0);
    const run = JSON.parse(trained.out) as { id: number; modelKind: string; epochs: number };
    expect(run).toMatchObject({ modelKind: 'vrae', epochs: 2 });
    expect(trained.err).toMatch(/epoch 2\/2/);

    const imputed = await cli(
      'gaps',
      'impute',
      '--project',
      project,
      '--run',
      String(run.id),
      '--samples',
      '3',
      '--json',
    );
    expect(imputed.code, imputed.err).toBe(0);
    const reply = JSON.parse(imputed.out) as { sessions: { missingValues: number }[] };
    expect(reply.sessions.map((s) => s.missingValues)).toEqual([60, 36]);

    const evaluated = await cli(
      'gaps',
      'evaluate',
      '--project',
      project,
      '--run',
      String(run.id),
      '--dataset',
      'heldout',
      '--sessions',
      'held1,held2',
      '--gap-ms',
      '100-200',
      '--n-gaps',
      '4',
      '--dropouts',
      '2',
      '--seed',
      '1',
    );
    expect(evaluated.code, evaluated.err).toBe(0);
    const lines = evaluated.out.split('\n');
    expect(lines[0]).toMatch(
      /^evaluation \d+: 1 gap\(s\) and 1 dropout\(s\) per length \(100, 133\.333, 166\.667, 200 ms\) in each of 2 session\(s\), seed 1$/,
    );
    expect(lines[1]).toMatch(
      /^kind +length +stretches +values +model RMSE\/MAE +linear RMSE\/MAE +locf RMSE\/MAE +channel_mean RMSE\/MAE +gp RMSE\/MAE +autoregressive RMSE\/MAE +stacked RMSE\/MAE$/,
    );
    expect(lines.filter((l) => l.startsWith('all-channel gap'))).toHaveLength(5);
    expect(lines.find((l) => l.startsWith('all-channel gap  all'))).toMatch(/ 8 +/);
    expect(evaluated.err).toMatch(/per-channel GP/);

    const json = await cli(
      'gaps',
      'evaluate',
      '--project',
      project,
      '--run',
      String(run.id),
      '--dataset',
      'heldout',
      '--sessions',
      'held1,held2',
      '--gap-ms',
      '100-200',
      '--n-gaps',
      '4',
      '--dropouts',
      '2',
      '--seed',
      '1',
      '--order',
      '3',
      '--json',
    );
    const evaluation = JSON.parse(json.out) as {
      table: { rows: unknown[]; methods: string[] };
      settings: { autoregressiveOrder: number };
    };
    expect(evaluation.table.rows).toHaveLength(10);
    expect(evaluation.table.methods).toContain('autoregressive');
    expect(evaluation.table.methods).toContain('stacked');
    expect(evaluation.settings.autoregressiveOrder).toBe(3);

    const denoised = await cli(
      'gaps',
      'denoise',
      '--project',
      project,
      '--run',
      String(run.id),
      '--sessions',
      'a',
    );
    expect(denoised.code, denoised.err).toBe(0);
    expect(denoised.out).toMatch(/^denoised 1 session\(s\) offline: \d+$/);

    const listed = await cli('gaps', 'results', '--project', project, '--run', String(run.id));
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toMatch(/2 imputed session\(s\)/);
    expect(listed.out).toMatch(/session \d+ a\.npy: 60 imputed values in 1 stretch\(es\), denoised/);
    expect(listed.out.match(/^evaluation \d+/gm)).toHaveLength(2);
  }, 180_000);

  it('imputes with the multichannel autoregressive imputer and lists it', async () => {
    const imputed = await cli(
      'gaps',
      'impute',
      '--project',
      project,
      '--run',
      '1',
      '--imputer',
      'autoregressive',
      '--order',
      '4',
      '--samples',
      '2',
    );
    expect(imputed.code, imputed.err).toBe(0);
    expect(imputed.out.split('\n')).toEqual([
      expect.stringMatching(/^session \d+: imputed 60 missing values \(600 samples × 3 channels\)$/),
      expect.stringMatching(/^session \d+: imputed 36 missing values \(500 samples × 3 channels\)$/),
    ]);
    const listed = await cli('gaps', 'results', '--project', project, '--run', '1');
    expect(listed.out).toMatch(
      /session \d+ a\.npy: 60 imputed values in 1 stretch\(es\) by an autoregressive model of order 4/,
    );

    const stacked = await cli(
      'gaps',
      'impute',
      '--project',
      project,
      '--run',
      '1',
      '--imputer',
      'stacked',
      '--order',
      '3',
    );
    expect(stacked.code, stacked.err).toBe(0);
    const listedStacked = await cli('gaps', 'results', '--project', project, '--run', '1');
    expect(listedStacked.out).toMatch(
      /session \d+ a\.npy: 60 imputed values in 1 stretch\(es\) by the stacked GP \+ autoregressive imputer \(order 3\)/,
    );

    const badImputer = await cli('gaps', 'impute', '--project', project, '--run', '1', '--imputer', 'kalman');
    expect(badImputer.code).toBe(2);
    expect(badImputer.err).toMatch(/--imputer kalman: expected one of model, autoregressive, stacked/);
    const orderAlone = await cli('gaps', 'impute', '--project', project, '--run', '1', '--order', '4');
    expect(orderAlone.code).toBe(2);
    expect(orderAlone.err).toMatch(
      /--order sets the autoregressive \(or stacked\) imputer: add --imputer autoregressive or --imputer stacked/,
    );
    const tooHigh = await cli(
      'gaps',
      'impute',
      '--project',
      project,
      '--run',
      '1',
      '--imputer',
      'autoregressive',
      '--order',
      '65',
    );
    expect(tooHigh.err).toMatch(/--order must be an integer from 1 to 64, got 65/);
    expect(tooHigh.code).toBe(2);
    const evaluateOrder = await cli(
      'gaps',
      'evaluate',
      '--project',
      project,
      '--run',
      '1',
      '--imputer',
      'autoregressive',
    );
    expect(evaluateOrder.err).toMatch(/gaps evaluate does not take --imputer/);
  });

  it('gives clear errors for bad input', async () => {
    const noAction = await cli('gaps', '--project', project, '--run', '1');
    expect(noAction.code).toBe(2);
    expect(noAction.err).toMatch(/gaps needs an action: impute, denoise, evaluate or results/);
    const missing = await cli('gaps', 'evaluate', '--project', project, '--run', '1', '--dataset', 'heldout');
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/needs --dataset, --sessions \(held out\), --gap-ms MIN-MAX and --n-gaps N/);
    const wrongFlag = await cli('gaps', 'results', '--project', project, '--run', '1', '--seed', '3');
    expect(wrongFlag.err).toMatch(/gaps results does not take --seed/);
    const noGaps = await cli('gaps', 'impute', '--project', project, '--run', '1', '--dataset', 'heldout');
    expect(noGaps.code).toBe(1);
    expect(noGaps.err).toMatch(/INVALID_INPUT: .*have no gaps or missing values: there is nothing to impute/);
    const badSession = await cli(
      'gaps',
      'impute',
      '--project',
      project,
      '--run',
      '1',
      '--dataset',
      'heldout',
      '--sessions',
      'nope',
    );
    expect(badSession.err).toMatch(/NOT_FOUND: dataset heldout has no session "nope"/);
    const badModel = await cli('train', '--project', project, '--dataset', 'train', '--model', 'hmm');
    expect(badModel.err).toMatch(/--model hmm: expected one of dynemo, vrae, vosp/);
  });
});
