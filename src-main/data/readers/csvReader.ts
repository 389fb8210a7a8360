import { TextDecoder } from 'node:util';
import type { RecordingHeader } from '../../../src-shared/domain/recording';
import { arrayChannels } from './arrayChannels';
import { BinaryFile, READ_CHUNK_BYTES } from './binaryFile';
import {
  checkHeader,
  MemorySource,
  samplingRateFromOptions,
  type OpenRecordingOptions,
  type RecordingSource,
} from './recordingSource';

const DELIMITERS = [',', '\t', ';', '|'] as const;
const MISSING = new Set(['', 'nan', 'na', 'n/a', 'null']);

/** The delimiter that splits the first line into the most fields; whitespace when none occurs. */
export function detectDelimiter(line: string): string | RegExp {
  let best: string | undefined;
  let bestCount = 0;
  for (const d of DELIMITERS) {
    const count = line.split(d).length - 1;
    if (count > bestCount) {
      best = d;
      bestCount = count;
    }
  }
  return best ?? /\s+/;
}

/** Splits one line, keeping delimiters inside double-quoted fields (RFC 4180 quoting, one line per row). */
function splitFields(line: string, delimiter: string | RegExp): string[] {
  if (typeof delimiter !== 'string' || !line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    if (ch === delimiter && !quoted) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}

function unquote(field: string): string {
  const t = field.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).replaceAll('""', '"') : t;
}

/** A number, NaN for the usual spellings of missing, or undefined when the text is not numeric. */
function parseValue(text: string): number | undefined {
  const t = unquote(text);
  const lower = t.toLowerCase();
  if (MISSING.has(lower)) return Number.NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity') return Number.POSITIVE_INFINITY;
  if (lower === '-inf' || lower === '-infinity') return Number.NEGATIVE_INFINITY;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** Growable float32 storage: CSV gives no row count up front. */
class GrowingFloats {
  private data = new Float32Array(1 << 16);
  length = 0;

  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }

  take(): Float32Array {
    return this.data.slice(0, this.length);
  }
}

export async function openCsv(filePath: string, options: OpenRecordingOptions): Promise<RecordingSource> {
  const file = await BinaryFile.open(filePath, 'csv');
  try {
    const warnings: string[] = [];
    const values = new GrowingFloats();
    const decoder = new TextDecoder('utf-8');
    let delimiter: string | RegExp | undefined;
    let nColumns = 0;
    let names: string[] | undefined;
    let rows = 0;
    let lineNo = 0;
    let carry = '';

    const takeLine = (raw: string) => {
      lineNo++;
      const line = raw.replace(/\r$/, '');
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      if (delimiter === undefined) {
        delimiter = detectDelimiter(line.replace(/^\uFEFF/, ''));
        const fields = splitFields(line.replace(/^\uFEFF/, '').trim(), delimiter);
        nColumns = fields.length;
        if (fields.some((f) => parseValue(f) === undefined)) {
          names = fields.map(unquote);
          return;
        }
      }
      const fields = splitFields(line.trim(), delimiter);
      if (fields.length !== nColumns) {
        throw file.fail(`line ${lineNo} has ${fields.length} fields, expected ${nColumns}`);
      }
      for (let c = 0; c < nColumns; c++) {
        const v = parseValue(fields[c]!);
        if (v === undefined)
          throw file.fail(
            `line ${lineNo}, column ${c + 1}: '${fields[c]!.trim().slice(0, 40)}' is not a number`,
          );
        values.push(v);
      }
      rows++;
    };

    for (let offset = 0; offset < file.size; offset += READ_CHUNK_BYTES) {
      const chunk = await file.readAt(offset, Math.min(READ_CHUNK_BYTES, file.size - offset), 'text');
      const text = carry + decoder.decode(chunk, { stream: true });
      const lines = text.split('\n');
      carry = lines.pop() ?? '';
      for (const line of lines) takeLine(line);
    }
    carry += decoder.decode();
    if (carry !== '') takeLine(carry);
    if (rows === 0) throw file.fail('holds no rows of numbers');

    const orientation = options.orientation ?? 'time-first';
    let data = values.take();
    let nSamples = rows;
    let nChannels = nColumns;
    if (orientation === 'channel-first') {
      // Rows are channels: transpose into time-major.
      const transposed = new Float32Array(data.length);
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < nColumns; c++) transposed[c * rows + r] = data[r * nColumns + c]!;
      data = transposed;
      nSamples = nColumns;
      nChannels = rows;
      if (names)
        warnings.push(
          'the header row was ignored: with channel-first orientation its fields are not channels',
        );
      names = undefined;
    } else if (options.orientation === undefined && rows < nColumns) {
      warnings.push(
        `read as time-first (${rows} samples × ${nColumns} channels); pass orientation 'channel-first' if rows are channels`,
      );
    }
    const header: RecordingHeader = checkHeader({
      format: 'csv',
      sourcePath: filePath,
      samplingRate: samplingRateFromOptions(filePath, 'csv', options, warnings),
      nSamples,
      channels: arrayChannels(filePath, 'csv', nChannels, options, names),
      annotations: [],
      gapSegments: [],
      warnings,
    });
    return new MemorySource(header, data);
  } finally {
    await file.close();
  }
}
