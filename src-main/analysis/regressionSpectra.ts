/**
 * Mode power spectra by regression, after osl-dynamics' `analysis.spectral.regression_spectra`
 * (single taper, no sub-windows):
 * 1. Each channel is standardised. A window of L samples is centred on every `stepSize`-th sample
 *    (window i covers samples i·step − ⌊L/2⌋ … i·step − ⌊L/2⌋ + L − 1).
 * 2. Each window is tapered by a periodic Hann window w and transformed with
 *    nfft = max(256, L) points; the periodogram |X(f)|² is scaled by 2 / (fs Σ w²), on every
 *    bin including DC and Nyquist (osl-dynamics doubles them all, unlike SciPy's one-sided rule).
 * 3. α is averaged over the same windows after multiplying by the taper (mean of w · α), then
 *    each mode's windowed α is standardised (z-scored over windows).
 * 4. Every (channel, frequency) power is regressed on the standardised α with an intercept by
 *    ordinary least squares; the mode spectrum is coefficient + intercept.
 * Because the regressors are z-scored, the intercept is the mean spectrum over windows and the
 * coefficients are (ZᵀZ)⁺ Zᵀ P, so one pass over the windows accumulates both without storing the
 * spectrogram.
 *
 * One deliberate difference. osl-dynamics zero-pads the data and α by ⌊L/2⌋ at both ends and
 * keeps the windows that hang over the padding. Mixing coefficients sum to one, so in every
 * window inside the data the windowed α sum to the same constant and the regressors are exactly
 * collinear with the intercept; only the padded edge windows break the tie, so the coefficient
 * along that direction is fitted to a handful of edge windows and its noise, amplified by the
 * condition number (~10³ in tests), leaks into every mode's spectrum (with two modes, the second
 * mode's coefficient at the first mode's frequency came out with the wrong sign). By default only
 * windows wholly inside the data are used and the collinear direction is removed by the
 * pseudo-inverse (eigenvalues of ZᵀZ below 1e-10 of the largest are dropped): the minimum-norm
 * solution, whose coefficients satisfy Σ_k sd_k · coef_k = 0, i.e. each mode's spectrum is its
 * departure from the mean. `paddedEdgeWindows: true` reproduces osl-dynamics' windows exactly.
 *
 * Coherence, when asked for, uses osl-dynamics' definition: the regression coefficient of the
 * complex cross-spectrum divided by the geometric mean of the two channels' intercepts.
 */
import { fftPlan, fftTwoReal } from '../numerics/fft';
import { symmetricEigen } from '../numerics/symmetricEigen';
import { AnalysisInputError } from './errors';
import {
  checkMixingCoefficients,
  checkPositiveFinite,
  checkPositiveInteger,
  checkTimeMajor,
} from './inputChecks';

export interface RegressionSpectraOptions {
  samplingRate: number;
  /** Window length L in samples. */
  windowLength: number;
  stepSize: number;
  /** Lowest and highest frequency kept, in Hz (default: 0 to Nyquist). */
  frequencyRange?: readonly [number, number];
  /** Standardise each channel first (default true, as osl-dynamics). */
  standardize?: boolean;
  /** Also compute coherences (C(C+1)/2 cross-spectra per window; default false). */
  coherence?: boolean;
  /** Keep windows that overlap zero padding at the edges, exactly as osl-dynamics (default false). */
  paddedEdgeWindows?: boolean;
}

export interface RegressionSpectra {
  /** Hz, [nFrequencies]. */
  frequencies: Float64Array;
  /** coefficients + intercept, [nModes × nChannels × nFrequencies]. */
  psd: Float64Array;
  /** Change in power per standard deviation of the windowed α, [nModes × nChannels × nFrequencies]. */
  coefficients: Float64Array;
  /** Mean power over windows, [nChannels × nFrequencies]. */
  intercept: Float64Array;
  /** [nModes × nChannels × nChannels × nFrequencies] when asked for. */
  coherence?: Float64Array;
  nWindows: number;
  /** Modes whose windowed α did not vary; their coefficients are 0. */
  constantModes: number[];
}

/** scipy.signal.get_window('hann', L): the periodic Hann window used for spectral estimates. */
export function periodicHann(length: number): Float64Array {
  const w = new Float64Array(length);
  for (let n = 0; n < length; n++) w[n] = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / length);
  return w;
}

/**
 * First sample of each window (negative where a window starts in the padding): the ⌊N / step⌋
 * windows of osl-dynamics, or only those wholly inside the data.
 */
