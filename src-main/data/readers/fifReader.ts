import path from 'node:path';
import type {
  Annotation,
  ChannelInfo,
  ChannelType,
  RecordingHeader,
  SampleRange,
} from '../../../src-shared/domain/recording';
import { BinaryFile, READ_CHUNK_BYTES } from './binaryFile';
import {
  checkHeader,
  WindowedSource,
  applyChannelNames,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';
import { decodeSpan, sampleTypeBytes, type SampleEncoding } from './sampleEncoding';

/** FIFF tag kinds, block kinds and data types this reader needs (values from the FIFF specification). */
const TAG = {
  blockStart: 104,
  blockEnd: 105,
  nChan: 200,
  sfreq: 201,
  chInfo: 203,
  measDate: 204,
  comment: 206,
  firstSample: 208,
  chDacqName: 258,
  refRole: 115,
  refFileName: 118,
  dataBuffer: 300,
  dataSkip: 301,
  dataSkipSamples: 303,
  annotationOnsets: 3568,
  annotationEnds: 3569,
} as const;
const BLOCK = { meas: 100, measInfo: 101, chInfo: 113, ref: 118, annotations: 3810 } as const;
const ROLE_NEXT_FILE = 2;
/** Split raw files (MNE writes parts of at most 2 GB) are followed for at most this many parts. */
const MAX_PARTS = 1000;
const RAW_BLOCKS = new Set([102, 112, 119]); // raw, continuous, IAS raw
const FIFFT = { short: 2, int: 3, float: 4, double: 5, string: 10, dauPack16: 16 } as const;

const bufferEncodings: Record<number, SampleEncoding> = {
  [FIFFT.short]: { type: 'int16', littleEndian: false },
  [FIFFT.dauPack16]: { type: 'int16', littleEndian: false },
  [FIFFT.int]: { type: 'int32', littleEndian: false },
  [FIFFT.float]: { type: 'float32', littleEndian: false },
  [FIFFT.double]: { type: 'float64', littleEndian: false },
};

const unitNames: Record<number, string> = {
  [-1]: '',
  0: '',
  2: 'm',
  4: 's',
  5: 'A',
  101: 'Hz',
  106: 'C',
  107: 'V',
  112: 'T',
  114: '°C',
  201: 'T/m',
  202: 'Am',
};

function channelType(kind: number, unit: number): ChannelType {
  switch (kind) {
    case 1:
      return unit === 201 ? 'meg_grad' : 'meg_mag';
    case 301:
      return 'ref_meg';
    case 2:
      return 'eeg';
    case 3:
      return 'stim';
    case 202:
      return 'eog';
    case 302:
      return 'emg';
    case 402:
      return 'ecg';
    case 602:
      return 'resp';
    case 802:
      return 'seeg';
    case 902:
      return 'ecog';
    case 900:
      return 'syst';
    default:
      return 'misc';
  }
}

const SMALL_TAG_LIMIT = 16 * 1024 * 1024;
const SCAN_WINDOW = 64 * 1024;

interface TagHeader {
  kind: number;
  type: number;
  size: number;
  /** Offset of the tag's data. */
  dataAt: number;
}

/** Reads tag headers (and small tag bodies) through a sliding window so a scan does few system calls. */
class TagReader {
  private window: Buffer = Buffer.alloc(0);
  private windowStart = 0;

  constructor(private readonly file: BinaryFile) {}

  private async ensure(offset: number, length: number): Promise<Buffer> {
    if (offset < this.windowStart || offset + length > this.windowStart + this.window.length) {
      const span = Math.min(Math.max(length, SCAN_WINDOW), this.file.size - offset);
      this.window = await this.file.readAt(offset, Math.max(span, length), 'FIF tag');
      this.windowStart = offset;
    }
    return this.window.subarray(offset - this.windowStart, offset - this.windowStart + length);
  }

  async header(pos: number): Promise<TagHeader> {
    if (pos + 16 > this.file.size) {
      throw this.file.fail(`FIF tag at byte ${pos} is cut off: the file ends at ${this.file.size}`);
    }
    const b = await this.ensure(pos, 16);
    const tag = { kind: b.readInt32BE(0), type: b.readInt32BE(4), size: b.readInt32BE(8), dataAt: pos + 16 };
    if (tag.size < 0 || tag.dataAt + tag.size > this.file.size) {
      throw this.file.fail(
        `FIF tag ${tag.kind} at byte ${pos} declares ${tag.size} bytes of data but the file holds ${this.file.size - tag.dataAt} after it`,
      );
    }
    return tag;
  }

  async body(tag: TagHeader): Promise<Buffer> {
    if (tag.size > SMALL_TAG_LIMIT)
      throw this.file.fail(`FIF tag ${tag.kind} is unexpectedly large (${tag.size} bytes)`);
    return this.ensure(tag.dataAt, tag.size);
  }
}

interface DataPiece {
  /** Time-line sample (0 = first sample of the file) where this piece starts. */
  start: number;
  nSamples: number;
  /** Which part of a split recording holds the piece (0 = the file opened). */
  part: number;
  /** Undefined for skips: samples the acquisition did not store. */
  fileOffset?: number;
  encoding?: SampleEncoding;
}

interface FifScan {
  nChan?: number;
  sfreq?: number;
  chInfo: Buffer[];
  /** Full channel names from extended channel-info blocks (written when names exceed 15 characters). */
  longNames: (string | undefined)[];
  measDate?: number;
  firstSample: number;
  buffers: { offset: number; size: number; type: number; skipBefore: number; skipSamplesBefore: number }[];
  annotationOnsets?: number[];
  annotationEnds?: number[];
  annotationText?: string;
  annotationHasOrigTime: boolean;
  unclosedBlocks?: number;
  /** Base name of the next part of a split recording. */
  nextFile?: string;
}

function readFloats(body: Buffer, type: number): number[] {
  const out: number[] = [];
  if (type === FIFFT.float) for (let i = 0; i + 4 <= body.length; i += 4) out.push(body.readFloatBE(i));
  else if (type === FIFFT.double)
    for (let i = 0; i + 8 <= body.length; i += 8) out.push(body.readDoubleBE(i));
  return out;
}

async function scanTags(file: BinaryFile): Promise<FifScan> {
  const reader = new TagReader(file);
  const scan: FifScan = {
    chInfo: [],
    longNames: [],
    firstSample: 0,
    buffers: [],
    annotationHasOrigTime: false,
  };
  const blocks: number[] = [];
  let measInfoDone = false;
  let pendingSkip = 0;
  let pendingSkipSamples = 0;
  let refRole: number | undefined;
  let refName: string | undefined;
  let pos = 0;
  // Tags are walked in file order; the optional `next` pointers only matter to writers that patch files.
  while (pos < file.size) {
    const tag = await reader.header(pos);
    pos = tag.dataAt + tag.size;
    const top = blocks[blocks.length - 1];
    if (tag.kind === TAG.blockStart) {
      const body = await reader.body(tag);
      if (body.length < 4) throw file.fail('FIF block start tag without a block kind');
      const kind = body.readInt32BE(0);
      if (kind === BLOCK.ref) {
        refRole = undefined;
        refName = undefined;
      }
      if (kind === BLOCK.chInfo && top === BLOCK.measInfo && !measInfoDone) scan.longNames.push(undefined);
      blocks.push(kind);
      continue;
    }
    if (tag.kind === TAG.blockEnd) {
      if (top === BLOCK.measInfo) measInfoDone = true;
      blocks.pop();
      continue;
    }
    if (top === BLOCK.chInfo && blocks[blocks.length - 2] === BLOCK.measInfo && !measInfoDone) {
      if (tag.kind === TAG.chDacqName && scan.longNames.length > 0) {
        scan.longNames[scan.longNames.length - 1] = (await reader.body(tag))
          .toString('utf8')
          .replace(/\0+$/, '');
      }
    } else if (top === BLOCK.measInfo && blocks[blocks.length - 2] === BLOCK.meas && !measInfoDone) {
      if (tag.kind === TAG.chInfo) scan.chInfo.push(Buffer.from(await reader.body(tag)));
      else if (tag.kind === TAG.nChan) scan.nChan = (await reader.body(tag)).readInt32BE(0);
      else if (tag.kind === TAG.sfreq) scan.sfreq = (await reader.body(tag)).readFloatBE(0);
      else if (tag.kind === TAG.measDate && tag.size >= 8)
        scan.measDate = (await reader.body(tag)).readInt32BE(0);
    } else if (top !== undefined && RAW_BLOCKS.has(top)) {
      if (tag.kind === TAG.firstSample && tag.size >= 4)
        scan.firstSample = (await reader.body(tag)).readInt32BE(0);
      else if (tag.kind === TAG.dataSkip && tag.size >= 4)
        pendingSkip += (await reader.body(tag)).readInt32BE(0);
      else if (tag.kind === TAG.dataSkipSamples && tag.size >= 4) {
        pendingSkipSamples += (await reader.body(tag)).readInt32BE(0);
      } else if (tag.kind === TAG.dataBuffer) {
        scan.buffers.push({
          offset: tag.dataAt,
          size: tag.size,
          type: tag.type,
          skipBefore: pendingSkip,
          skipSamplesBefore: pendingSkipSamples,
        });
        pendingSkip = 0;
        pendingSkipSamples = 0;
      }
    } else if (top === BLOCK.ref) {
      if (tag.kind === TAG.refRole) refRole = (await reader.body(tag)).readInt32BE(0);
      else if (tag.kind === TAG.refFileName)
        refName = (await reader.body(tag)).toString('utf8').replace(/\0+$/, '');
      if (refRole === ROLE_NEXT_FILE && refName) scan.nextFile = refName;
    } else if (top === BLOCK.annotations) {
      if (tag.kind === TAG.annotationOnsets)
        scan.annotationOnsets = readFloats(await reader.body(tag), tag.type);
      else if (tag.kind === TAG.annotationEnds)
        scan.annotationEnds = readFloats(await reader.body(tag), tag.type);
      else if (tag.kind === TAG.comment) scan.annotationText = (await reader.body(tag)).toString('utf8');
      else if (tag.kind === TAG.measDate) scan.annotationHasOrigTime = true;
    }
  }
  if (blocks.length > 0) scan.unclosedBlocks = blocks.length;
  return scan;
}

function parseChannel(record: Buffer): { info: ChannelInfo; calibration: number } {
  const kind = record.readInt32BE(8);
  const range = record.readFloatBE(12);
  const cal = record.readFloatBE(16);
  const unit = record.readInt32BE(72);
  const rawName = record.subarray(80, 96);
  const nul = rawName.indexOf(0);
  const name = rawName.subarray(0, nul < 0 ? 16 : nul).toString('latin1');
  return {
    info: { name, type: channelType(kind, unit), unit: unitNames[unit] ?? `FIFF unit ${unit}` },
    calibration: range * cal,
  };
}

export async function openFif(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const files = [await BinaryFile.open(filePath, 'fif')];
  try {
    return await openFifFiles(files, options);
  } catch (error) {
    for (const f of files) await f.close();
    throw error;
  }
}

async function checkedScan(file: BinaryFile, warnings: string[]): Promise<FifScan> {
  if (file.size < 16) throw file.fail(`file is ${file.size} bytes, too short for a FIF file`);
  const first = await file.readAt(0, 16, 'FIF file id');
  if (first.readInt32BE(0) !== 100) throw file.fail('not a FIF file (no FIFF_FILE_ID tag at the start)');
  const scan = await scanTags(file);
  if (scan.unclosedBlocks) {
    warnings.push(`${path.basename(file.path)} ends inside ${scan.unclosedBlocks} open blocks (truncated?)`);
  }
  if (scan.nChan === undefined) throw file.fail('no measurement info with a channel count (FIFF_NCHAN)');
  if (scan.sfreq === undefined) throw file.fail('no sampling frequency (FIFF_SFREQ) in the measurement info');
  if (scan.buffers.length === 0) throw file.fail('no raw data buffers (is this an epochs or evoked file?)');
  return scan;
}

/**
 * Lays the data buffers of one part on the time line from `cursor`. A skip before the first data of
 * the recording only moves its first sample, as acquisition software means it.
 */
function layPieces(
  file: BinaryFile,
  scan: FifScan,
  part: number,
  nChan: number,
  cursor: number,
  pieces: DataPiece[],
  gapSegments: SampleRange[],
): { cursor: number; leadingSkip: number } {
  let leadingSkip = 0;
  for (const [index, buf] of scan.buffers.entries()) {
    const encoding = bufferEncodings[buf.type];
    if (!encoding) throw file.fail(`data buffer ${index + 1} has unsupported FIFF data type ${buf.type}`);
    const rowBytes = nChan * sampleTypeBytes[encoding.type];
    if (buf.size % rowBytes !== 0) {
      throw file.fail(
        `data buffer ${index + 1} holds ${buf.size} bytes, not a whole number of ${nChan}-channel samples`,
      );
    }
    const nSamples = buf.size / rowBytes;
    const skipped = buf.skipBefore * nSamples + buf.skipSamplesBefore;
    if (skipped > 0) {
      if (pieces.length === 0) leadingSkip += skipped;
      else {
        gapSegments.push({ start: cursor, end: cursor + skipped });
        pieces.push({ start: cursor, nSamples: skipped, part });
        cursor += skipped;
      }
    }
    if (nSamples === 0) continue;
    pieces.push({ start: cursor, nSamples, part, fileOffset: buf.offset, encoding });
    cursor += nSamples;
  }
  return { cursor, leadingSkip };
}

async function openFifFiles(files: BinaryFile[], options: OpenRecordingOptions): Promise<RecordingSource> {
  const file = files[0]!;
  const warnings: string[] = [];
  const scan = await checkedScan(file, warnings);
  const nChan = scan.nChan!;
  const sfreq = scan.sfreq!;
  if (nChan <= 0) throw file.fail(`measurement info declares ${nChan} channels`);
  if (scan.chInfo.length !== nChan) {
    throw file.fail(`measurement info declares ${nChan} channels but describes ${scan.chInfo.length}`);
  }
  if (scan.chInfo.some((c) => c.length < 96))
    throw file.fail('a channel info record is shorter than 96 bytes');
  const parsed = scan.chInfo.map(parseChannel);
  if (scan.longNames.length === nChan) {
    scan.longNames.forEach((name, i) => {
      if (name) parsed[i]!.info.name = name;
    });
  } else if (scan.longNames.length > 0) {
    warnings.push(
      `${scan.longNames.length} extended channel records for ${nChan} channels; short names kept`,
    );
  }
  const names = applyChannelNames(
    file.path,
    'fif',
    parsed.map((p) => p.info.name),
    options,
  );
  const channels = parsed.map((p, i) => ({ ...p.info, name: names[i]! }));
  const calibrations = Float64Array.from(parsed, (p) => p.calibration);

  const pieces: DataPiece[] = [];
  const gapSegments: SampleRange[] = [];
  const laid = layPieces(file, scan, 0, nChan, 0, pieces, gapSegments);
  let cursor = laid.cursor;
  const firstSample = scan.firstSample + laid.leadingSkip;

  // Split recordings: each part names the next; its first sample continues the time line.
  const seen = new Set([path.basename(file.path)]);
  let next = scan.nextFile;
  while (next !== undefined) {
    const name = path.basename(next.split(/[\\/]/).pop() ?? '');
    if (seen.has(name) || files.length >= MAX_PARTS)
      throw file.fail(`split-file chain loops or is too long at ${name}`);
    seen.add(name);
    let partFile: BinaryFile;
    try {
      partFile = await BinaryFile.open(path.join(path.dirname(file.path), name), 'fif');
    } catch {
      throw file.fail(`next part ${name} of this split recording is missing`);
    }
    files.push(partFile);
    const part = await checkedScan(partFile, warnings);
    if (part.nChan !== nChan || part.sfreq !== sfreq) {
      throw partFile.fail(
        `part has ${part.nChan} channels at ${part.sfreq} Hz; the first part has ${nChan} at ${sfreq} Hz`,
      );
    }
    const offset = part.firstSample - firstSample;
    if (offset < cursor) {
      throw partFile.fail(`part starts at sample ${part.firstSample}, inside the previous part`);
    }
    if (offset > cursor) {
      gapSegments.push({ start: cursor, end: offset });
      pieces.push({ start: cursor, nSamples: offset - cursor, part: files.length - 1 });
      cursor = offset;
    }
    cursor = layPieces(partFile, part, files.length - 1, nChan, cursor, pieces, gapSegments).cursor;
    next = part.nextFile;
  }
  const totalSamples = cursor;

  const annotations = fifAnnotations(scan, firstSample / sfreq, warnings);
  for (const a of annotations) {
    if (!a.description.toUpperCase().startsWith('BAD')) continue;
    const start = Math.max(0, Math.round(a.onset * sfreq));
    const end = Math.min(totalSamples, Math.round((a.onset + a.duration) * sfreq));
    if (end > start) gapSegments.push({ start, end });
  }

  const header: RecordingHeader = checkHeader({
    format: 'fif',
    sourcePath: file.path,
    samplingRate: sfreq,
    nSamples: totalSamples,
    channels,
    annotations,
    ...(scan.measDate !== undefined && scan.measDate > 0
      ? { startTime: new Date((scan.measDate + firstSample / sfreq) * 1000).toISOString() }
      : {}),
    gapSegments: mergeRanges(gapSegments),
    warnings,
  });
  return new FifSource(header, files, pieces, calibrations);
}

function fifAnnotations(scan: FifScan, firstTime: number, warnings: string[]): Annotation[] {
  const onsets = scan.annotationOnsets;
  if (!onsets) return [];
  const ends = scan.annotationEnds ?? onsets;
  const texts = scan.annotationText?.split(':') ?? [];
  if (ends.length !== onsets.length || texts.length !== onsets.length) {
    warnings.push(
      'the annotation block is inconsistent (onsets, ends and descriptions differ in number); ignored',
    );
    return [];
  }
  // With an orig_time, MNE stores onsets from the measurement start, which precedes first_samp.
  const shift = scan.annotationHasOrigTime ? firstTime : 0;
  const out = onsets.map((onset, i) => ({
    onset: onset - shift,
    duration: Math.max(0, ends[i]! - onset),
    description: texts[i]!.replaceAll(';', ':'),
  }));
  const finite = out.filter((a) => Number.isFinite(a.onset) && Number.isFinite(a.duration));
  if (finite.length < out.length)
    warnings.push(`${out.length - finite.length} annotations with non-finite times were skipped`);
  return finite;
}

function mergeRanges(ranges: SampleRange[]): SampleRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const out: SampleRange[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ ...r });
  }
  return out;
}

