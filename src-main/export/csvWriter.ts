import { open } from 'node:fs/promises';
import { checkedBlocks, rowLength, throwIfAborted, type ExportArray, type WriteOptions } from './exportArray';
import { formatCsvNumber } from './csvNumber';
import { ExportError } from './exportError';
import { EventLoopPacer } from './eventLoopPacer';

/**
 * CSV with a header row: one line per index of axis 0 (a time point, a mode), one column per value
 * of the row. Comma-separated, '\n' line ends, UTF-8; names are quoted only when they must be.
 */

export interface CsvColumns {
  /** One name per value in a row: rowLength(shape) of them. */
  names: readonly string[];
  /** An optional first column computed from the row index, e.g. time in seconds. */
  leading?: { name: string; value: (row: number) => number };
}

/** Flush to the file once this much text has gathered. */
const FLUSH_CHARS = 1 << 20;

function quoteField(name: string): string {
  return /[",\n\r]/.test(name) || name !== name.trim() ? `"${name.replaceAll('"', '""')}"` : name;
}

/** `prefix0 … prefixN-1`-style names for the values of a row, by their trailing indices ("c0_1"). */
export function defaultColumnNames(shape: readonly number[], prefix = 'v'): string[] {
  const trailing = shape.slice(1);
  const names: string[] = [];
  const index = new Array<number>(trailing.length).fill(0);
  for (let i = 0; i < rowLength(shape); i++) {
    names.push(trailing.length === 0 ? prefix : `${prefix}${index.join('_')}`);
    for (let a = trailing.length - 1; a >= 0; a--) {
      if (++index[a]! < trailing[a]!) break;
      index[a] = 0;
    }
  }
  return names;
}

export async function writeCsv(
  path: string,
  array: ExportArray,
  columns: CsvColumns,
  options: WriteOptions = {},
): Promise<void> {
  const width = rowLength(array.shape);
  if (columns.names.length !== width) {
    throw new ExportError(`${path}: ${columns.names.length} column names for rows of ${width} values`);
  }
  const float32 = array.dtype === 'float32';
  const header = [...(columns.leading ? [columns.leading.name] : []), ...columns.names].map(quoteField);
  const handle = await open(path, 'w');
  try {
    const pacer = new EventLoopPacer();
    let text = header.join(',') + '\n';
    let row = 0;
    let written = 0;
    for (const block of checkedBlocks(array, path)) {
      throwIfAborted(options.signal, path);
      const blockRows = width === 0 ? 0 : block.length / width;
      for (let r = 0; r < blockRows; r++, row++) {
        let line = columns.leading ? formatCsvNumber(columns.leading.value(row)) + ',' : '';
        const base = r * width;
        for (let c = 0; c < width; c++) {
          line += (c === 0 ? '' : ',') + formatCsvNumber(block[base + c]!, float32);
        }
        text += line + '\n';
        if (text.length >= FLUSH_CHARS) {
          await handle.write(text);
          text = '';
        } else if (pacer.due()) {
          await pacer.pause();
        }
      }
      written += block.length;
      options.onValues?.(written);
    }
    if (text.length > 0) await handle.write(text);
  } finally {
    await handle.close();
  }
}
