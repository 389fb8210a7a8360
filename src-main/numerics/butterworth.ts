/**
 * Digital Butterworth filter design as second-order sections, following the classical route:
 * analog low-pass prototype (poles on the unit circle), frequency transformation to low/high/
 * band-pass with pre-warped edges, bilinear transform, then pairing of conjugate poles into
 * biquads. The cascade has the same transfer function as scipy.signal.butter(order, Wn, btype, fs);
 * sections may be ordered differently, which does not change the filter.
 */

interface Complex {
  re: number;
  im: number;
}

const cmul = (a: Complex, b: Complex): Complex => ({
  re: a.re * b.re - a.im * b.im,
  im: a.re * b.im + a.im * b.re,
});
const cdiv = (a: Complex, b: Complex): Complex => {
  const d = b.re * b.re + b.im * b.im;
  return { re: (a.re * b.re + a.im * b.im) / d, im: (a.im * b.re - a.re * b.im) / d };
};
const cadd = (a: Complex, b: Complex): Complex => ({ re: a.re + b.re, im: a.im + b.im });
const csub = (a: Complex, b: Complex): Complex => ({ re: a.re - b.re, im: a.im - b.im });
const cscale = (a: Complex, s: number): Complex => ({ re: a.re * s, im: a.im * s });
const csqrt = (a: Complex): Complex => {
  const r = Math.hypot(a.re, a.im);
  const re = Math.sqrt(Math.max(0, (r + a.re) / 2));
  const im = Math.sqrt(Math.max(0, (r - a.re) / 2));
  return { re, im: a.im < 0 ? -im : im };
};

export type FilterKind = 'lowpass' | 'highpass' | 'bandpass';

export interface ButterworthSpec {
  order: number;
  kind: FilterKind;
  /** Edge(s) in Hz: one for low/high-pass, [low, high] for band-pass. */
  cutoff: number | [number, number];
  samplingRate: number;
}

/** Second-order sections, row i = [b0, b1, b2, 1, a1, a2]. */
export type Sos = Float64Array[];

interface Zpk {
  zeros: Complex[];
  poles: Complex[];
  gain: number;
}

function analogPrototype(order: number): Zpk {
  const poles: Complex[] = [];
  for (let m = -order + 1; m < order; m += 2) {
    const angle = (Math.PI * m) / (2 * order);
    poles.push({ re: -Math.cos(angle), im: -Math.sin(angle) });
  }
  return { zeros: [], poles, gain: 1 };
}

function product(values: Complex[]): Complex {
  return values.reduce((acc, v) => cmul(acc, v), { re: 1, im: 0 });
}

function transformAnalog(proto: Zpk, kind: FilterKind, warped: number[]): Zpk {
  const degree = proto.poles.length - proto.zeros.length;
  if (kind === 'lowpass') {
    const wo = warped[0]!;
    return {
      zeros: proto.zeros.map((z) => cscale(z, wo)),
      poles: proto.poles.map((p) => cscale(p, wo)),
      gain: proto.gain * Math.pow(wo, degree),
    };
  }
  if (kind === 'highpass') {
    const wo = warped[0]!;
    const one = { re: wo, im: 0 };
    const zeros = proto.zeros.map((z) => cdiv(one, z));
    for (let i = 0; i < degree; i++) zeros.push({ re: 0, im: 0 });
    const ratio = cdiv(
      product(proto.zeros.map((z) => cscale(z, -1))),
      product(proto.poles.map((p) => cscale(p, -1))),
    );
    return { zeros, poles: proto.poles.map((p) => cdiv(one, p)), gain: proto.gain * ratio.re };
  }
  const [w1, w2] = warped as [number, number];
  const wo = Math.sqrt(w1 * w2);
  const bw = w2 - w1;
  const woSquared = { re: wo * wo, im: 0 };
  const split = (roots: Complex[]): Complex[] => {
    const out: Complex[] = [];
    for (const r of roots) {
      const scaled = cscale(r, bw / 2);
      const disc = csqrt(csub(cmul(scaled, scaled), woSquared));
      out.push(cadd(scaled, disc), csub(scaled, disc));
    }
    return out;
  };
  const zeros = split(proto.zeros);
  for (let i = 0; i < degree; i++) zeros.push({ re: 0, im: 0 });
  return { zeros, poles: split(proto.poles), gain: proto.gain * Math.pow(bw, degree) };
}

