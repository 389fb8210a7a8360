import { describe, expect, it } from 'vitest';
import {
  checkDynemoConfigAgainstData,
  ConfigFileError,
  covariancesEpsilon,
  DynemoConfigError,
  exportDynemoConfigJson,
  exportDynemoConfigYaml,
  importDynemoConfig,
  parseDynemoConfig,
  parseSimpleYaml,
} from '../../src-shared/models/dynemo';

const minimal = { n_modes: 6, n_channels: 80 };

function messages(input: unknown): string {
  try {
    parseDynemoConfig(input);
  } catch (e) {
    expect(e).toBeInstanceOf(DynemoConfigError);
    return (e as Error).message;
  }
  throw new Error('expected the config to be refused');
}

describe('DyNeMo config', () => {
  it('fills osl-dynamics defaults', () => {
    const c = parseDynemoConfig(minimal);
    expect(c).toMatchObject({
      model_name: 'DyNeMo',
      sequence_length: 200,
      inference_rnn: 'lstm',
      inference_n_layers: 1,
      inference_n_units: 64,
      inference_normalization: 'layer',
      inference_activation: null,
      inference_dropout: 0,
      model_rnn: 'lstm',
      model_n_units: 64,
      learn_alpha_temperature: true,
      initial_alpha_temperature: 1,
      theta_std_epsilon: 1e-6,
      learn_means: false,
      learn_covariances: true,
      diagonal_covariances: false,
      covariances_epsilon: null,
      do_kl_annealing: true,
      kl_annealing_curve: 'tanh',
      kl_annealing_sharpness: 10,
      n_kl_annealing_epochs: 20,
      init_method: 'random_subset',
      n_init: 5,
      n_init_epochs: 2,
      init_take: 1,
      batch_size: 16,
      learning_rate: 0.01,
      lr_decay: 0.1,
      gradient_clip: null,
      n_epochs: 40,
      loss_calc: 'mean',
      best_of: 1,
      seed: 0,
    });
  });

  it('derives covariances_epsilon as osl-dynamics does', () => {
    expect(covariancesEpsilon(parseDynemoConfig(minimal))).toBe(1e-6);
    expect(covariancesEpsilon(parseDynemoConfig({ ...minimal, learn_covariances: false }))).toBe(0);
    expect(covariancesEpsilon(parseDynemoConfig({ ...minimal, covariances_epsilon: 0.01 }))).toBe(0.01);
  });

  it('refuses out-of-range values with specific messages', () => {
    expect(messages({ ...minimal, n_modes: 1 })).toContain('n_modes must be two or greater');
    expect(messages({ ...minimal, batch_size: 0 })).toContain('batch_size must be one or greater');
    expect(messages({ ...minimal, learning_rate: 0 })).toContain('learning_rate must be greater than zero');
    expect(messages({ ...minimal, inference_rnn: 'rnn' })).toContain("inference_rnn must be 'lstm' or 'gru'");
    expect(messages({ ...minimal, model_normalization: 'group' })).toContain("'layer', 'batch' or null");
    expect(messages({ ...minimal, inference_dropout: 1 })).toContain('inference_dropout must be in [0, 1)');
    expect(messages({ ...minimal, init_take: 0 })).toContain('init_take must be in (0, 1]');
    expect(messages({ ...minimal, initial_alpha_temperature: 0 })).toContain('greater than zero');
    expect(messages({ ...minimal, kl_annealing_curve: 'cosine' })).toContain("'tanh' or 'linear'");
    expect(messages({ ...minimal, loss_calc: 'median' })).toContain("'mean' or 'sum'");
    expect(messages({ ...minimal, n_epochs: 10 })).toContain(
      'n_kl_annealing_epochs (20) must not exceed n_epochs (10)',
    );
    expect(messages({ n_modes: 3 })).toContain('n_channels');
    expect(messages({ ...minimal, unknown_field: 1 })).toMatch(/unknown_field|Unrecognized/);
    expect(messages({ ...minimal, initial_means: [[0, 1]] })).toContain('initial_means must be 6×80');
  });

  it('checks the sequence length against the data', () => {
    const c = parseDynemoConfig({ ...minimal, sequence_length: 300 });
    expect(() => checkDynemoConfigAgainstData(c, { nChannels: 80, longestSegment: 299 })).toThrow(
      /sequence_length \(300\) is longer than the longest gap-free stretch of data \(299 samples\)/,
    );
    expect(() => checkDynemoConfigAgainstData(c, { nChannels: 40, longestSegment: 1000 })).toThrow(
      /n_channels is 80 but the data have 40 channels/,
    );
    expect(() => checkDynemoConfigAgainstData(c, { nChannels: 80, longestSegment: 300 })).not.toThrow();
  });

  it('round-trips through JSON and YAML', () => {
    const c = parseDynemoConfig({ ...minimal, inference_activation: 'elu', gradient_clip: 0.5, seed: 7 });
    expect(importDynemoConfig(exportDynemoConfigJson(c))).toEqual(c);
    expect(importDynemoConfig(exportDynemoConfigYaml(c))).toEqual(c);
  });

  it('reads an osl-dynamics pipeline config and ignores settings without meaning here', () => {
    const text = `
load_data:
  inputs: training_data/networks
  prepare:
    standardize: {}
train_dynemo:
  config_kwargs:
    n_modes: 8
    sequence_length: 100   # short sequences
    learn_means: False
    inference_normalization: None
    multi_gpu: False
    initial_covariances: None
    learning_rate: 1e-3
    kl_annealing_curve: "linear"
`;
    const c = importDynemoConfig(text, { n_channels: 42 });
    expect(c.n_modes).toBe(8);
    expect(c.n_channels).toBe(42);
    expect(c.sequence_length).toBe(100);
    expect(c.learn_means).toBe(false);
    expect(c.inference_normalization).toBeNull();
    expect(c.learning_rate).toBe(0.001);
    expect(c.kl_annealing_curve).toBe('linear');
  });

  it('refuses YAML it cannot read, naming the line', () => {
    expect(() => parseSimpleYaml('n_modes: 3\n- item\n')).toThrow(ConfigFileError);
    expect(() => parseSimpleYaml('n_modes: 3\n- item\n')).toThrow(/line 2/);
    expect(() => importDynemoConfig('{ "n_modes": 3, ')).toThrow(/not valid JSON/);
    expect(parseSimpleYaml('a: [1, 2, [3, None]]\nb: ~\n')).toEqual({ a: [1, 2, [3, null]], b: null });
  });
});
