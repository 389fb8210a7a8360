import type { ChannelType } from '../../../src-shared/domain/recording';

/**
 * The type a channel's name implies in formats that store no types (EDF, BrainVision, EEGLAB):
 * trigger channels and the usual EOG/ECG/EMG/respiration labels ("EOG Left", "HEOG", "EKG1");
 * everything else is EEG. Analyses drop non-EEG channels by type, so naming them right matters.
 */
export function channelTypeFromName(name: string): ChannelType {
  const upper = name.trim().toUpperCase();
  if (upper === 'STATUS' || upper === 'TRIGGER' || upper === 'STI 014') return 'stim';
  if (/^[HV]?EOG/.test(upper)) return 'eog';
  if (/^(ECG|EKG)/.test(upper)) return 'ecg';
  if (/^EMG/.test(upper)) return 'emg';
  if (/^RESP/.test(upper)) return 'resp';
  return 'eeg';
}
