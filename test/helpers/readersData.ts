import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The shared real-data folder, next to the repository (never copied into it). */
export const sharedDataDir = path.resolve(__dirname, '../../../shared/data');
export const formatsDir = path.join(sharedDataDir, 'formats');
export const eegDir = path.join(sharedDataDir, 'eeg');
export const hasSharedData = existsSync(path.join(formatsDir, 'reference.json'));

// Locally the real-data tests skip when ../shared is absent; on CI that would hide a broken
// checkout, so it is an error there.
if (!hasSharedData && process.env.CI) {
  throw new Error(`CI runs need the shared test data at ${sharedDataDir}`);
}

export interface FormatReference {
  n_channels: number;
  sfreq: number;
  n_samples: number;
  channel_types: Record<string, number>;
  first_channels: string[];
  samples_SI: Record<string, number[]>;
  channel_mean_SI: Record<string, number>;
  annotations: { onset: number; duration: number; description: string }[];
  n_annotations: number;
}

export function loadFormatReference(): Record<string, FormatReference> {
  return JSON.parse(readFileSync(path.join(formatsDir, 'reference.json'), 'utf8')) as Record<
    string,
    FormatReference
  >;
}

/** MNE's channel type names → ours. */
export const mneTypeNames: Record<string, string> = {
  mag: 'meg_mag',
  grad: 'meg_grad',
  ref_meg: 'ref_meg',
  eeg: 'eeg',
  stim: 'stim',
  misc: 'misc',
  eog: 'eog',
  ecg: 'ecg',
  emg: 'emg',
};

/** Float32 agreement: relative to the value, with an absolute floor scaled to the channel's magnitude. */
export function closeToFloat32(actual: number, expected: number, scale: number): boolean {
  return Math.abs(actual - expected) <= 2e-6 * Math.abs(expected) + 1e-6 * Math.abs(scale) + 1e-30;
}
