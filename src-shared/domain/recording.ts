import { z } from 'zod';

/**
 * A recording as every reader describes it, whatever the file format. Sample values are always in SI
 * units (volts, tesla, tesla per metre) so that data from different formats can be mixed in one dataset.
 */

export const recordingFormats = ['npy', 'mat', 'edf', 'bdf', 'fif', 'brainvision', 'eeglab', 'csv'] as const;
export const recordingFormatSchema = z.enum(recordingFormats);
export type RecordingFormat = z.infer<typeof recordingFormatSchema>;

export const channelTypes = [
  'eeg',
  'meg_mag',
  'meg_grad',
  'ref_meg',
  'eog',
  'ecg',
  'emg',
  'stim',
  'resp',
  'seeg',
  'ecog',
  'syst',
  'misc',
] as const;
export const channelTypeSchema = z.enum(channelTypes);
export type ChannelType = z.infer<typeof channelTypeSchema>;

export const channelInfoSchema = z.strictObject({
  name: z.string(),
  type: channelTypeSchema,
  /** SI unit of the values the reader returns: 'V', 'T', 'T/m', 'S', '' for dimensionless (stim, unknown). */
  unit: z.string(),
});
export type ChannelInfo = z.infer<typeof channelInfoSchema>;

export const annotationSchema = z.strictObject({
  /** Seconds from the first sample of the recording. */
  onset: z.number().finite(),
  duration: z.number().finite().nonnegative(),
  description: z.string(),
});
export type Annotation = z.infer<typeof annotationSchema>;

/** Samples [start, end) that the file does not hold (EDF+D discontinuities, FIF skips, BAD_ spans). */
export const sampleRangeSchema = z
  .strictObject({
    start: z.number().int().nonnegative(),
    end: z.number().int().nonnegative(),
  })
  .refine((r) => r.end > r.start, 'a gap segment must hold at least one sample');
export type SampleRange = z.infer<typeof sampleRangeSchema>;

export const sampleOrientations = ['time-first', 'channel-first'] as const;
export const sampleOrientationSchema = z.enum(sampleOrientations);
export type SampleOrientation = z.infer<typeof sampleOrientationSchema>;

export const recordingHeaderSchema = z.strictObject({
  format: recordingFormatSchema,
  sourcePath: z.string(),
  samplingRate: z.number().finite().positive(),
  nSamples: z.number().int().positive(),
  channels: z.array(channelInfoSchema).min(1),
  annotations: z.array(annotationSchema),
  /** ISO 8601 time of the first sample, when the file records one. */
  startTime: z.string().optional(),
  gapSegments: z.array(sampleRangeSchema),
  /** Things the reader decided or assumed that a person should know (dropped channels, assumed rate…). */
  warnings: z.array(z.string()),
});
export type RecordingHeader = z.infer<typeof recordingHeaderSchema>;

/** Reader options as they cross the RPC boundary (the import dialog's choices). */
export const recordingReadOptionsSchema = z.strictObject({
  format: recordingFormatSchema.optional(),
  orientation: sampleOrientationSchema.optional(),
  field: z.string().min(1).max(256).optional(),
  samplingRate: z.number().finite().positive().optional(),
  channelNames: z.array(z.string().max(256)).min(1).optional(),
  mixedRates: z.enum(['majority', 'refuse']).optional(),
});
export type RecordingReadOptions = z.infer<typeof recordingReadOptionsSchema>;
