import { allocLike, requireLength, requirePositiveInteger, ShapeError, type FloatArray } from './floatArrays';
import { NotPositiveDefiniteError } from './notPositiveDefiniteError';

/**
 * Plain TypeScript mixture-covariance Gaussian log-likelihood, the fallback and test oracle of the
 * native kernel. Per time point:
 *   m_t = Σ_k α_tk μ_k,   C_t = Σ_k α_tk D_k,
 *   ll_t = −½ (C log 2π + log det C_t + (x_t − m_t)ᵀ C_t⁻¹ (x_t − m_t)).
 * One time point is mixed, factorised and discarded at a time, so nothing of size [B, T, C, C] exists.
 * Full covariances are read from their lower triangle (they are assumed symmetric) and their
 * gradient is returned symmetric. Masked time points (mask 0) give 0 and zero gradients and are
 * never read, so gaps may hold NaN.
 */
export interface MvnMixtureShape {
  batch: number;
  steps: number;
  channels: number;
  modes: number;
  /** D is [K, C] (variances) instead of [K, C, C]. */
  diagonal: boolean;
}

export interface MvnMixtureParams<A extends FloatArray> {
  /** [B, T, C] */
  x: A;
  /** [B, T, K] */
  alpha: A;
  /** [K, C]; zero means when absent. */
  means?: A | undefined;
  /** [K, C, C] or [K, C] when diagonal. */
  covariances: A;
  /** [B, T]; 1 = observed, 0 = missing. All observed when absent. */
  mask?: ArrayLike<number> | undefined;
}

export interface MvnMixtureGradients<A extends FloatArray> {
  dx: A;
  dAlpha: A;
  /** Zero-length when no means were given. */
  dMeans: A;
  dCovariances: A;
}

const LOG_2PI = Math.log(2 * Math.PI);

export function validateMvnMixture<A extends FloatArray>(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<A>,
): void {
  const { batch: B, steps: T, channels: C, modes: K } = shape;
  requirePositiveInteger('batch', B);
  requirePositiveInteger('steps', T);
  requirePositiveInteger('channels', C);
  requirePositiveInteger('modes', K);
  requireLength('x', p.x, B * T * C, `[${B}, ${T}, ${C}]`);
  requireLength('alpha', p.alpha, B * T * K, `[${B}, ${T}, ${K}]`);
  if (p.means) requireLength('means', p.means, K * C, `[${K}, ${C}]`);
  if (shape.diagonal) requireLength('covariances', p.covariances, K * C, `[${K}, ${C}]`);
  else requireLength('covariances', p.covariances, K * C * C, `[${K}, ${C}, ${C}]`);
  if (p.mask) requireLength('mask', p.mask, B * T, `[${B}, ${T}]`);
  if (p.x.constructor !== p.alpha.constructor || p.x.constructor !== p.covariances.constructor) {
    throw new ShapeError('x, alpha and covariances must have the same precision');
  }
}

/** Work buffers for one time point, reused across the loop. */
class PointWorkspace {
  readonly r: Float64Array;
  readonly chol: Float64Array;
  readonly s: Float64Array;

  constructor(C: number) {
    this.r = new Float64Array(C);
    this.chol = new Float64Array(C * C);
    this.s = new Float64Array(C);
  }
}

/**
 * Mixes C_t into ws.chol, factorises it (lower Cholesky, in place), puts x_t − m_t in ws.r and
 * C_t⁻¹ (x_t − m_t) in ws.s; returns log det C_t + rᵀ C_t⁻¹ r.
 */
function factorisePoint<A extends FloatArray>(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<A>,
  b: number,
  t: number,
  ws: PointWorkspace,
): number {
  const { steps: T, channels: C, modes: K } = shape;
  const n = b * T + t;
  const { r, chol: L, s } = ws;
  for (let c = 0; c < C; c++) {
    let m = 0;
    if (p.means) for (let k = 0; k < K; k++) m += p.alpha[n * K + k]! * p.means[k * C + c]!;
    r[c] = p.x[n * C + c]! - m;
  }
  if (shape.diagonal) {
    let q = 0;
    for (let c = 0; c < C; c++) {
      let v = 0;
      for (let k = 0; k < K; k++) v += p.alpha[n * K + k]! * p.covariances[k * C + c]!;
      if (!(v > 0)) throw new NotPositiveDefiniteError(b, t, v);
      L[c] = v;
      s[c] = r[c]! / v;
      q += Math.log(v) + r[c]! * s[c]!;
    }
    return q;
  }
  for (let i = 0; i < C; i++) {
    for (let j = 0; j <= i; j++) {
      let v = 0;
      for (let k = 0; k < K; k++) v += p.alpha[n * K + k]! * p.covariances[(k * C + i) * C + j]!;
      L[i * C + j] = v;
    }
  }
  let logDet = 0;
  for (let j = 0; j < C; j++) {
    let d = L[j * C + j]!;
    for (let k = 0; k < j; k++) d -= L[j * C + k]! * L[j * C + k]!;
    if (!(d > 0)) throw new NotPositiveDefiniteError(b, t, d);
    const ljj = Math.sqrt(d);
    L[j * C + j] = ljj;
    logDet += 2 * Math.log(ljj);
    for (let i = j + 1; i < C; i++) {
      let v = L[i * C + j]!;
      for (let k = 0; k < j; k++) v -= L[i * C + k]! * L[j * C + k]!;
      L[i * C + j] = v / ljj;
    }
  }
  // s = L⁻ᵀ L⁻¹ r; the quadratic form is |L⁻¹ r|².
  let quad = 0;
  for (let i = 0; i < C; i++) {
    let v = r[i]!;
    for (let k = 0; k < i; k++) v -= L[i * C + k]! * s[k]!;
    s[i] = v / L[i * C + i]!;
    quad += s[i]! * s[i]!;
  }
  for (let i = C - 1; i >= 0; i--) {
    let v = s[i]!;
    for (let k = i + 1; k < C; k++) v -= L[k * C + i]! * s[k]!;
    s[i] = v / L[i * C + i]!;
  }
  return logDet + quad;
}

