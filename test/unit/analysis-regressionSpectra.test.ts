import { describe, expect, it } from 'vitest';
import { regressionSpectra } from '../../src-main/analysis/regressionSpectra';
import { SeededRandom } from '../../src-main/numerics/random';

/** Solves the small dense system A x = b by Gaussian elimination with partial pivoting. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    for (let r = col + 1; r < n; r++) {
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let c = r + 1; c < n; c++) s -= m[r]![c]! * x[c]!;
    x[r] = s / m[r]![r]!;
  }
  return x;
}

describe('regressionSpectra', () => {
  it.each([false, true])(
    'equals least squares on a spectrogram computed by direct DFT sums (padded edges: %s)',
    (paddedEdgeWindows) => {
      const rng = new SeededRandom(31);
      const n = 600;
      const nChannels = 2;
      const nModes = 2;
      const fs = 50;
      const L = 64;
      const step = 16;
      const data = Float64Array.from({ length: n * nChannels }, () => rng.normal());
      // Two independent slowly varying positive regressors (not summing to one: well conditioned).
      const alpha = new Float64Array(n * nModes);
      for (let k = 0; k < nModes; k++) {
        let level = 0.5;
        for (let t = 0; t < n; t++) {
          level = Math.min(1, Math.max(0, level + 0.05 * rng.normal()));
          alpha[t * nModes + k] = level;
        }
      }
      const result = regressionSpectra(data, nChannels, alpha, nModes, {
        samplingRate: fs,
        windowLength: L,
        stepSize: step,
        standardize: false,
        paddedEdgeWindows,
      });

      const nfft = 256;
      const nBins = nfft / 2 + 1;
      const starts: number[] = [];
      for (let i = 0; i < Math.floor(n / step); i++) {
        const start = i * step - L / 2;
        if (paddedEdgeWindows || (start >= 0 && start + L <= n)) starts.push(start);
      }
      const nWindows = starts.length;
      // 600 / 16 → 37 windows; 2..35 lie wholly inside the data.
      expect(nWindows).toBe(paddedEdgeWindows ? 37 : 34);
      expect(result.nWindows).toBe(nWindows);
      expect(result.frequencies.length).toBe(nBins);
      expect(result.frequencies[nBins - 1]).toBeCloseTo(fs / 2, 12);
      const hann = Array.from({ length: L }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / L));
      const energy = hann.reduce((s, v) => s + v * v, 0);
      const padded = (arr: Float64Array, cols: number, t: number, c: number): number =>
        t >= 0 && t < n ? arr[t * cols + c]! : 0;
      const spectrogram: number[][][] = []; // [window][channel][bin]
      const regressors: number[][] = []; // [window][mode]
      for (const start of starts) {
        spectrogram.push(
          Array.from({ length: nChannels }, (_, c) =>
            Array.from({ length: nBins }, (_, b) => {
              let re = 0;
              let im = 0;
              for (let j = 0; j < L; j++) {
                const v = hann[j]! * padded(data, nChannels, start + j, c);
                re += v * Math.cos((2 * Math.PI * b * j) / nfft);
                im -= v * Math.sin((2 * Math.PI * b * j) / nfft);
              }
              return ((re * re + im * im) * 2) / (fs * energy);
            }),
          ),
        );
        regressors.push(
          Array.from({ length: nModes }, (_, k) => {
            let s = 0;
            for (let j = 0; j < L; j++) s += hann[j]! * padded(alpha, nModes, start + j, k);
            return s / L;
          }),
        );
      }
      const z = regressors.map((r) => [...r]);
      for (let k = 0; k < nModes; k++) {
        const mean = regressors.reduce((s, r) => s + r[k]!, 0) / nWindows;
        const sd = Math.sqrt(regressors.reduce((s, r) => s + (r[k]! - mean) ** 2, 0) / nWindows);
        z.forEach((r) => (r[k] = (r[k]! - mean) / sd));
      }
      // Normal equations for [1, z_1, z_2].
      const design = z.map((r) => [1, ...r]);
      const gram = [0, 1, 2].map((a) => [0, 1, 2].map((b) => design.reduce((s, r) => s + r[a]! * r[b]!, 0)));
      for (let c = 0; c < nChannels; c++) {
        for (const b of [0, 7, 40, 128]) {
          const y = spectrogram.map((w) => w[c]![b]!);
          const rhs = [0, 1, 2].map((a) => design.reduce((s, r, i) => s + r[a]! * y[i]!, 0));
          const [intercept, ...coefs] = solve(gram, rhs);
          const scale = Math.abs(intercept!);
          expect(result.intercept[c * nBins + b]).toBeCloseTo(intercept!, 10);
          for (let k = 0; k < nModes; k++) {
            const idx = (k * nChannels + c) * nBins + b;
            expect(Math.abs(result.coefficients[idx]! - coefs[k]!)).toBeLessThan(1e-9 * scale);
            expect(Math.abs(result.psd[idx]! - (coefs[k]! + intercept!))).toBeLessThan(1e-9 * scale);
          }
        }
      }
    },
  );

  it('gives each mode a spectrum peaking at the frequency of the sinusoid it adds', () => {
    const rng = new SeededRandom(32);
    const fs = 100;
    const n = 30000;
    const nModes = 3;
    const nChannels = 3;
    const frequencies = [6, 13, 31];
    const alpha = new Float32Array(n * nModes);
    const data = new Float64Array(n * nChannels);
    const phases = Array.from({ length: nModes * nChannels }, () => 2 * Math.PI * rng.uniform());
    let state = 0;
    for (let t = 0; t < n; t++) {
      if (rng.uniform() < 0.005) state = rng.integerBelow(nModes);
      let sum = 0;
      const e = Array.from({ length: nModes }, (_, k) =>
        Math.exp((k === state ? 3 : 0) + 0.3 * rng.normal()),
      );
      for (const v of e) sum += v;
      for (let k = 0; k < nModes; k++) alpha[t * nModes + k] = e[k]! / sum;
      for (let c = 0; c < nChannels; c++) {
        let v = 0.5 * rng.normal();
        for (let k = 0; k < nModes; k++) {
          v +=
            2 *
            alpha[t * nModes + k]! *
            Math.sin((2 * Math.PI * frequencies[k]! * t) / fs + phases[k * nChannels + c]!);
        }
        data[t * nChannels + c] = v;
      }
    }
    const result = regressionSpectra(data, nChannels, alpha, nModes, {
      samplingRate: fs,
      windowLength: 200,
      stepSize: 50,
      frequencyRange: [1, 45],
    });
    const nF = result.frequencies.length;
    expect(result.frequencies[0]).toBeGreaterThanOrEqual(1);
    expect(result.frequencies[nF - 1]).toBeLessThanOrEqual(45);
    for (let k = 0; k < nModes; k++) {
      for (let c = 0; c < nChannels; c++) {
        const offset = (k * nChannels + c) * nF;
        let best = 0;
        for (let f = 1; f < nF; f++) if (result.psd[offset + f]! > result.psd[offset + best]!) best = f;
        expect(Math.abs(result.frequencies[best]! - frequencies[k]!)).toBeLessThan(0.5);
        // At its own frequency, mode k has more power than any other mode and a positive
        // coefficient; at the other modes' frequencies its coefficient is negative.
        for (let j = 0; j < nModes; j++) {
          const bin = Math.round(
            (frequencies[j]! - result.frequencies[0]!) / (result.frequencies[1]! - result.frequencies[0]!),
          );
          const coefficient = result.coefficients[offset + bin]!;
          if (j === k) {
            expect(coefficient).toBeGreaterThan(0);
          } else {
            expect(coefficient).toBeLessThan(0);
            expect(result.psd[(j * nChannels + c) * nF + best]!).toBeLessThan(
              0.5 * result.psd[offset + best]!,
            );
          }
        }
      }
    }
  });

  it('scales periodograms so that power integrates to the variance (Parseval)', () => {
    const fs = 200;
    const n = 4000;
    const amplitude = 3;
    const frequency = 25; // an exact bin of the 256-point transform at 200 Hz
    const data = Float64Array.from(
      { length: n },
      (_, t) => amplitude * Math.sin((2 * Math.PI * frequency * t) / fs),
    );
    const twoChannel = new Float64Array(n * 2);
    for (let t = 0; t < n; t++) {
      twoChannel[t * 2] = data[t]!;
      twoChannel[t * 2 + 1] = 0.5 * data[t]!;
    }
    const alpha = new Float64Array(n * 2);
    for (let t = 0; t < n; t++) {
      alpha[t * 2] = 0.5 + 0.4 * Math.sin(t / 300);
      alpha[t * 2 + 1] = 1 - alpha[t * 2]!;
    }
    const L = 128;
    const step = 64;
    const result = regressionSpectra(twoChannel, 2, alpha, 2, {
      samplingRate: fs,
      windowLength: L,
      stepSize: step,
      standardize: false,
    });
    const df = result.frequencies[1]! - result.frequencies[0]!;
    const nF = result.frequencies.length;
    const hann = Array.from({ length: L }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / L));
    const energy = hann.reduce((s, v) => s + v * v, 0);
    let expected = 0;
    let windows = 0;
    for (let i = 0; i < Math.floor(n / step); i++) {
      const start = i * step - L / 2;
      if (start < 0 || start + L > n) continue;
      let e = 0;
      for (let j = 0; j < L; j++) e += (hann[j]! * data[start + j]!) ** 2;
      expected += e / energy;
      windows++;
    }
    expected /= windows;
    expect(result.nWindows).toBe(windows);
    let integral = 0;
    for (let f = 0; f < nF; f++) integral += result.intercept[f]! * df;
    expect(integral).toBeCloseTo(expected, 2);
    expect(integral).toBeCloseTo(amplitude ** 2 / 2, 2);
    let integral1 = 0;
    for (let f = 0; f < nF; f++) integral1 += result.intercept[nF + f]! * df;
    expect(integral1).toBeCloseTo(0.25 * integral, 8);
  });

  it('returns symmetric coherences that peak where two channels share a mode sinusoid', () => {
    const rng = new SeededRandom(33);
    const fs = 100;
    const n = 12000;
    const alpha = new Float32Array(n * 2);
    const data = new Float64Array(n * 3);
    let state = 0;
    for (let t = 0; t < n; t++) {
      if (rng.uniform() < 0.01) state = 1 - state;
      alpha[t * 2 + state] = 0.9;
      alpha[t * 2 + 1 - state] = 0.1;
      const shared = 2 * alpha[t * 2]! * Math.sin((2 * Math.PI * 10 * t) / fs);
      data[t * 3] = shared + 0.5 * rng.normal();
      data[t * 3 + 1] = shared + 0.5 * rng.normal();
      data[t * 3 + 2] = 0.5 * rng.normal();
    }
    const result = regressionSpectra(data, 3, alpha, 2, {
      samplingRate: fs,
      windowLength: 100,
      stepSize: 25,
      coherence: true,
      frequencyRange: [2, 40],
    });
    expect(result.constantModes).toEqual([]);
    const coh = result.coherence!;
    const nF = result.frequencies.length;
    expect(coh.length).toBe(2 * 3 * 3 * nF);
    const at = (k: number, c: number, d: number, f: number): number => coh[((k * 3 + c) * 3 + d) * nF + f]!;
    for (let f = 0; f < nF; f++) expect(at(1, 0, 2, f)).toBe(at(1, 2, 0, f));
    let peak = 0;
    for (let f = 1; f < nF; f++) if (at(0, 0, 1, f) > at(0, 0, 1, peak)) peak = f;
    expect(Math.abs(result.frequencies[peak]! - 10)).toBeLessThan(0.5);
    expect(at(0, 0, 1, peak)).toBeGreaterThan(10 * at(0, 0, 2, peak));
    // Two modes that always sum to one are one regressor: the minimum-norm split gives them
    // opposite coefficients, mode 1 losing the 10 Hz power that mode 0 gains.
    for (let c = 0; c < 3; c++) {
      const gain = result.coefficients[c * nF + peak]!;
      const loss = result.coefficients[(3 + c) * nF + peak]!;
      if (c < 2) expect(gain).toBeGreaterThan(0.1 * result.intercept[c * nF + peak]!);
      expect(Math.abs(gain + loss)).toBeLessThan(1e-6 * Math.abs(result.intercept[c * nF + peak]!));
    }
  });

  it('reports a mode whose windowed α does not vary and gives it zero coefficients', () => {
    const rng = new SeededRandom(34);
    const n = 2000;
    const data = Float64Array.from({ length: n }, () => rng.normal());
    const alpha = new Float64Array(n * 2);
    for (let t = 0; t < n; t++) alpha[t * 2 + 1] = rng.uniform();
    const result = regressionSpectra(data, 1, alpha, 2, {
      samplingRate: 10,
      windowLength: 100,
      stepSize: 50,
    });
    expect(result.nWindows).toBe(39);
    expect(result.constantModes).toEqual([0]);
    for (let f = 0; f < result.frequencies.length; f++) expect(result.coefficients[f]).toBe(0);
  });

  it('refuses bad shapes, windows and ranges with specific errors', () => {
    const data = new Float64Array(200);
    const alpha = new Float64Array(400).fill(0.5);
    const options = { samplingRate: 10, windowLength: 20, stepSize: 5 };
    expect(() => regressionSpectra(data, 1, alpha.subarray(0, 100), 2, options)).toThrow(
      /has 50 samples but data has 200/,
    );
    expect(() => regressionSpectra(data.subarray(0, 199), 2, alpha, 2, options)).toThrow(
      /not a multiple of 2/,
    );
    expect(() => regressionSpectra(data, 1, alpha, 2, { ...options, windowLength: 500 })).toThrow(
      /windowLength/,
    );
    expect(() => regressionSpectra(data, 1, alpha, 2, { ...options, stepSize: 150 })).toThrow(/at least 2/);
    expect(() =>
      regressionSpectra(data, 1, alpha, 2, { ...options, windowLength: 200, stepSize: 50 }),
    ).toThrow(/leave 1 window/);
    expect(() => regressionSpectra(data, 1, alpha, 2, { ...options, samplingRate: -1 })).toThrow(
      /samplingRate/,
    );
    expect(() => regressionSpectra(data, 1, alpha, 2, { ...options, frequencyRange: [4, 4.01] })).toThrow(
      /frequencyRange/,
    );
    expect(() => regressionSpectra(data, 1, alpha, 2, options)).toThrow(/channel 0 is constant/);
    const nan = new Float64Array(200).fill(1);
    nan[17] = Number.NaN;
    expect(() => regressionSpectra(nan, 1, alpha, 2, options)).toThrow(/sample 17, column 0 is NaN/);
    const noise = Float64Array.from({ length: 200 }, (_, t) => Math.sin(t));
    expect(() => regressionSpectra(noise, 1, alpha.subarray(0, 200), 1, options)).toThrow(/nModes/);
  });
});
