import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

/**
 * Writers for tiny synthetic recordings, built byte by byte from the format specifications, so the
 * unit tests know exactly what each reader must return.
 */

// ---------- npy ----------
export function npyBytes(
  descr: string,
  shape: number[],
  fortran: boolean,
  values: ArrayLike<number>,
): Buffer {
  const kind = descr.slice(1);
  const le = descr[0] !== '>';
  const width = Number(kind.slice(1));
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let dict = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  const unpadded = 10 + dict.length + 1;
  dict += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length, 8);
  const body = Buffer.alloc(values.length * width);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const at = i * width;
    if (kind === 'f4') void (le ? body.writeFloatLE(v, at) : body.writeFloatBE(v, at));
    else if (kind === 'f8') void (le ? body.writeDoubleLE(v, at) : body.writeDoubleBE(v, at));
    else if (kind === 'i2') void (le ? body.writeInt16LE(v, at) : body.writeInt16BE(v, at));
    else if (kind === 'i4') void (le ? body.writeInt32LE(v, at) : body.writeInt32BE(v, at));
    else throw new Error(`fixture writer does not do ${descr}`);
  }
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), body]);
}

// ---------- EDF / BDF ----------
export interface EdfSignalSpec {
  label: string;
  dimension: string;
  physMin: number;
  physMax: number;
  digMin: number;
  digMax: number;
  samplesPerRecord: number;
}

export interface EdfSpec {
  bdf?: boolean;
  reserved?: string;
  recordDuration: number;
  signals: EdfSignalSpec[];
  /** Digital values of signal s in record r (ignored for annotation signals). */
  digital: (record: number, signal: number) => number[];
  nRecords: number;
  /** Raw annotation bytes of record r (for signals labelled 'EDF Annotations'). */
  tal?: (record: number) => string;
  declaredRecords?: number;
}

function pad(text: string, width: number): string {
  return text.slice(0, width).padEnd(width, ' ');
}

export function edfBytes(spec: EdfSpec): Buffer {
  const ns = spec.signals.length;
  const bps = spec.bdf ? 3 : 2;
  let h = spec.bdf ? '\xffBIOSEMI' : pad('0', 8);
  h += pad('X X X X', 80) + pad('Startdate 01-JAN-2020 X X X', 80) + '01.01.20' + '10.00.00';
  h += pad(String(256 * (ns + 1)), 8) + pad(spec.reserved ?? '', 44);
  h +=
    pad(String(spec.declaredRecords ?? spec.nRecords), 8) +
    pad(String(spec.recordDuration), 8) +
    pad(String(ns), 4);
  const col = (f: (s: EdfSignalSpec) => string, w: number) => spec.signals.map((s) => pad(f(s), w)).join('');
  h += col((s) => s.label, 16) + col(() => '', 80) + col((s) => s.dimension, 8);
  h += col((s) => String(s.physMin), 8) + col((s) => String(s.physMax), 8);
  h += col((s) => String(s.digMin), 8) + col((s) => String(s.digMax), 8);
  h += col(() => '', 80) + col((s) => String(s.samplesPerRecord), 8) + col(() => '', 32);
  const parts: Buffer[] = [Buffer.from(h, 'latin1')];
  for (let r = 0; r < spec.nRecords; r++) {
    spec.signals.forEach((s, i) => {
      const block = Buffer.alloc(s.samplesPerRecord * bps);
      if (s.label === 'EDF Annotations' || s.label === 'BDF Annotations') {
        Buffer.from(spec.tal?.(r) ?? '', 'latin1').copy(block);
      } else {
        spec.digital(r, i).forEach((v, k) => {
          if (spec.bdf) block.writeIntLE(v, k * 3, 3);
          else block.writeInt16LE(v, k * 2);
        });
      }
      parts.push(block);
    });
  }
  return Buffer.concat(parts);
}

// ---------- FIF ----------
export interface FifChannelSpec {
  name: string;
  kind: number;
  unit: number;
  range: number;
  cal: number;
}

export type FifBufferSpec = { type: 'short' | 'int' | 'float'; rows: number[][] } | { skip: number };

function fifTag(kind: number, type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(16);
  head.writeInt32BE(kind, 0);
  head.writeInt32BE(type, 4);
  head.writeInt32BE(data.length, 8);
  head.writeInt32BE(0, 12);
  return Buffer.concat([head, data]);
}

const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
};
const floats = (vs: number[]) => {
  const b = Buffer.alloc(4 * vs.length);
  vs.forEach((v, i) => b.writeFloatBE(v, 4 * i));
  return b;
};

