import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openRecording } from '../../src-main/data/readers/openRecording';
import { recordingWindows } from '../../src-main/data/readers/recordingWindows';
import { npyBytes, writeBytes } from '../helpers/readersFixtures';

const dir = mkdtempSync(path.join(tmpdir(), 'readers-windows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('recordingWindows', () => {
  const values = [1, 2, 3, NaN, 5, 6, 7, Infinity, 9, 10];
  const file = writeBytes(path.join(dir, 'w.npy'), npyBytes('<f4', [5, 2], false, values));

  it('walks the recording in windows with a missing-sample mask', async () => {
    const source = await openRecording(file, { samplingRate: 1 });
    const seen: { start: number; data: (number | null)[]; missing: number[] }[] = [];
    for await (const w of recordingWindows(source, { samplesPerWindow: 2 })) {
      seen.push({
        start: w.start,
        data: Array.from(w.data, (v) => (Number.isNaN(v) ? null : v)),
        missing: Array.from(w.missing),
      });
    }
    await source.close();
    expect(seen).toEqual([
      { start: 0, data: [1, 2, 3, null], missing: [0, 1] },
      { start: 2, data: [5, 6, 7, null], missing: [0, 1] },
      { start: 4, data: [9, 10], missing: [0] },
    ]);
  });

  it('stops between windows when cancelled', async () => {
    const source = await openRecording(file, { samplingRate: 1 });
    const controller = new AbortController();
    const starts: number[] = [];
    await expect(
      (async () => {
        for await (const w of recordingWindows(source, { samplesPerWindow: 2, signal: controller.signal })) {
          starts.push(w.start);
          controller.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    await source.close();
    expect(starts).toEqual([0]);
  });
});