export function windowStarts(
  nSamples: number,
  windowLength: number,
  stepSize: number,
  paddedEdgeWindows: boolean,
): number[] {
  const half = Math.floor(windowLength / 2);
  const starts: number[] = [];
  for (let i = 0; i < Math.floor(nSamples / stepSize); i++) {
    const first = i * stepSize - half;
    if (paddedEdgeWindows || (first >= 0 && first + windowLength <= nSamples)) starts.push(first);
  }
  return starts;
}

/** Windowed α: [nWindows × nModes], the mean over each window of taper · α (zero outside the data). */
export function windowedAlpha(
  alpha: ArrayLike<number>,
  nModes: number,
  windowLength: number,
  starts: readonly number[],
): Float64Array {
  const nSamples = alpha.length / nModes;
  const nWindows = starts.length;
  const taper = periodicHann(windowLength);
  const out = new Float64Array(nWindows * nModes);
  for (let i = 0; i < nWindows; i++) {
    const first = starts[i]!;
    for (let n = Math.max(0, -first); n < windowLength && first + n < nSamples; n++) {
      const s = first + n;
      for (let k = 0; k < nModes; k++) {
        out[i * nModes + k] = out[i * nModes + k]! + taper[n]! * alpha[s * nModes + k]!;
      }
    }
    for (let k = 0; k < nModes; k++) out[i * nModes + k] = out[i * nModes + k]! / windowLength;
  }
  return out;
}

interface RegressionWeights {
  /** [nModes × nWindows]: row k gives coefficient k as Σ_i weights[k, i] · y_i. */
  weights: Float64Array;
  constantModes: number[];
}

function regressionWeights(windowed: Float64Array, nWindows: number, nModes: number): RegressionWeights {
  const z = new Float64Array(windowed.length);
  const constantModes: number[] = [];
  const active: number[] = [];
  for (let k = 0; k < nModes; k++) {
    let mean = 0;
    for (let i = 0; i < nWindows; i++) mean += windowed[i * nModes + k]!;
    mean /= nWindows;
    let variance = 0;
    for (let i = 0; i < nWindows; i++) variance += (windowed[i * nModes + k]! - mean) ** 2;
    const sd = Math.sqrt(variance / nWindows);
    // A spread at rounding level of the mean is a constant regressor, not a signal.
    if (!(sd > 1e-12 * Math.max(Math.abs(mean), Number.MIN_VALUE))) {
      constantModes.push(k);
      continue;
    }
    active.push(k);
    for (let i = 0; i < nWindows; i++) z[i * nModes + k] = (windowed[i * nModes + k]! - mean) / sd;
  }
  const weights = new Float64Array(nModes * nWindows);
  const m = active.length;
  if (m === 0) return { weights, constantModes };
  const gram = new Float64Array(m * m);
  for (let i = 0; i < nWindows; i++) {
    for (let a = 0; a < m; a++) {
      const za = z[i * nModes + active[a]!]!;
      for (let b = 0; b <= a; b++) gram[a * m + b] = gram[a * m + b]! + za * z[i * nModes + active[b]!]!;
    }
  }
  for (let a = 0; a < m; a++) for (let b = 0; b < a; b++) gram[b * m + a] = gram[a * m + b]!;
  const { values, vectors } = symmetricEigen(gram, m);
  const cutoff = values[0]! * 1e-10;
  const pinv = new Float64Array(m * m);
  for (let e = 0; e < m; e++) {
    const lambda = values[e]!;
    if (!(lambda > cutoff)) continue;
    for (let a = 0; a < m; a++) {
      const va = vectors[a * m + e]! / lambda;
      for (let b = 0; b < m; b++) pinv[a * m + b] = pinv[a * m + b]! + va * vectors[b * m + e]!;
    }
  }
  for (let a = 0; a < m; a++) {
    const k = active[a]!;
    for (let i = 0; i < nWindows; i++) {
      let sum = 0;
      for (let b = 0; b < m; b++) sum += pinv[a * m + b]! * z[i * nModes + active[b]!]!;
      weights[k * nWindows + i] = sum;
    }
  }
  return { weights, constantModes };
}

function standardisedChannels(
  data: ArrayLike<number>,
  nSamples: number,
  nChannels: number,
  standardize: boolean,
): Float64Array {
  const out = Float64Array.from(data);
  if (!standardize) return out;
  for (let c = 0; c < nChannels; c++) {
    let mean = 0;
    for (let t = 0; t < nSamples; t++) mean += out[t * nChannels + c]!;
    mean /= nSamples;
    let variance = 0;
    for (let t = 0; t < nSamples; t++) variance += (out[t * nChannels + c]! - mean) ** 2;
    const sd = Math.sqrt(variance / nSamples);
    if (!(sd > 0)) {
      throw new AnalysisInputError('data', `channel ${c} is constant and cannot be standardised`);
    }
    for (let t = 0; t < nSamples; t++) out[t * nChannels + c] = (out[t * nChannels + c]! - mean) / sd;
  }
  return out;
}

