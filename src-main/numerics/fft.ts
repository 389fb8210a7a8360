/**
 * Complex discrete Fourier transforms of any length, in float64, on split real/imaginary arrays.
 *
 * Powers of two use an iterative radix-2 transform with precomputed twiddles; lengths whose prime
 * factors are all ≤ 13 (e.g. 60,000 = 2⁵·3·5⁴) a recursive mixed-radix decimation in time; other
 * lengths Bluestein's chirp-z algorithm on a power-of-two transform of length ≥ 2n − 1, so every
 * length costs O(n log n). Plans are cached per length because preparation runs thousands of transforms
 * of a handful of lengths.
 *
 * Convention: forward X[k] = Σ x[j] e^{−2πi jk/n}; inverse includes the 1/n factor.
 */

export interface FftPlan {
  readonly n: number;
  /** In-place forward transform. */
  forward(re: Float64Array, im: Float64Array): void;
  /** In-place inverse transform, scaled by 1/n. */
  inverse(re: Float64Array, im: Float64Array): void;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function nextPowerOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

class Radix2Plan implements FftPlan {
  readonly n: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly bitReversed: Uint32Array;

  constructor(n: number) {
    this.n = n;
    const half = n >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / n);
      this.sin[k] = Math.sin((2 * Math.PI * k) / n);
    }
    this.bitReversed = new Uint32Array(n);
    let bits = 0;
    while (1 << bits < n) bits++;
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (i & (1 << b)) r |= 1 << (bits - 1 - b);
      this.bitReversed[i] = r;
    }
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, -1);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1);
    const scale = 1 / this.n;
    for (let i = 0; i < this.n; i++) {
      re[i]! *= scale;
      im[i]! *= scale;
    }
  }

  private transform(re: Float64Array, im: Float64Array, sign: number): void {
    const n = this.n;
    const rev = this.bitReversed;
    for (let i = 0; i < n; i++) {
      const j = rev[i]!;
      if (j > i) {
        const tr = re[i]!;
        re[i] = re[j]!;
        re[j] = tr;
        const ti = im[i]!;
        im[i] = im[j]!;
        im[j] = ti;
      }
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let size = 2; size <= n; size *= 2) {
      const half = size >> 1;
      const step = n / size;
      for (let start = 0; start < n; start += size) {
        for (let k = 0, t = 0; k < half; k++, t += step) {
          const wr = cos[t]!;
          const wi = sign * sin[t]!;
          const a = start + k;
          const b = a + half;
          const xr = re[b]! * wr - im[b]! * wi;
          const xi = re[b]! * wi + im[b]! * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a] = re[a]! + xr;
          im[a] = im[a]! + xi;
        }
      }
    }
  }
}

class BluesteinPlan implements FftPlan {
  readonly n: number;
  private readonly inner: Radix2Plan;
  private readonly chirpRe: Float64Array;
  private readonly chirpIm: Float64Array;
  /** Forward transform of the conjugate chirp filter, zero-padded to the inner length. */
  private readonly filterRe: Float64Array;
  private readonly filterIm: Float64Array;
  private readonly workRe: Float64Array;
  private readonly workIm: Float64Array;

  constructor(n: number) {
    this.n = n;
    const m = nextPowerOfTwo(2 * n - 1);
    this.inner = new Radix2Plan(m);
    this.chirpRe = new Float64Array(n);
    this.chirpIm = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      // k² mod 2n keeps the angle small, so large n does not lose precision.
      const angle = (Math.PI * ((k * k) % (2 * n))) / n;
      this.chirpRe[k] = Math.cos(angle);
      this.chirpIm[k] = -Math.sin(angle);
    }
    this.filterRe = new Float64Array(m);
    this.filterIm = new Float64Array(m);
    this.filterRe[0] = this.chirpRe[0]!;
    this.filterIm[0] = -this.chirpIm[0]!;
    for (let k = 1; k < n; k++) {
      this.filterRe[k] = this.filterRe[m - k] = this.chirpRe[k]!;
      this.filterIm[k] = this.filterIm[m - k] = -this.chirpIm[k]!;
    }
    this.inner.forward(this.filterRe, this.filterIm);
    this.workRe = new Float64Array(m);
    this.workIm = new Float64Array(m);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    // IDFT(x) = conj(DFT(conj(x))) / n.
    for (let i = 0; i < this.n; i++) im[i] = -im[i]!;
    this.transform(re, im);
    const scale = 1 / this.n;
    for (let i = 0; i < this.n; i++) {
      re[i]! *= scale;
      im[i] = -im[i]! * scale;
    }
  }

  private transform(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    const m = this.inner.n;
    const wr = this.workRe;
    const wi = this.workIm;
    wr.fill(0);
    wi.fill(0);
    for (let k = 0; k < n; k++) {
      const cr = this.chirpRe[k]!;
      const ci = this.chirpIm[k]!;
      wr[k] = re[k]! * cr - im[k]! * ci;
      wi[k] = re[k]! * ci + im[k]! * cr;
    }
    this.inner.forward(wr, wi);
    for (let k = 0; k < m; k++) {
      const fr = this.filterRe[k]!;
      const fi = this.filterIm[k]!;
      const xr = wr[k]!;
      const xi = wi[k]!;
      wr[k] = xr * fr - xi * fi;
      wi[k] = xr * fi + xi * fr;
    }
    this.inner.inverse(wr, wi);
    for (let k = 0; k < n; k++) {
      const cr = this.chirpRe[k]!;
      const ci = this.chirpIm[k]!;
      re[k] = wr[k]! * cr - wi[k]! * ci;
      im[k] = wr[k]! * ci + wi[k]! * cr;
    }
  }
}

