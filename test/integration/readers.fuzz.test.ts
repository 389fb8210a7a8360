import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src-main/data/readers/readRecording';
import { RecordingReadError } from '../../src-main/data/readers/recordingReadError';
import { eegDir, formatsDir, hasSharedData } from '../helpers/readersData';
import { matBytes, npyBytes } from '../helpers/readersFixtures';

/** mulberry32: a small seeded generator so every run mutates the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Target {
  /** The file handed to the reader, then its companions; the mutated one is picked per case. */
  files: string[];
  /** Bytes at the start that are a header (mutations favour them). */
  headerBytes: number;
  text: boolean;
}

const targets: Target[] = [
  { files: [path.join(formatsDir, 'test.edf')], headerBytes: 36096, text: true },
  { files: [path.join(formatsDir, 'test.bdf')], headerBytes: 18944, text: true },
  { files: [path.join(formatsDir, 'kit_test_bin_raw.fif')], headerBytes: 200_000, text: false },
  { files: [path.join(formatsDir, 'bti_exported4D_linux_raw.fif')], headerBytes: 120_000, text: false },
  { files: [path.join(formatsDir, 'test_ctf_comp_raw.fif')], headerBytes: 120_000, text: false },
  {
    files: ['test.vhdr', 'test.vmrk', 'test.eeg'].map((f) => path.join(formatsDir, f)),
    headerBytes: 6000,
    text: true,
  },
  { files: [path.join(eegDir, 'raw/eegmmidb_S001R04.edf')], headerBytes: 16896, text: true },
  {
    files: ['eeglab_data.set', 'eeglab_data.fdt'].map((f) => path.join(eegDir, 'raw', f)),
    headerBytes: 4096,
    text: false,
  },
];

/** Small generated files of the formats the shared data lacks (npy, compressed MAT, EEGLAB inline, CSV). */
function syntheticTargets(folder: string): Target[] {
  mkdirSync(folder, { recursive: true });
  const values = Array.from({ length: 64 * 8 }, (_, i) => Math.sin(i) * 100);
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(path.join(folder, name), bytes);
    return path.join(folder, name);
  };
  const csv = [
    'a,b,c,d,e,f,g,h',
    ...Array.from({ length: 64 }, (_, t) => values.slice(t * 8, t * 8 + 8).join(',')),
  ];
  return [
    { files: [write('x.npy', npyBytes('<f8', [64, 8], true, values))], headerBytes: 128, text: false },
    {
      files: [write('x.mat', matBytes({ X: { kind: 'double', dims: [64, 8], values } }, true))],
      headerBytes: 512,
      text: false,
    },
    {
      files: [
        write(
          'y.mat',
          matBytes({ X: { kind: 'int16', dims: [64, 8], values: values.map(Math.round) } }, false),
        ),
      ],
      headerBytes: 512,
      text: false,
    },
    { files: [write('x.csv', csv.join('\n'))], headerBytes: 4096, text: true },
  ];
}

const CASES_PER_TARGET = 100;
const CASE_TIMEOUT_MS = 5000;
const interestingWords = [0, -1, 1, 0x7fffffff, -0x80000000, 0xffff, 1e9, 16, 20, 96];

function mutate(original: Buffer, target: Target, random: () => number): { bytes: Buffer; what: string } {
  const pick = (n: number) => Math.floor(random() * n);
  const position = () =>
    random() < 0.7 ? pick(Math.min(original.length, target.headerBytes)) : pick(original.length);
  const op = pick(4);
  if (op === 0) {
    const bytes = Buffer.from(original);
    const n = 1 + pick(16);
    for (let i = 0; i < n; i++) bytes[position()] = pick(256);
    return { bytes, what: `flip ${n} bytes` };
  }
  if (op === 1) {
    const at = position();
    return { bytes: original.subarray(0, at), what: `truncate at ${at}` };
  }
  if (op === 2 && target.text) {
    const bytes = Buffer.from(original);
    const at = position();
    const replacements = ['-1', '0', '999999999', '1e308', '-5', 'abc', '', '00000000', '0.000001', '65535'];
    const text = replacements[pick(replacements.length)]!.padEnd(1 + pick(8), ' ');
    bytes.write(text, at, 'latin1');
    return { bytes, what: `write '${text}' at ${at}` };
  }
  if (op === 2) {
    const bytes = Buffer.from(original);
    const at = position() & ~3;
    const word = interestingWords[pick(interestingWords.length)]!;
    if (at + 4 <= bytes.length) {
      if (random() < 0.5) bytes.writeInt32BE(word | 0, at);
      else bytes.writeInt32LE(word | 0, at);
    }
    return { bytes, what: `word ${word} at ${at}` };
  }
  const bytes = Buffer.from(original);
  const at = position();
  const length = 1 + pick(256);
  bytes.fill(0, at, Math.min(bytes.length, at + length));
  return { bytes, what: `zero ${length} bytes at ${at}` };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hung for more than ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const dir = mkdtempSync(path.join(tmpdir(), 'readers-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
targets.push(...syntheticTargets(path.join(dir, 'synthetic')));

describe.skipIf(!hasSharedData)('readers under mutated real files', () => {
  it(`reads or refuses ${targets.length * CASES_PER_TARGET} mutated copies with a RecordingReadError`, async () => {
    const random = rng(Number(process.env.READERS_FUZZ_SEED ?? 20261123));
    let read = 0;
    let refused = 0;
    for (const [t, target] of targets.entries()) {
      const originals = target.files.map((f) => readFileSync(f));
      const caseDir = path.join(dir, `t${t}`);
      mkdirSync(caseDir, { recursive: true });
      for (let c = 0; c < CASES_PER_TARGET; c++) {
        // Mostly the main file; companions (.vmrk, .eeg, .fdt) get a share.
        const victim =
          originals.length > 1 && random() < 0.4 ? 1 + Math.floor(random() * (originals.length - 1)) : 0;
        const mutation = mutate(originals[victim]!, target, random);
        target.files.forEach((f, i) =>
          writeFileSync(path.join(caseDir, path.basename(f)), i === victim ? mutation.bytes : originals[i]!),
        );
        const label = `${path.basename(target.files[victim]!)} case ${c}: ${mutation.what}`;
        try {
          const r = await withTimeout(
            readRecording(path.join(caseDir, path.basename(target.files[0]!)), {
              maxBytes: 256 * 1024 * 1024,
            }),
            CASE_TIMEOUT_MS,
          );
          const { header } = r;
          expect(Number.isFinite(header.samplingRate) && header.samplingRate > 0, label).toBe(true);
          expect(Number.isSafeInteger(header.nSamples) && header.nSamples > 0, label).toBe(true);
          expect(header.channels.length, label).toBeGreaterThan(0);
          expect(r.data.length, label).toBe(header.nSamples * header.channels.length);
          expect(r.gapMask.length, label).toBe(header.nSamples);
          expect(
            header.annotations.every((a) => Number.isFinite(a.onset) && a.duration >= 0),
            label,
          ).toBe(true);
          read++;
        } catch (error) {
          if (!(error instanceof RecordingReadError)) {
            throw new Error(`${label}: threw ${String(error)} instead of a RecordingReadError`, {
              cause: error,
            });
          }
          refused++;
        }
      }
    }
    expect(read + refused).toBe(targets.length * CASES_PER_TARGET);
    // Both outcomes must occur, or the mutations are not testing anything.
    expect(read).toBeGreaterThan(20);
    expect(refused).toBeGreaterThan(20);
  }, 120_000);
});
