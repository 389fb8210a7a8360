import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGapsOnEeg } from '../../bench/gaps';

/**
 * Issue 7's target on real EEG (EEGMMIDB resting runs, 64 channels, 160 Hz): seeded hidden
 * all-channel gaps of 100–500 ms and single-channel dropouts in S003, imputed by a VRAE trained
 * with fixed seeds on S001, S002 and S003's observed values (the hidden values never reach the
 * training: see bench/gaps.ts), with the seed's procedure (flagged-zero fill, mode of q(z|x), mode
 * of p(x|z), overwrite the missing entries), and by the multichannel autoregressive imputer
 * (VAR(8) fitted, like the GP's autocovariance, to S003's observed values; joint conditional mean
 * across channels). Asserted on the 1–45 Hz band-passed data; the raw data's numbers are logged. Two trainings of 60 epochs: about 4.5 min of CPU time in all; 6 min of
 * wall time on two cores shared with other jobs (load average 10), 19 min at load 11–17.
 */
const dataDir = path.resolve(__dirname, '../../../shared/data/eeg/raw');
const haveData = existsSync(path.join(dataDir, 'eegmmidb_S003R01.edf'));

describe.skipIf(!haveData)('gap imputation on EEGMMIDB resting EEG', () => {
  it('imputes hidden gaps well below linear interpolation and near the per-channel GP', async () => {
    const results = await evaluateGapsOnEeg({ dataDir, preparations: ['bandpass_1_45', 'raw'], seed: 1 });
    const pooled = (r: (typeof results)[number], kind: string) =>
      r.table.rows.find((x) => x.kind === kind && x.length_ms === null)!;
    for (const r of results)
      console.log(
        JSON.stringify({
          preparation: r.preparation,
          training: r.training,
          train_seconds: r.train_seconds,
          mean_gap_std: r.mean_gap_std,
          gaps: pooled(r, 'gap').methods,
          dropouts: pooled(r, 'channel_dropout').methods,
        }),
      );
    const filtered = results.find((r) => r.preparation === 'bandpass_1_45')!;
    const gaps = pooled(filtered, 'gap');
    expect(gaps.n_stretches).toBe(15);
    expect(gaps.n_values).toBe(3 * (16 + 32 + 48 + 64 + 80) * 64);
    const m = gaps.methods;
    // All-channel gaps of 100–500 ms: at most 0.7 × linear interpolation's RMSE (issue 7).
    expect(m.vrae!.rmse).toBeLessThanOrEqual(0.7 * m.linear!.rmse);
    expect(m.vrae!.rmse).toBeLessThan(m.channel_mean!.rmse);
    expect(m.vrae!.rmse).toBeLessThan(m.locf!.rmse);
    // The multichannel autoregressive imputer with this seed: 0.920, 0.49 × linear and below the
    // GP's 0.952. That is not the GP target met: over seeds 1–5 of hidden gaps
    // (`npm run bench gaps_baselines`) the GP is ahead on filtered data (pooled 0.817 vs 0.844)
    // and the autoregressive imputer on raw data (0.739 vs 0.772). These bounds guard the
    // measured numbers against regressions.
    expect(m.autoregressive!.rmse).toBeLessThanOrEqual(0.7 * m.linear!.rmse);
    expect(m.autoregressive!.rmse).toBeLessThan(m.gaussian_process!.rmse);
    // The VRAE stays above the GP (measured 0.966 vs 0.952 with this seed, 1.5–12 % above it with
    // seeds 2–5; src-main/imputation/README.md lists what was tried): this bound guards the
    // distance against regressions.
    expect(m.vrae!.rmse).toBeLessThan(1.03 * m.gaussian_process!.rmse);
    // Uncertainty from posterior draws, as predictive std (spread of the fill plus emission noise):
    // of the order of the actual error (measured VRAE 0.51 and autoregressive 0.76 against RMSEs
    // of 0.97 and 0.92; the VRAE's posterior spread alone was 0.11).
    expect(filtered.mean_gap_std.vrae).toBeGreaterThan(0.4 * m.vrae!.rmse);
    expect(filtered.mean_gap_std.autoregressive).toBeGreaterThan(0.6 * m.autoregressive!.rmse);
    // Single-channel dropouts: the other channels are observed, and the model uses them.
    const d = pooled(filtered, 'channel_dropout').methods;
    expect(d.vrae!.rmse).toBeLessThan(0.6 * d.gaussian_process!.rmse);
    expect(d.autoregressive!.rmse).toBeLessThan(0.6 * d.gaussian_process!.rmse);
    // Raw data (measured: autoregressive 0.813, VRAE 0.910, GP 0.910, linear 1.274): logged above;
    // the models must at least beat straight lines there too.
    const raw = pooled(
      results.find((r) => r.preparation === 'raw')!,
      'gap',
    ).methods;
    expect(raw.vrae!.rmse).toBeLessThan(raw.linear!.rmse);
    expect(raw.autoregressive!.rmse).toBeLessThan(raw.linear!.rmse);
  }, 1_800_000);
});
