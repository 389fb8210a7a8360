import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateGapsOnEeg } from '../../bench/gaps';

/**
 * Issue 7's target on real EEG (EEGMMIDB resting runs, 64 channels, 160 Hz): seeded hidden
 * all-channel gaps of 100–500 ms and single-channel dropouts in S003, imputed by a VRAE trained
 * with fixed seeds on S001, S002 and S003's observed values (the hidden values never reach the
 * training: see bench/gaps.ts), with the seed's procedure (flagged-zero fill, mode of q(z|x), mode
 * of p(x|z), overwrite the missing entries), by the multichannel autoregressive imputer (VAR(8)
 * fitted, like the GP's autocovariance, to S003's observed values; joint conditional mean across
 * channels), and by the two stacked with the per-channel GP (weights by distance from the gap's
 * edge, calibrated on synthetic gaps in observed values). Asserted on the 1–45 Hz band-passed data;
 * the raw data's numbers are logged. Two trainings of 60 epochs and one calibration: about 6 min
 * of CPU time in all.
 */
const dataDir = path.resolve(__dirname, '../../../shared/data/eeg/raw');
const haveData = existsSync(path.join(dataDir, 'eegmmidb_S003R01.edf'));

describe.skipIf(!haveData)('gap imputation on EEGMMIDB resting EEG', () => {
  it('imputes hidden gaps well below linear interpolation and below the per-channel GP', async () => {
    const results = await evaluateGapsOnEeg({
      dataDir,
      preparations: ['bandpass_1_45', 'raw'],
      seed: 1,
      // Two rounds of calibration gaps (the app uses four) and the raw data's stacked column left to
      // the bench (0.811 there): they keep the test's time in CI's budget.
      stackingRounds: 2,
      stackedPreparations: ['bandpass_1_45'],
    });
    const pooled = (r: (typeof results)[number], kind: string) =>
      r.table.rows.find((x) => x.kind === kind && x.length_ms === null)!;
    for (const r of results)
      console.log(
        JSON.stringify({
          preparation: r.preparation,
          training: r.training,
          train_seconds: r.train_seconds,
          mean_gap_std: r.mean_gap_std,
          stacking_curves: r.stacking_curves,
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
    // Issue 7's target, met by the stacked GP + autoregressive imputer: at most 0.7 × linear
    // interpolation and below the per-channel GP. Its curves are calibrated on synthetic gaps in
    // S001, S002 and S003's observed values (two rounds here, four in the app and the bench).
    // Measured with this seed: 0.933, 0.50 × linear and 2.0 % below the GP's 0.952. Over seeds 1–5
    // (`npm run bench gaps_baselines`, four rounds) it is below the GP on every seed, by 0.4–3.5 %,
    // pooled 0.802 vs 0.817.
    expect(m.stacked!.rmse).toBeLessThanOrEqual(0.7 * m.linear!.rmse);
    expect(m.stacked!.rmse).toBeLessThan(m.gaussian_process!.rmse);
    // Near the gap's edge the autoregressive fill (every channel's last values) gets most of the
    // weight, a few tens of milliseconds in the GP's (each channel's own rhythm).
    const curve = filtered.stacking_curves!.gap;
    expect(1 / (1 + Math.exp(-curve.intercept))).toBeLessThan(0.3);
    expect(1 / (1 + Math.exp(-(curve.intercept + 16 * curve.slope)))).toBeGreaterThan(0.9);
    // The autoregressive imputer alone with this seed: 0.920, below the GP's 0.952, but not over
    // seeds 1–5 (pooled 0.844 vs the GP's 0.817). These bounds guard it against regressions.
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
    // The stacked std is an upper bound (w·sd_GP + (1 − w)·sd_AR): measured 0.77 against 0.93.
    expect(filtered.mean_gap_std.stacked).toBeGreaterThan(0.6 * m.stacked!.rmse);
    // Single-channel dropouts: the other channels are observed, and the model uses them.
    const d = pooled(filtered, 'channel_dropout').methods;
    expect(d.vrae!.rmse).toBeLessThan(0.6 * d.gaussian_process!.rmse);
    expect(d.autoregressive!.rmse).toBeLessThan(0.6 * d.gaussian_process!.rmse);
    // Where other channels are observed the calibration gives the autoregressive fill the weight
    // (measured 0.220, as the autoregressive imputer's).
    expect(d.stacked!.rmse).toBeLessThan(0.6 * d.gaussian_process!.rmse);
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