function isObserved(mask: ArrayLike<number> | undefined, n: number): boolean {
  return mask === undefined || mask[n] !== 0;
}

export function mvnMixtureLogLikReference<A extends FloatArray>(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<A>,
): A {
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C } = shape;
  const out = allocLike(p.x, B * T);
  const ws = new PointWorkspace(C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const n = b * T + t;
      if (!isObserved(p.mask, n)) continue;
      out[n] = -0.5 * (C * LOG_2PI + factorisePoint(shape, p, b, t, ws));
    }
  }
  return out;
}

/**
 * Gradients of Σ_t dLogLik_t · ll_t. With r = x − m, s = C⁻¹ r and G = dll/dC = −½ (C⁻¹ − s sᵀ):
 * dx = −g s, dμ_k = Σ_t α_tk g s, dα_tk = g (⟨G, D_k⟩ + sᵀ μ_k), dD_k = Σ_t α_tk g G.
 */
export function mvnMixtureLogLikGradReference<A extends FloatArray>(
  shape: MvnMixtureShape,
  p: MvnMixtureParams<A>,
  dLogLik: ArrayLike<number>,
): MvnMixtureGradients<A> {
  validateMvnMixture(shape, p);
  const { batch: B, steps: T, channels: C, modes: K, diagonal } = shape;
  requireLength('dLogLik', dLogLik, B * T, `[${B}, ${T}]`);
  const dx = allocLike(p.x, B * T * C);
  const dAlpha = allocLike(p.x, B * T * K);
  const dMeans = allocLike(p.x, p.means ? K * C : 0);
  const dCovariances = allocLike(p.x, p.covariances.length);
  const ws = new PointWorkspace(C);
  const G = new Float64Array(diagonal ? C : C * C);
  const Linv = new Float64Array(diagonal ? 0 : C * C);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const n = b * T + t;
      if (!isObserved(p.mask, n)) continue;
      const g = dLogLik[n]!;
      factorisePoint(shape, p, b, t, ws);
      const { s, chol: L } = ws;
      if (diagonal) {
        for (let c = 0; c < C; c++) G[c] = -0.5 * g * (1 / L[c]! - s[c]! * s[c]!);
      } else {
        // L⁻¹ by forward substitution, then C⁻¹ = L⁻ᵀ L⁻¹.
        Linv.fill(0);
        for (let j = 0; j < C; j++) {
          Linv[j * C + j] = 1 / L[j * C + j]!;
          for (let i = j + 1; i < C; i++) {
            let v = 0;
            for (let k = j; k < i; k++) v -= L[i * C + k]! * Linv[k * C + j]!;
            Linv[i * C + j] = v / L[i * C + i]!;
          }
        }
        for (let i = 0; i < C; i++) {
          for (let j = 0; j <= i; j++) {
            let v = 0;
            for (let k = i; k < C; k++) v += Linv[k * C + i]! * Linv[k * C + j]!;
            const gij = -0.5 * g * (v - s[i]! * s[j]!);
            G[i * C + j] = gij;
            G[j * C + i] = gij;
          }
        }
      }
      for (let c = 0; c < C; c++) dx[n * C + c] = -g * s[c]!;
      for (let k = 0; k < K; k++) {
        const a = p.alpha[n * K + k]!;
        let da = 0;
        if (p.means) {
          for (let c = 0; c < C; c++) {
            da += g * s[c]! * p.means[k * C + c]!;
            dMeans[k * C + c] = dMeans[k * C + c]! + a * g * s[c]!;
          }
        }
        const Dk = k * G.length;
        for (let e = 0; e < G.length; e++) dCovariances[Dk + e] = dCovariances[Dk + e]! + a * G[e]!;
        if (diagonal) {
          for (let c = 0; c < C; c++) da += G[c]! * p.covariances[Dk + c]!;
        } else {
          // Only the lower triangle of D_k is read by the forward pass.
          for (let i = 0; i < C; i++) {
            da += G[i * C + i]! * p.covariances[Dk + i * C + i]!;
            for (let j = 0; j < i; j++) da += 2 * G[i * C + j]! * p.covariances[Dk + i * C + j]!;
          }
        }
        dAlpha[n * K + k] = da;
      }
    }
  }
  return { dx, dAlpha, dMeans, dCovariances };
}
