import type { ConfigPatch } from './dynemoForm';

/**
 * Starting points for the DyNeMo form: the defaults of osl-dynamics' config-API `train_dynemo`
 * wrapper (sequences of 200, 64-unit layer-normalised LSTMs, tanh KL annealing over 20 of 40
 * epochs, batches of 128, five 2-epoch random-subset initialisations), with the observation model
 * its TDE-PCA pipelines use (zero means, learnt covariances) or, for amplitude envelopes, learnt
 * means too. n_channels is never part of a preset: it comes from the preparation.
 */
export interface TrainPreset {
  id: string;
  label: string;
  summary: string;
  patch: ConfigPatch;
}

const common: ConfigPatch = {
  sequence_length: 200,
  inference_rnn: 'lstm',
  inference_n_units: 64,
  inference_normalization: 'layer',
  model_rnn: 'lstm',
  model_n_units: 64,
  model_normalization: 'layer',
  learn_alpha_temperature: true,
  initial_alpha_temperature: 1,
  do_kl_annealing: true,
  kl_annealing_curve: 'tanh',
  kl_annealing_sharpness: 10,
  n_kl_annealing_epochs: 20,
  learning_rate: 0.01,
  lr_decay: 0.1,
  n_epochs: 40,
  init_method: 'random_subset',
  n_init: 5,
  init_take: 1,
  n_init_epochs: 2,
};

export const trainPresets: readonly TrainPreset[] = [
  {
    id: 'tde-pca',
    label: 'TDE-PCA MEG',
    summary: 'time-delay embedded, PCA-reduced data: zero means, learnt covariances',
    patch: { ...common, n_modes: 6, batch_size: 128, learn_means: false, learn_covariances: true },
  },
  {
    id: 'amplitude-envelope',
    label: 'Amplitude envelope',
    summary: 'standardised amplitude envelopes: learnt means and covariances',
    patch: { ...common, n_modes: 6, batch_size: 128, learn_means: true, learn_covariances: true },
  },
  {
    id: 'quick-look',
    label: 'Quick look',
    summary: 'small and fast, to check the data and settings before a long run',
    patch: {
      ...common,
      n_modes: 4,
      sequence_length: 50,
      inference_n_units: 16,
      model_n_units: 16,
      batch_size: 16,
      n_epochs: 5,
      n_kl_annealing_epochs: 3,
      n_init: 0,
    },
  },
];
