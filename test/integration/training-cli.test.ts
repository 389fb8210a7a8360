import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src-main/cli/main';
import { splitSetFlags } from '../../src-main/cli/commands/train';
import { buildTrainerBundle, tinyDynemoConfig } from './training-harness';

let dir: string;
let project: string;
let entry: string;
const saved = { ...process.env };

async function cli(onError: (line: string) => void, ...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    err.push(a.join(' '));
    onError(a.join(' '));
  });
  try {
    const code = await runCli(argv);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

beforeAll(async () => {
  entry = await buildTrainerBundle();
  dir = mkdtempSync(path.join(tmpdir(), 'cli-train-'));
  project = path.join(dir, 'study.modescope');
  process.env.MODESCOPE_CONFIG_DIR = path.join(dir, 'config');
  process.env.MODESCOPE_TRAINER_ENTRY = entry;
  process.env.MODESCOPE_MAX_BACKEND = 'cpu';
  const sim = await cli(
    () => undefined,
    ...'simulate --project'.split(' '),
    project,
    ...'--create --name sim --kind HMM_MVN --n-samples 1000 --n-channels 4 --n-states 3 --n-sessions 2 --seed 2'.split(
      ' ',
    ),
  );
  expect(sim.code).toBe(0);
});

afterAll(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
  rmSync(entry, { force: true });
});

describe('modescope train and results', () => {
  it('reads repeated --set flags as typed values', () => {
    expect(splitSetFlags(['train', '--set', 'n_modes=6', '--set=learn_means=true', '--seed', '3'])).toEqual({
      rest: ['train', '--seed', '3'],
      sets: { n_modes: 6, learn_means: true },
    });
    expect(() => splitSetFlags(['--set', 'n_modes'])).toThrow(/expected key=value/);
  });

  it('trains from a YAML config with --set overrides, prints epoch lines, and summarises the results', async () => {
    const { n_epochs: _n, ...rest } = tinyDynemoConfig();
    const yaml = Object.entries(rest)
      .map(([k, v]) => `${k}: ${String(v)}`)
      .join('\n');
    const file = path.join(dir, 'dynemo.yml');
    writeFileSync(file, `train_dynemo:\n  config_kwargs:\n${yaml.replace(/^/gm, '    ')}\n`);
    const train = await cli(
      () => undefined,
      'train',
      '--project',
      project,
      '--dataset',
      'sim',
      '--config',
      file,
      '--set',
      'n_epochs=2',
      '--seed',
      '4',
    );
    expect(train.err).toMatch(/epoch 1\/2 .*loss -?\d.*nll .*kl .*kl_factor .*lr 0\.0100/);
    expect(train.err).toMatch(/epoch 2\/2/);
    expect(train.code).toBe(0);
    const id = /run (\d+) completed/.exec(train.out)?.[1];
    expect(id).toBeDefined();
    expect(train.out).toMatch(/2 epochs, free energy -?\d/);

    const results = await cli(() => undefined, 'results', '--project', project, '--run', id!, '--json');
    expect(results.code).toBe(0);
    const summary = JSON.parse(results.out) as {
      seed: number;
      status: string;
      fractionalOccupancies: number[];
      config: { n_epochs: number };
    };
    expect(summary.status).toBe('completed');
    expect(summary.seed).toBe(4);
    expect(summary.config.n_epochs).toBe(2);
    expect(summary.fractionalOccupancies).toHaveLength(3);
    expect(summary.fractionalOccupancies.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    const text = await cli(() => undefined, 'results', '--project', project, '--run', id!);
    expect(text.out).toMatch(/fractional occupancy: mode 1 \d\.\d{3}, mode 2/);
  });

  it('cancels on Ctrl+C, leaving a run that --resume completes', async () => {
    let interrupted = false;
    const train = await cli(
      (line) => {
        if (!interrupted && /^epoch 1\/6/.test(line)) {
          interrupted = true;
          process.emit('SIGINT');
        }
      },
      'train',
      '--project',
      project,
      '--dataset',
      'sim',
      '--set',
      'n_modes=3',
      '--set',
      'n_epochs=6',
      '--set',
      'n_init=0',
      '--set',
      'sequence_length=20',
      '--set',
      'inference_n_units=8',
      '--set',
      'model_n_units=8',
      '--set',
      'batch_size=10',
      '--set',
      'n_kl_annealing_epochs=2',
    );
    expect(interrupted).toBe(true);
    expect(train.code).toBe(1);
    expect(train.err).toMatch(
      /CANCELLED: run (\d+) cancelled after \d epochs; continue it with: modescope train --project .* --resume \1/,
    );
    const id = /--resume (\d+)/.exec(train.err)![1]!;
    const resumed = await cli(() => undefined, 'train', '--project', project, '--resume', id);
    expect(resumed.code).toBe(0);
    expect(resumed.out).toMatch(new RegExp(`run ${id} completed .*: 6 epochs`));
  });

  it('refuses a bad config with the field named', async () => {
    const bad = await cli(
      () => undefined,
      'train',
      '--project',
      project,
      '--dataset',
      'sim',
      '--set',
      'n_modes=1',
    );
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/INVALID_INPUT: invalid model config: n_modes: n_modes must be two or greater/);
  });
});