/** Bilinear transform with the normalised sampling rate fs = 2 (so edges are fractions of Nyquist). */
function bilinear(analog: Zpk): Zpk {
  const fs2 = { re: 4, im: 0 };
  const map = (s: Complex): Complex => cdiv(cadd(fs2, s), csub(fs2, s));
  const zeros = analog.zeros.map(map);
  const poles = analog.poles.map(map);
  while (zeros.length < poles.length) zeros.push({ re: -1, im: 0 });
  const ratio = cdiv(
    product(analog.zeros.map((z) => csub(fs2, z))),
    product(analog.poles.map((p) => csub(fs2, p))),
  );
  return { zeros, poles, gain: analog.gain * ratio.re };
}

/** Real quadratic (or linear) factors [1, c1, c2] from roots that come in conjugate pairs or are real. */
function realFactors(roots: Complex[]): Array<[number, number]> {
  const tolerance = 1e-10;
  const complex = roots.filter((r) => r.im > tolerance).sort((a, b) => a.re - b.re);
  const real = roots.filter((r) => Math.abs(r.im) <= tolerance).map((r) => r.re);
  real.sort((a, b) => a - b);
  const factors: Array<[number, number]> = complex.map((r) => [-2 * r.re, r.re * r.re + r.im * r.im]);
  for (let i = 0; i + 1 < real.length; i += 2)
    factors.push([-(real[i]! + real[i + 1]!), real[i]! * real[i + 1]!]);
  if (real.length % 2 === 1) factors.push([-real[real.length - 1]!, 0]);
  return factors;
}

function zpkToSos(zpk: Zpk): Sos {
  const poleFactors = realFactors(zpk.poles);
  const zeroFactors = realFactors(zpk.zeros);
  // A first-order pole section is paired with the first-order zero factor so both stay proper.
  const firstOrderZero = zeroFactors.findIndex(
    (f) => f[1] === 0 && zeroFactors.length === poleFactors.length,
  );
  const orderedZeros =
    firstOrderZero >= 0
      ? [...zeroFactors.filter((_, i) => i !== firstOrderZero), zeroFactors[firstOrderZero]!]
      : zeroFactors;
  const orderedPoles = [...poleFactors.filter((f) => f[1] !== 0), ...poleFactors.filter((f) => f[1] === 0)];
  return orderedPoles.map((pole, i) => {
    const zero = orderedZeros[i] ?? [0, 0];
    const isFirstOrder = pole[1] === 0 && zero[1] === 0;
    const b = i === 0 ? zpk.gain : 1;
    return Float64Array.of(
      b,
      b * zero[0],
      isFirstOrder ? 0 : b * zero[1],
      1,
      pole[0],
      isFirstOrder ? 0 : pole[1],
    );
  });
}

export class FilterDesignError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterDesignError';
  }
}

export function designButterworth(spec: ButterworthSpec): Sos {
  const { order, kind, cutoff, samplingRate } = spec;
  if (!Number.isInteger(order) || order < 1)
    throw new FilterDesignError(`filter order must be a positive integer, got ${order}`);
  if (!(samplingRate > 0)) throw new FilterDesignError(`sampling rate must be positive, got ${samplingRate}`);
  const nyquist = samplingRate / 2;
  const edges = Array.isArray(cutoff) ? cutoff : [cutoff];
  if (edges.length !== (kind === 'bandpass' ? 2 : 1)) {
    throw new FilterDesignError(`${kind} needs ${kind === 'bandpass' ? 'two edges' : 'one edge'}`);
  }
  for (const f of edges) {
    if (!(f > 0 && f < nyquist)) {
      throw new FilterDesignError(
        `cutoff ${f} Hz must lie strictly between 0 and the Nyquist frequency ${nyquist} Hz`,
      );
    }
  }
  if (kind === 'bandpass' && !(edges[0]! < edges[1]!)) {
    throw new FilterDesignError(`band-pass edges must be increasing, got ${edges[0]} and ${edges[1]} Hz`);
  }
  const warped = edges.map((f) => 4 * Math.tan((Math.PI * (f / nyquist)) / 2));
  return zpkToSos(bilinear(transformAnalog(analogPrototype(order), kind, warped)));
}

/** Transfer function H(e^{iω}) of a cascade at normalised angular frequency ω (radians/sample). */
export function sosFrequencyResponse(sos: Sos, omega: number): { re: number; im: number } {
  let h: Complex = { re: 1, im: 0 };
  const z1 = { re: Math.cos(-omega), im: Math.sin(-omega) };
  const z2 = cmul(z1, z1);
  for (const s of sos) {
    const num = cadd(cadd({ re: s[0]!, im: 0 }, cscale(z1, s[1]!)), cscale(z2, s[2]!));
    const den = cadd(cadd({ re: s[3]!, im: 0 }, cscale(z1, s[4]!)), cscale(z2, s[5]!));
    h = cmul(h, cdiv(num, den));
  }
  return h;
}
