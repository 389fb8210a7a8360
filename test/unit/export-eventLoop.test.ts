import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultColumnNames, writeCsv } from '../../src-main/export/csvWriter';
import { EventLoopPacer } from '../../src-main/export/eventLoopPacer';
import { inMemoryArray } from '../../src-main/export/exportArray';
import { writeMat } from '../../src-main/export/matWriter';

/** Issue #6: the exports run in the services process and must hand its event loop back often. */

const dir = mkdtempSync(path.join(tmpdir(), 'modescope-export-lag-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function maxTimerGapDuring(work: () => Promise<void>): Promise<number> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 2);
  try {
    await work();
    return maxGapMs;
  } finally {
    clearInterval(timer);
  }
}

function alphaLike(rows: number, width: number): Float32Array {
  const data = new Float32Array(rows * width);
  for (let i = 0; i < data.length; i++) data[i] = (Math.sin(i * 0.731) + 1) / 2;
  return data;
}

describe('EventLoopPacer', () => {
  it('is due only after its slice and starts a new slice after a pause', async () => {
    const pacer = new EventLoopPacer(20);
    expect(pacer.due()).toBe(false);
    const until = performance.now() + 25;
    while (performance.now() < until);
    expect(pacer.due()).toBe(true);
    await pacer.pause();
    expect(pacer.due()).toBe(false);
  });
});

describe('writers on a long array', () => {
  it('CSV: formats 1.2 M values without holding the loop, and writes every row', async () => {
    const rows = 200_000;
    const array = inMemoryArray(alphaLike(rows, 6), [rows, 6]);
    const file = path.join(dir, 'alpha.csv');
    const gap = await maxTimerGapDuring(() =>
      writeCsv(file, array, { names: defaultColumnNames([rows, 6]) }),
    );
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(rows + 1);
    expect(lines[1]!.split(',')).toHaveLength(6);
    // One flush of 1 M characters is ~100k values: several hundred ms here without the pacer.
    expect(gap).toBeLessThan(150);
  }, 60_000);

  it('MAT: transposes a long array without holding the loop', async () => {
    const rows = 400_000;
    const array = inMemoryArray(alphaLike(rows, 8), [rows, 8]);
    const file = path.join(dir, 'alpha.mat');
    const gap = await maxTimerGapDuring(() => writeMat(file, [{ name: 'alpha', array }]));
    expect(statSync(file).size).toBeGreaterThan(rows * 8 * 4);
    expect(gap).toBeLessThan(150);
  }, 60_000);
});
