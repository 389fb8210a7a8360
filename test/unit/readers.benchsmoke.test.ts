import { expect, it } from 'vitest';
import { benchImport } from '../../bench/readers';

it('benchImport reads a float32 npy and reports throughput and memory', async () => {
  const result = await benchImport({ sizeMiB: Number(process.env.READERS_BENCH_MIB ?? 16), nChannels: 64 });
  console.log(JSON.stringify(result));
  expect(result.dataBytes).toBe(result.nSamples * result.nChannels * 4);
  expect(result.mbPerSecond).toBeGreaterThan(0);
});