function frequencyBins(
  samplingRate: number,
  nfft: number,
  range: readonly [number, number] | undefined,
): { first: number; last: number } {
  const nBins = Math.floor(nfft / 2) + 1;
  if (!range) return { first: 0, last: nBins - 1 };
  const [low, high] = range;
  if (!Number.isFinite(low) || !Number.isFinite(high) || low < 0 || high <= low) {
    throw new AnalysisInputError(
      'frequencyRange',
      `must be [low, high] with 0 ≤ low < high, got [${low}, ${high}]`,
    );
  }
  let first = -1;
  let last = -1;
  for (let b = 0; b < nBins; b++) {
    const f = (b * samplingRate) / nfft;
    if (first < 0 && f >= low) first = b;
    if (f <= high) last = b;
  }
  if (first < 0 || last <= first) {
    throw new AnalysisInputError(
      'frequencyRange',
      `[${low}, ${high}] Hz selects fewer than two frequency bins`,
    );
  }
  return { first, last };
}

export function regressionSpectra(
  data: ArrayLike<number>,
  nChannels: number,
  alpha: ArrayLike<number>,
  nModes: number,
  options: RegressionSpectraOptions,
): RegressionSpectra {
  checkPositiveInteger(nChannels, 'nChannels');
  const nSamples = checkTimeMajor(data, nChannels, 'data');
  const alphaSamples = checkMixingCoefficients(alpha, nModes);
  if (alphaSamples !== nSamples) {
    throw new AnalysisInputError('alpha', `has ${alphaSamples} samples but data has ${nSamples}`);
  }
  const { samplingRate, windowLength, stepSize } = options;
  checkPositiveFinite(samplingRate, 'samplingRate');
  checkPositiveInteger(windowLength, 'windowLength');
  checkPositiveInteger(stepSize, 'stepSize');
  if (windowLength < 2 || windowLength > nSamples) {
    throw new AnalysisInputError(
      'windowLength',
      `must be between 2 and nSamples = ${nSamples}, got ${windowLength}`,
    );
  }
  const paddedEdgeWindows = options.paddedEdgeWindows ?? false;
  const starts = windowStarts(nSamples, windowLength, stepSize, paddedEdgeWindows);
  const nWindows = starts.length;
  if (nWindows < 2) {
    throw new AnalysisInputError(
      'stepSize',
      `windows of ${windowLength} every ${stepSize} samples leave ${nWindows} window(s) in ${nSamples} samples; the regression needs at least 2`,
    );
  }
  const nfft = Math.max(256, windowLength);
  const { first, last } = frequencyBins(samplingRate, nfft, options.frequencyRange);
  const nFrequencies = last - first + 1;
  const frequencies = new Float64Array(nFrequencies);
  for (let f = 0; f < nFrequencies; f++) frequencies[f] = ((first + f) * samplingRate) / nfft;

  const x = standardisedChannels(data, nSamples, nChannels, options.standardize ?? true);
  const { weights, constantModes } = regressionWeights(
    windowedAlpha(alpha, nModes, windowLength, starts),
    nWindows,
    nModes,
  );
  const withCoherence = options.coherence ?? false;

  const taper = periodicHann(windowLength);
  let taperEnergy = 0;
  for (const v of taper) taperEnergy += v * v;
  const scale = 2 / (samplingRate * taperEnergy);
  const plan = fftPlan(nfft);
  const bufferA = new Float64Array(nfft);
  const bufferB = new Float64Array(nfft);
  const scratchRe = new Float64Array(nfft);
  const scratchIm = new Float64Array(nfft);
  const nBins = Math.floor(nfft / 2) + 1;
  // Spectra of every channel in the current window: [nChannels × nBins].
  const spectraRe = new Float64Array(nChannels * nBins);
  const spectraIm = new Float64Array(nChannels * nBins);
  const power = new Float64Array(nChannels * nFrequencies);
  const coefficients = new Float64Array(nModes * nChannels * nFrequencies);
  const intercept = new Float64Array(nChannels * nFrequencies);
  const nPairs = (nChannels * (nChannels + 1)) / 2;
  const crossCoefRe = withCoherence ? new Float64Array(nModes * nPairs * nFrequencies) : null;
  const crossCoefIm = withCoherence ? new Float64Array(nModes * nPairs * nFrequencies) : null;
  const crossRe = withCoherence ? new Float64Array(nPairs * nFrequencies) : null;
  const crossIm = withCoherence ? new Float64Array(nPairs * nFrequencies) : null;

  for (let i = 0; i < nWindows; i++) {
    const start = starts[i]!;
    for (let c = 0; c < nChannels; c += 2) {
      const d = Math.min(c + 1, nChannels - 1);
      bufferA.fill(0);
      bufferB.fill(0);
      for (let n = Math.max(0, -start); n < windowLength && start + n < nSamples; n++) {
        const row = (start + n) * nChannels;
        bufferA[n] = taper[n]! * x[row + c]!;
        bufferB[n] = taper[n]! * x[row + d]!;
      }
      fftTwoReal(
        plan,
        bufferA,
        bufferB,
        scratchRe,
        scratchIm,
        spectraRe.subarray(c * nBins, (c + 1) * nBins),
        spectraIm.subarray(c * nBins, (c + 1) * nBins),
        spectraRe.subarray(d * nBins, (d + 1) * nBins),
        spectraIm.subarray(d * nBins, (d + 1) * nBins),
      );
    }
    for (let c = 0; c < nChannels; c++) {
      for (let f = 0; f < nFrequencies; f++) {
        const re = spectraRe[c * nBins + first + f]!;
        const im = spectraIm[c * nBins + first + f]!;
        power[c * nFrequencies + f] = scale * (re * re + im * im);
      }
    }
    for (let j = 0; j < power.length; j++) intercept[j] = intercept[j]! + power[j]! / nWindows;
    for (let k = 0; k < nModes; k++) {
      const w = weights[k * nWindows + i]!;
      if (w === 0) continue;
      const offset = k * power.length;
      for (let j = 0; j < power.length; j++)
        coefficients[offset + j] = coefficients[offset + j]! + w * power[j]!;
    }
    if (crossCoefRe && crossCoefIm && crossRe && crossIm) {
      let pair = 0;
      for (let c = 0; c < nChannels; c++) {
        for (let d = c; d < nChannels; d++, pair++) {
          for (let f = 0; f < nFrequencies; f++) {
            const cr = spectraRe[c * nBins + first + f]!;
            const ci = spectraIm[c * nBins + first + f]!;
            const dr = spectraRe[d * nBins + first + f]!;
            const di = spectraIm[d * nBins + first + f]!;
            // X_c · conj(X_d), scaled like the periodogram.
            crossRe[pair * nFrequencies + f] = scale * (cr * dr + ci * di);
            crossIm[pair * nFrequencies + f] = scale * (ci * dr - cr * di);
          }
        }
      }
      for (let k = 0; k < nModes; k++) {
        const w = weights[k * nWindows + i]!;
        if (w === 0) continue;
        const offset = k * crossRe.length;
        for (let j = 0; j < crossRe.length; j++) {
          crossCoefRe[offset + j] = crossCoefRe[offset + j]! + w * crossRe[j]!;
          crossCoefIm[offset + j] = crossCoefIm[offset + j]! + w * crossIm[j]!;
        }
      }
    }
  }

  const psd = new Float64Array(coefficients.length);
  for (let k = 0; k < nModes; k++) {
    for (let j = 0; j < intercept.length; j++) {
      psd[k * intercept.length + j] = coefficients[k * intercept.length + j]! + intercept[j]!;
    }
  }
  const result: RegressionSpectra = { frequencies, psd, coefficients, intercept, nWindows, constantModes };
  if (crossCoefRe && crossCoefIm) {
    const coherence = new Float64Array(nModes * nChannels * nChannels * nFrequencies);
    for (let k = 0; k < nModes; k++) {
      let pair = 0;
      for (let c = 0; c < nChannels; c++) {
        for (let d = c; d < nChannels; d++, pair++) {
          for (let f = 0; f < nFrequencies; f++) {
            const src = (k * nPairs + pair) * nFrequencies + f;
            const magnitude = Math.hypot(crossCoefRe[src]!, crossCoefIm[src]!);
            const norm = Math.sqrt(intercept[c * nFrequencies + f]! * intercept[d * nFrequencies + f]!);
            const value = norm > 0 ? magnitude / norm : 0;
            coherence[((k * nChannels + c) * nChannels + d) * nFrequencies + f] = value;
            coherence[((k * nChannels + d) * nChannels + c) * nFrequencies + f] = value;
          }
        }
      }
    }
    result.coherence = coherence;
  }
  return result;
}