/** Prime factors of n that are ≤ 13, radix 4 first; null if a larger prime divides n. */
function smallFactors(n: number): number[] | null {
  const factors: number[] = [];
  let rest = n;
  while (rest % 4 === 0) {
    factors.push(4);
    rest /= 4;
  }
  for (const p of [2, 3, 5, 7, 11, 13]) {
    while (rest % p === 0) {
      factors.push(p);
      rest /= p;
    }
  }
  return rest === 1 ? factors : null;
}

/** Smallest m ≥ n whose prime factors are 2, 3 and 5 only (cheap transform lengths). */
export function nextFastLength(n: number): number {
  for (let m = Math.max(1, Math.ceil(n)); ; m++) {
    let rest = m;
    for (const p of [2, 3, 5]) while (rest % p === 0) rest /= p;
    if (rest === 1) return m;
  }
}

/**
 * Recursive decimation in time: X[k + j·m] = Σ_q W_r^{qj} · (W_n^{qk} Y_q[k]) where Y_q is the
 * length-m transform of x[q], x[q + r], … and n = r·m.
 */
class MixedRadixPlan implements FftPlan {
  readonly n: number;
  private readonly factors: number[];
  /** e^{−2πi·i/n} for i < n. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly inRe: Float64Array;
  private readonly inIm: Float64Array;
  private readonly tRe: Float64Array;
  private readonly tIm: Float64Array;

  constructor(n: number, factors: number[]) {
    this.n = n;
    this.factors = factors;
    this.cos = new Float64Array(n);
    this.sin = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.cos[i] = Math.cos((2 * Math.PI * i) / n);
      this.sin[i] = -Math.sin((2 * Math.PI * i) / n);
    }
    this.inRe = new Float64Array(n);
    this.inIm = new Float64Array(n);
    const maxRadix = Math.max(...factors);
    this.tRe = new Float64Array(maxRadix);
    this.tIm = new Float64Array(maxRadix);
  }

  forward(re: Float64Array, im: Float64Array): void {
    this.inRe.set(re.subarray(0, this.n));
    this.inIm.set(im.subarray(0, this.n));
    this.step(0, 1, this.n, re, im, 0, 0);
  }

  inverse(re: Float64Array, im: Float64Array): void {
    const n = this.n;
    for (let i = 0; i < n; i++) im[i] = -im[i]!;
    this.forward(re, im);
    const scale = 1 / n;
    for (let i = 0; i < n; i++) {
      re[i]! *= scale;
      im[i] = -im[i]! * scale;
    }
  }

  private step(
    inOffset: number,
    stride: number,
    n: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outOffset: number,
    level: number,
  ): void {
    const r = this.factors[level]!;
    const m = n / r;
    const N = this.n;
    const cos = this.cos;
    const sin = this.sin;
    const tRe = this.tRe;
    const tIm = this.tIm;
    if (m > 1) {
      for (let q = 0; q < r; q++)
        this.step(inOffset + q * stride, stride * r, m, outRe, outIm, outOffset + q * m, level + 1);
    }
    const twiddleStep = N / n;
    const rootStep = N / r;
    const leaf = m === 1;
    const srcRe = leaf ? this.inRe : outRe;
    const srcIm = leaf ? this.inIm : outIm;
    const srcStride = leaf ? stride : m;
    const srcOffset = leaf ? inOffset : outOffset;
    for (let k = 0; k < m; k++) {
      tRe[0] = srcRe[srcOffset + k]!;
      tIm[0] = srcIm[srcOffset + k]!;
      // q·k·(N/n) < r·m·(N/n) = N, so the twiddle index needs no reduction.
      const kStep = k * twiddleStep;
      for (let q = 1, w = kStep; q < r; q++, w += kStep) {
        const xr = srcRe[srcOffset + q * srcStride + k]!;
        const xi = srcIm[srcOffset + q * srcStride + k]!;
        const wr = cos[w]!;
        const wi = sin[w]!;
        tRe[q] = xr * wr - xi * wi;
        tIm[q] = xr * wi + xi * wr;
      }
      const at = outOffset + k;
      if (r === 2) {
        outRe[at] = tRe[0]! + tRe[1]!;
        outIm[at] = tIm[0]! + tIm[1]!;
        outRe[at + m] = tRe[0]! - tRe[1]!;
        outIm[at + m] = tIm[0]! - tIm[1]!;
      } else if (r === 4) {
        // W_4 = −i.
        const aR = tRe[0]! + tRe[2]!;
        const aI = tIm[0]! + tIm[2]!;
        const bR = tRe[0]! - tRe[2]!;
        const bI = tIm[0]! - tIm[2]!;
        const cR = tRe[1]! + tRe[3]!;
        const cI = tIm[1]! + tIm[3]!;
        const dR = tRe[1]! - tRe[3]!;
        const dI = tIm[1]! - tIm[3]!;
        outRe[at] = aR + cR;
        outIm[at] = aI + cI;
        outRe[at + m] = bR + dI;
        outIm[at + m] = bI - dR;
        outRe[at + 2 * m] = aR - cR;
        outIm[at + 2 * m] = aI - cI;
        outRe[at + 3 * m] = bR - dI;
        outIm[at + 3 * m] = bI + dR;
      } else {
        for (let j = 0; j < r; j++) {
          let sr = 0;
          let si = 0;
          for (let q = 0, qj = 0; q < r; q++, qj = (qj + j) % r) {
            const w = qj * rootStep;
            const wr = cos[w]!;
            const wi = sin[w]!;
            sr += tRe[q]! * wr - tIm[q]! * wi;
            si += tRe[q]! * wi + tIm[q]! * wr;
          }
          outRe[at + j * m] = sr;
          outIm[at + j * m] = si;
        }
      }
    }
  }
}

class TrivialPlan implements FftPlan {
  readonly n = 1;
  forward(): void {}
  inverse(): void {}
}

const planCache = new Map<number, FftPlan>();
const maxCachedPlans = 32;

/** A transform plan for length n (cached; plans hold scratch space, so use them from one thread). */
export function fftPlan(n: number): FftPlan {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`FFT length must be a positive integer, got ${n}`);
  const cached = planCache.get(n);
  if (cached) return cached;
  const factors = isPowerOfTwo(n) ? null : smallFactors(n);
  const plan =
    n === 1
      ? new TrivialPlan()
      : isPowerOfTwo(n)
        ? new Radix2Plan(n)
        : factors
          ? new MixedRadixPlan(n, factors)
          : new BluesteinPlan(n);
  if (planCache.size >= maxCachedPlans) {
    const oldest = planCache.keys().next().value;
    if (oldest !== undefined) planCache.delete(oldest);
  }
  planCache.set(n, plan);
  return plan;
}

