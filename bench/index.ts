/**
 * `npm run bench` entry: each benchmark runs in its own process (scripts/bench.mjs) so that peak
 * memory and warm-up of one do not colour another. Prints one JSON object per line.
 */
import { benchDynemoStep } from './dynemo';
import { benchEngine } from './engine';
import { benchTdePca } from './prepare';
import { benchProjectImport } from './importProject';
import { benchImport } from './readers';
import { benchEventLoopLag } from './eventLoopLag';
import { benchGapBaselinesOverSeeds, benchGaps } from './gaps';

const importMiB = Number(process.env.MODESCOPE_BENCH_IMPORT_MIB ?? 1024);

export const benchmarks: Record<string, () => Promise<object | object[]>> = {
  engine: () => benchEngine(),
  dynemo_step: () => benchDynemoStep(),
  tde_pca: () => benchTdePca(),
  import_read: () => benchImport({ sizeMiB: importMiB }),
  import_project: () => benchProjectImport(importMiB),
  event_loop_lag: () => benchEventLoopLag(),
  // Trains eight imputation models on the real EEG (about half an hour): run it by name.
  // MODESCOPE_GAPS_SEED picks the seed of the hidden gaps (1 by default, as the integration test).
  gaps: () => benchGaps({ seed: Number(process.env.MODESCOPE_GAPS_SEED ?? 1) }),
  // The training-free imputers over five seeds of hidden gaps (a few minutes): by name too.
  gaps_baselines: () => benchGapBaselinesOverSeeds(),
};

const name = process.argv[2];
if (name) {
  const bench = benchmarks[name];
  if (!bench) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(benchmarks).join(', ')}`);
    process.exit(2);
  }
  const result = await bench();
  for (const record of Array.isArray(result) ? result : [result]) {
    console.log(JSON.stringify({ bench: name, ...record }));
  }
}
