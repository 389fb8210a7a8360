import type { Annotation } from '../../../src-shared/domain/recording';
import { TextDecoder } from 'node:util';

const TAL_END = 0x00;
const ANNOTATION_SEP = 0x14;
const DURATION_MARK = 0x15;
const ONSET = /^[+-]\d+(\.\d*)?$/;
const DURATION = /^\d+(\.\d*)?$/;

export interface RecordTals {
  /** Onset (s, relative to the header's start time) of the record's time-keeping TAL, if any. */
  recordOnset: number | undefined;
  annotations: Annotation[];
  malformed: number;
}

/**
 * Parses the Time-stamped Annotation Lists of one data record's 'EDF Annotations' signal (EDF+ spec
 * §2.2): "+onset[\x15duration]\x14text\x14text\x14\x00". The first TAL with no text is the record's time
 * keeping. Onsets stay relative to the file's start time; the caller shifts them.
 */
export function parseRecordTals(bytes: Uint8Array): RecordTals {
  const result: RecordTals = { recordOnset: undefined, annotations: [], malformed: 0 };
  const decoder = new TextDecoder('utf-8');
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(TAL_END, start);
    if (end < 0) end = bytes.length;
    if (end > start) parseOneTal(bytes.subarray(start, end), decoder, result);
    start = end + 1;
  }
  return result;
}

function parseOneTal(tal: Uint8Array, decoder: TextDecoder, result: RecordTals): void {
  const firstSep = tal.indexOf(ANNOTATION_SEP);
  if (firstSep < 0) {
    result.malformed++;
    return;
  }
  const timing = tal.subarray(0, firstSep);
  const durationAt = timing.indexOf(DURATION_MARK);
  const onsetText = decoder.decode(durationAt < 0 ? timing : timing.subarray(0, durationAt));
  const durationText = durationAt < 0 ? '' : decoder.decode(timing.subarray(durationAt + 1));
  if (!ONSET.test(onsetText) || (durationText !== '' && !DURATION.test(durationText))) {
    result.malformed++;
    return;
  }
  const onset = Number.parseFloat(onsetText);
  const duration = durationText === '' ? 0 : Number.parseFloat(durationText);
  const texts = decoder
    .decode(tal.subarray(firstSep + 1))
    .split('\x14')
    .slice(0, -1);
  if (texts.every((t) => t === '')) {
    if (result.recordOnset === undefined) result.recordOnset = onset;
    return;
  }
  for (const description of texts) {
    if (description !== '') result.annotations.push({ onset, duration, description });
  }
}