/**
 * Forward transforms of two real sequences with one complex transform: z = a + i·b, then
 * A[k] = (Z[k] + conj Z[n−k]) / 2 and B[k] = (Z[k] − conj Z[n−k]) / 2i. Writes bins 0..n/2
 * (inclusive) of both spectra; the other half follows from Hermitian symmetry.
 */
export function fftTwoReal(
  plan: FftPlan,
  a: Float64Array,
  b: Float64Array,
  scratchRe: Float64Array,
  scratchIm: Float64Array,
  outARe: Float64Array,
  outAIm: Float64Array,
  outBRe: Float64Array,
  outBIm: Float64Array,
): void {
  const n = plan.n;
  scratchRe.set(a.subarray(0, n));
  scratchIm.set(b.subarray(0, n));
  plan.forward(scratchRe, scratchIm);
  const half = n >> 1;
  for (let k = 0; k <= half; k++) {
    const j = k === 0 ? 0 : n - k;
    const zr = scratchRe[k]!;
    const zi = scratchIm[k]!;
    const wr = scratchRe[j]!;
    const wi = scratchIm[j]!;
    outARe[k] = 0.5 * (zr + wr);
    outAIm[k] = 0.5 * (zi - wi);
    outBRe[k] = 0.5 * (zi + wi);
    outBIm[k] = 0.5 * (wr - zr);
  }
}

/**
 * Inverse transforms of two Hermitian spectra (bins 0..n/2 given) into two real sequences with
 * one complex inverse transform: Z = A + i·B, so z = a + i·b.
 */
export function inverseFftTwoReal(
  plan: FftPlan,
  aRe: Float64Array,
  aIm: Float64Array,
  bRe: Float64Array,
  bIm: Float64Array,
  scratchRe: Float64Array,
  scratchIm: Float64Array,
  outA: Float64Array,
  outB: Float64Array,
): void {
  const n = plan.n;
  const half = n >> 1;
  for (let k = 0; k <= half; k++) {
    scratchRe[k] = aRe[k]! - bIm[k]!;
    scratchIm[k] = aIm[k]! + bRe[k]!;
  }
  for (let k = half + 1; k < n; k++) {
    const j = n - k;
    // A[k] = conj A[j], B[k] = conj B[j].
    scratchRe[k] = aRe[j]! + bIm[j]!;
    scratchIm[k] = -aIm[j]! + bRe[j]!;
  }
  plan.inverse(scratchRe, scratchIm);
  outA.set(scratchRe.subarray(0, n));
  outB.set(scratchIm.subarray(0, n));
}