class FifSource extends WindowedSource {
  constructor(
    header: RecordingHeader,
    private readonly files: BinaryFile[],
    private readonly pieces: DataPiece[],
    private readonly calibrations: Float64Array,
  ) {
    super(header);
  }

  private pieceAt(sample: number): number {
    let lo = 0;
    let hi = this.pieces.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.pieces[mid]!.start <= sample) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  protected async fill(startSample: number, nSamples: number, out: Float32Array): Promise<void> {
    const nCh = this.calibrations.length;
    const end = startSample + nSamples;
    for (let p = this.pieceAt(startSample); p < this.pieces.length && this.pieces[p]!.start < end; p++) {
      const piece = this.pieces[p]!;
      const from = Math.max(startSample, piece.start);
      const to = Math.min(end, piece.start + piece.nSamples);
      if (to <= from) continue;
      const outStart = (from - startSample) * nCh;
      if (piece.fileOffset === undefined || !piece.encoding) {
        out.fill(Number.NaN, outStart, (to - startSample) * nCh);
        continue;
      }
      const bpv = sampleTypeBytes[piece.encoding.type];
      const rowBytes = nCh * bpv;
      const rowsPerChunk = Math.max(1, Math.floor(READ_CHUNK_BYTES / rowBytes));
      for (let row = from; row < to; row += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, to - row);
        const bytes = await this.files[piece.part]!.readAt(
          piece.fileOffset + (row - piece.start) * rowBytes,
          rows * rowBytes,
        );
        for (let c = 0; c < nCh; c++) {
          decodeSpan(
            { bytes, start: c * bpv, stride: rowBytes, count: rows },
            piece.encoding,
            out,
            (row - startSample) * nCh + c,
            nCh,
            this.calibrations[c]!,
          );
        }
      }
    }
  }

  async close(): Promise<void> {
    for (const file of this.files) await file.close();
  }
}