export function fifBytes(spec: {
  channels: FifChannelSpec[];
  sfreq: number;
  firstSample?: number;
  buffers: FifBufferSpec[];
  annotations?: { onset: number; duration: number; description: string }[];
  /** Write names longer than 15 characters the way MNE does: truncated, plus extended blocks. */
  extendedNames?: boolean;
  /** Name of the next part of a split recording. */
  nextFile?: string;
}): Buffer {
  const tags: Buffer[] = [fifTag(100, 31, Buffer.alloc(20))];
  const start = (block: number) => tags.push(fifTag(104, 3, int32(block)));
  const end = (block: number) => tags.push(fifTag(105, 3, int32(block)));
  start(100);
  start(101);
  tags.push(fifTag(200, 3, int32(spec.channels.length)));
  tags.push(fifTag(201, 4, floats([spec.sfreq])));
  spec.channels.forEach((c, i) => {
    const rec = Buffer.alloc(96);
    rec.writeInt32BE(i + 1, 0);
    rec.writeInt32BE(i + 1, 4);
    rec.writeInt32BE(c.kind, 8);
    rec.writeFloatBE(c.range, 12);
    rec.writeFloatBE(c.cal, 16);
    rec.writeInt32BE(c.unit, 72);
    rec.write(c.name.slice(0, 15), 80, 'latin1');
    tags.push(fifTag(203, 30, rec));
  });
  if (spec.extendedNames) {
    for (const c of spec.channels) {
      start(113);
      tags.push(fifTag(258, 10, Buffer.from(c.name, 'utf8')));
      end(113);
    }
  }
  end(101);
  start(102);
  if (spec.firstSample !== undefined) tags.push(fifTag(208, 3, int32(spec.firstSample)));
  for (const b of spec.buffers) {
    if ('skip' in b) {
      tags.push(fifTag(301, 3, int32(b.skip)));
      continue;
    }
    const n = b.rows.flat().length;
    const width = b.type === 'short' ? 2 : 4;
    const data = Buffer.alloc(n * width);
    b.rows.flat().forEach((v, i) => {
      if (b.type === 'short') data.writeInt16BE(v, i * 2);
      else if (b.type === 'int') data.writeInt32BE(v, i * 4);
      else data.writeFloatBE(v, i * 4);
    });
    tags.push(fifTag(300, b.type === 'short' ? 2 : b.type === 'int' ? 3 : 4, data));
  }
  end(102);
  if (spec.nextFile) {
    start(118);
    tags.push(fifTag(115, 3, int32(2)));
    tags.push(fifTag(118, 10, Buffer.from(spec.nextFile, 'utf8')));
    end(118);
  }
  if (spec.annotations) {
    start(3810);
    tags.push(fifTag(3568, 4, floats(spec.annotations.map((a) => a.onset))));
    tags.push(fifTag(3569, 4, floats(spec.annotations.map((a) => a.onset + a.duration))));
    tags.push(fifTag(206, 10, Buffer.from(spec.annotations.map((a) => a.description).join(':'), 'utf8')));
    end(3810);
  }
  end(100);
  return Buffer.concat(tags);
}

// ---------- MAT v5 ----------
export type MatSpec =
  | { kind: 'double' | 'single' | 'int16'; dims: number[]; values: number[] }
  | { kind: 'char'; text: string }
  | { kind: 'struct'; dims: number[]; fields: string[]; elements: Record<string, MatSpec>[] };

function matElement(type: number, data: Buffer): Buffer {
  const tag = Buffer.alloc(8);
  tag.writeUInt32LE(type, 0);
  tag.writeUInt32LE(data.length, 4);
  return Buffer.concat([tag, data, Buffer.alloc((8 - (data.length % 8)) % 8)]);
}

function matMatrix(name: string, spec: MatSpec): Buffer {
  const classes = { double: 6, single: 7, int16: 10, char: 4, struct: 2 } as const;
  const flags = Buffer.alloc(8);
  flags.writeUInt32LE(classes[spec.kind], 0);
  const dims = spec.kind === 'char' ? [1, spec.text.length] : spec.dims;
  const dimBuf = Buffer.alloc(4 * dims.length);
  dims.forEach((d, i) => dimBuf.writeInt32LE(d, 4 * i));
  const parts = [matElement(6, flags), matElement(5, dimBuf), matElement(1, Buffer.from(name, 'latin1'))];
  if (spec.kind === 'char') {
    const chars = Buffer.alloc(2 * spec.text.length);
    for (let i = 0; i < spec.text.length; i++) chars.writeUInt16LE(spec.text.charCodeAt(i), 2 * i);
    parts.push(matElement(4, chars));
  } else if (spec.kind === 'struct') {
    const len = 32;
    const lenBuf = Buffer.alloc(4);
    lenBuf.writeInt32LE(len);
    parts.push(matElement(5, lenBuf));
    const names = Buffer.alloc(len * spec.fields.length);
    spec.fields.forEach((f, i) => names.write(f, i * len, 'latin1'));
    parts.push(matElement(1, names));
    for (const element of spec.elements) for (const f of spec.fields) parts.push(matMatrix('', element[f]!));
  } else {
    const width = spec.kind === 'double' ? 8 : spec.kind === 'single' ? 4 : 2;
    const data = Buffer.alloc(width * spec.values.length);
    spec.values.forEach((v, i) => {
      if (spec.kind === 'double') data.writeDoubleLE(v, i * 8);
      else if (spec.kind === 'single') data.writeFloatLE(v, i * 4);
      else data.writeInt16LE(v, i * 2);
    });
    parts.push(matElement(spec.kind === 'double' ? 9 : spec.kind === 'single' ? 7 : 3, data));
  }
  return matElement(14, Buffer.concat(parts));
}

export function matBytes(variables: Record<string, MatSpec>, compress: boolean): Buffer {
  const header = Buffer.alloc(128, ' ');
  header.write('MATLAB 5.0 MAT-file, written by the ModeScope tests', 0, 'latin1');
  header.fill(0, 116, 124);
  header.writeUInt16LE(0x0100, 124);
  header.write('IM', 126, 'latin1');
  const parts: Buffer[] = [header];
  for (const [name, spec] of Object.entries(variables)) {
    const element = matMatrix(name, spec);
    if (!compress) parts.push(element);
    else {
      const z = deflateSync(element);
      const tag = Buffer.alloc(8);
      tag.writeUInt32LE(15, 0);
      tag.writeUInt32LE(z.length, 4);
      parts.push(tag, z);
    }
  }
  return Buffer.concat(parts);
}

export function writeBytes(path: string, bytes: Buffer | string): string {
  writeFileSync(path, bytes);
  return path;
}
