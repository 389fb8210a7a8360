/** Amplitude envelope |x + i·H(x)| through the FFT construction of the analytic signal, run by run. */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { fftPlan } from '../../numerics/fft';
import { mapRunsPerChannel } from './segments';

/** As scipy.signal.hilbert on one segment: keep DC (and Nyquist), double positive, zero negative frequencies. */
export function analyticAmplitude(x: Float64Array): Float64Array {
  const n = x.length;
  const re = Float64Array.from(x);
  const im = new Float64Array(n);
  const plan = fftPlan(n);
  plan.forward(re, im);
  const half = Math.floor(n / 2);
  for (let k = 1; k < n; k++) {
    const weight = k < (n + 1) / 2 ? 2 : n % 2 === 0 && k === half ? 1 : 0;
    re[k]! *= weight;
    im[k]! *= weight;
  }
  plan.inverse(re, im);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(re[i]! * re[i]! + im[i]! * im[i]!);
  return out;
}

export function amplitudeEnvelopeSession(session: TimeSeriesSession): TimeSeriesSession {
  return mapRunsPerChannel(session, analyticAmplitude);
}
