import { open } from 'node:fs/promises';
import path from 'node:path';
import type { RecordingFormat } from '../../../src-shared/domain/recording';
import { looksLikeBdf, looksLikeEdf } from './edfReader';
import { looksLikeNpy } from './npyReader';
import { RecordingReadError } from './recordingReadError';

const extensionFormats: Record<string, RecordingFormat> = {
  '.npy': 'npy',
  '.mat': 'mat',
  '.edf': 'edf',
  '.rec': 'edf',
  '.bdf': 'bdf',
  '.fif': 'fif',
  '.vhdr': 'brainvision',
  '.set': 'eeglab',
  '.csv': 'csv',
  '.tsv': 'csv',
  '.txt': 'csv',
};

const HEAD_BYTES = 512;

export function looksLikeFif(head: Buffer): boolean {
  // Every FIF file opens with a FIFF_FILE_ID tag: kind 100, type 31 (id struct), 20 bytes, big-endian.
  return (
    head.length >= 16 &&
    head.readInt32BE(0) === 100 &&
    head.readInt32BE(4) === 31 &&
    head.readInt32BE(8) === 20
  );
}

export function looksLikeMat(head: Buffer): boolean {
  return head.length >= 128 && head.subarray(0, 6).toString('latin1') === 'MATLAB';
}

export function looksLikeBrainVisionHeader(head: Buffer): boolean {
  const text = head
    .subarray(0, 64)
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  return /^Brain ?Vision (Data Exchange|Core Data Format).*Header/i.test(text);
}

function looksLikeText(head: Buffer): boolean {
  for (const byte of head) if (byte < 9 || (byte > 13 && byte < 32)) return false;
  return true;
}

/** What the first bytes say, independent of the file name. */
export function formatFromContents(head: Buffer): RecordingFormat | undefined {
  if (looksLikeNpy(head)) return 'npy';
  if (looksLikeEdf(head)) return 'edf';
  if (looksLikeBdf(head)) return 'bdf';
  if (looksLikeFif(head)) return 'fif';
  if (looksLikeMat(head)) return 'mat';
  if (looksLikeBrainVisionHeader(head)) return 'brainvision';
  if (head.length > 0 && looksLikeText(head)) return 'csv';
  return undefined;
}

function contentsAgree(format: RecordingFormat, head: Buffer): boolean {
  switch (format) {
    case 'npy':
      return looksLikeNpy(head);
    case 'edf':
      return looksLikeEdf(head) || looksLikeBdf(head);
    case 'bdf':
      return looksLikeBdf(head) || looksLikeEdf(head);
    case 'fif':
      return looksLikeFif(head);
    case 'mat':
    case 'eeglab':
      return looksLikeMat(head);
    case 'brainvision':
      return looksLikeBrainVisionHeader(head);
    case 'csv':
      return head.length > 0 && looksLikeText(head);
  }
}

async function readHead(filePath: string): Promise<Buffer> {
  let handle;
  try {
    handle = await open(filePath, 'r');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new RecordingReadError(
      filePath,
      'unknown',
      code === 'ENOENT' ? 'file not found' : `cannot open file (${code})`,
      {
        cause,
      },
    );
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * The format of a recording file: the extension proposes, the first bytes must agree. EDF and BDF are
 * told apart by their version field whatever the extension says.
 */
export async function detectFormat(filePath: string): Promise<RecordingFormat> {
  const ext = path.extname(filePath).toLowerCase();
  if (ext === '.eeg' || ext === '.vmrk') {
    throw new RecordingReadError(
      filePath,
      'brainvision',
      'this is a BrainVision data or marker file; open its .vhdr header',
    );
  }
  if (ext === '.fdt') {
    throw new RecordingReadError(filePath, 'eeglab', 'this is an EEGLAB data file; open its .set file');
  }
  const head = await readHead(filePath);
  if (head.length === 0) throw new RecordingReadError(filePath, 'unknown', 'file is empty');
  const byName = extensionFormats[ext];
  const byContents = formatFromContents(head);
  if (byName) {
    if (!contentsAgree(byName, head)) {
      const seen = byContents && byContents !== 'csv' ? ` (the contents look like ${byContents})` : '';
      throw new RecordingReadError(filePath, byName, `not a valid ${byName} file: wrong magic/header${seen}`);
    }
    if (byName === 'edf' || byName === 'bdf') return looksLikeBdf(head) ? 'bdf' : 'edf';
    return byName;
  }
  if (!byContents)
    throw new RecordingReadError(filePath, 'unknown', `unrecognised file format (extension '${ext}')`);
  return byContents;
}
