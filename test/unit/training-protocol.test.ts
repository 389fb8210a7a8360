import { describe, expect, it } from 'vitest';
import { epochStage } from '../../src-shared/domain/runProgress';
import {
  checkpointRow,
  decodeCheckpoint,
  CheckpointFormatError,
} from '../../src-main/training/checkpointCodec';
import { parseFromTrainer, parseToTrainer, ProtocolError } from '../../src-main/training/protocol';
import { trainingModel } from '../../src-main/training/models';
import { ModelConfigError } from '../../src-main/training/models/trainingModel';
import type { CheckpointRecord } from '../../src-main/store/runRepository';

function asStored(row: ReturnType<typeof checkpointRow>): CheckpointRecord {
  // What the store gives back: JSON columns re-parsed, blobs as bytes.
  const json = (v: unknown) => JSON.parse(JSON.stringify(v)) as unknown;
  return {
    id: 1,
    runId: 1,
    epoch: row.epoch,
    weights: new Uint8Array(row.weights),
    weightsManifest: json(row.weightsManifest),
    optimizerState: row.optimizerState ? new Uint8Array(row.optimizerState) : null,
    optimizerManifest: json(row.optimizerManifest),
    rngState: json(row.rngState),
    trainingState: json(row.trainingState),
    createdAt: '',
  };
}

describe('checkpoint codec', () => {
  it('round-trips a state with float32 weights, optimiser moments and exact doubles', () => {
    const state = {
      version: 1,
      weights: { a: new Float32Array([1.5, -2.25, 3e-8]), b: new Float32Array([Math.PI]) },
      adam: {
        iteration: 7,
        m: { a: new Float32Array([0.1, 0.2, 0.3]) },
        v: { a: new Float32Array([4, 5, 6]) },
      },
      rng: { words: [1, 2, 3, 4294967295], spareNormal: 0.1 + 0.2 },
      history: [{ loss: 1 / 3, kl: null }],
      best_run: { weights: { a: new Float32Array([9]) } },
    };
    const row = checkpointRow(4, state, { dataSignature: 'sig' });
    expect(row.weights.byteLength).toBe((3 + 1 + 1) * 4);
    expect(row.optimizerState!.byteLength).toBe(6 * 4);
    expect(row.rngState).toEqual(state.rng);
    const { state: back, extra } = decodeCheckpoint(asStored(row));
    expect(extra).toEqual({ dataSignature: 'sig' });
    expect(back).toEqual(state);
    const b = back as typeof state;
    expect(b.weights.a).toBeInstanceOf(Float32Array);
    expect(b.rng.spareNormal).toBe(0.1 + 0.2);
    expect(b.history[0]!.loss).toBe(1 / 3);
  });

  it('refuses what it cannot store exactly and rows it did not write', () => {
    expect(() => checkpointRow(0, { w: new Float64Array(2) }, {})).toThrow(CheckpointFormatError);
    expect(() => checkpointRow(0, { lr: NaN }, {})).toThrow(/lr is NaN/);
    const foreign = asStored(checkpointRow(0, { w: new Float32Array(1) }, {}));
    expect(() => decodeCheckpoint({ ...foreign, trainingState: { lr: 1 } })).toThrow(
      /not in the training-process format/,
    );
  });
});

describe('training-process protocol', () => {
  it('accepts well-formed messages both ways', () => {
    expect(parseToTrainer({ type: 'cancel' })).toEqual({ type: 'cancel' });
    const outputs = parseFromTrainer({
      type: 'outputs',
      arrays: [{ kind: 'means', session: null, shape: [2, 2], data: new Float32Array(4) }],
      values: [{ kind: 'free_energy', value: { free_energy: 1 } }],
      freeEnergy: 1,
    });
    expect(outputs.type).toBe('outputs');
  });

  it('rejects malformed messages with the field at fault', () => {
    expect(() => parseToTrainer({ type: 'start', projectPath: '', sessions: [] })).toThrow(ProtocolError);
    expect(() => parseToTrainer({ type: 'pause' })).toThrow(/malformed to-trainer message/);
    expect(() =>
      parseFromTrainer({
        type: 'outputs',
        arrays: [{ kind: 'a', session: 0, shape: [1], data: [1] }],
        values: [],
        freeEnergy: null,
      }),
    ).toThrow(/arrays\.0\.data: expected a Float32Array or Float64Array/);
    expect(() => parseFromTrainer({ type: 'error', code: 'OOPS', message: 'x' })).toThrow(/code/);
    expect(() => parseFromTrainer({ type: 'ready', engine: { backend: 'cpu' } })).toThrow(
      /engine\.kernelPath/,
    );
  });
});

describe('model registry', () => {
  it('knows DyNeMo and names the config field at fault', () => {
    const dynemo = trainingModel('dynemo');
    const { config, seed } = dynemo.parseConfig({ n_modes: 3, n_channels: 4, seed: 5 });
    expect(seed).toBe(5);
    expect(config.sequence_length).toBe(200);
    let error: unknown;
    try {
      dynemo.parseConfig({ n_modes: 1, n_channels: 4 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelConfigError);
    expect((error as ModelConfigError).issues[0]!.path).toBe('n_modes');
    expect(() => dynemo.checkData(config, { nChannels: 4, longestSegment: 150 })).toThrow(
      /sequence_length \(200\)/,
    );
    expect(() => trainingModel('hmm')).toThrow(
      /no trainer for model kind "hmm" \(known: dynemo, vrae, vosp\)/,
    );
  });
});

describe('epoch stage', () => {
  it('adds the run-wide count only when the label does not already say it', () => {
    expect(epochStage('epoch 3/20', 2, 20)).toBe('epoch 3/20');
    expect(epochStage('init 2/5 epoch 1/2', 2, 30)).toBe('init 2/5 epoch 1/2 (3/30 overall)');
    expect(epochStage('epoch 3/20', 12, 30)).toBe('epoch 3/20 (13/30 overall)');
  });
});
