/**
 * Time-delay embedding followed by group PCA (osl-dynamics `tde_pca`) without materialising the
 * embedded matrix, which for 40 channels × 15 embeddings is 600 columns per sample.
 *
 * Covariance. Within one valid run x (standardised, n samples, half-width L = (E − 1)/2), the
 * embedded entry for channel c1 at window position p1 and channel c2 at position p2 ≥ p1 is
 *   Σ_{u<m} x[u+p1, c1] x[u+p2, c2],   m = n − 2L,
 * which is the full lagged product F_d(c1, c2) = Σ_v x[v, c1] x[v+d, c2] (d = p2 − p1) minus at
 * most 2L products at each end. The F_d for d ≤ 2L are cross-correlations, computed for all channel
 * pairs at once by blocked FFTs whose cross-spectra are summed over blocks, runs and sessions before
 * a single inverse transform per pair; the end corrections are prefix/suffix sums per run.
 *
 * Projection. Each principal component is a bank of E-tap FIR filters, one per channel, so the
 * projection is an overlap-save convolution: per block, C forward transforms, a C → K complex
 * matrix product per frequency bin, and K inverse transforms.
 *
 * Both cost about 8·C·(C or K) flops per sample instead of 2·C·E·(C or K) for the explicit product.
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { fftPlan, fftTwoReal, inverseFftTwoReal, nextPowerOfTwo } from '../../numerics/fft';
import { PreparationError } from './errors';
import { type PcaModel, pcaFromCovariance } from './pca';
import { centredWindowMask, type Run, validRuns } from './segments';
import { type ChannelMoments, channelMoments } from './standardize';
import { checkEmbeddings } from './tde';
import { runInTimeSlices, runToEnd, type Steps } from './timeSlices';

/** Blocks whose spectra are processed together (keeps the inner loops long and cache-friendly). */
const BATCH = 32;

function fftLength(span: number): number {
  return span <= 64 ? 256 : nextPowerOfTwo(4 * span);
}

/** Standardised float64 columns of one run. */
function standardisedColumns(session: TimeSeriesSession, moments: ChannelMoments, run: Run): Float64Array[] {
  const { data, nChannels } = session;
  const n = run.end - run.start;
  const cols = Array.from({ length: nChannels }, () => new Float64Array(n));
  for (let i = 0, t = run.start; i < n; i++, t++) {
    const row = t * nChannels;
    for (let c = 0; c < nChannels; c++) cols[c]![i] = (data[row + c]! - moments.mean[c]!) / moments.std[c]!;
  }
  return cols;
}

/** Accumulates the covariance of time-delay-embedded data over many runs. */
export class EmbeddedCovarianceAccumulator {
  readonly nChannels: number;
  readonly nEmbeddings: number;
  private readonly span: number;
  private readonly n: number;
  private readonly bins: number;
  /** Σ over blocks of conj(A_c1)·B_c2, layout [f][c1][c2]. */
  private readonly crossRe: Float64Array;
  private readonly crossIm: Float64Array;
  /** Lagged sums from runs too short for the FFT path, layout [d][c1][c2]. */
  private readonly directLagged: Float64Array;
  /** End corrections, layout [c1][c2][p1][p2] (p1 ≤ p2). */
  private readonly corrections: Float64Array;
  nCentres = 0;

  constructor(nChannels: number, nEmbeddings: number) {
    this.nChannels = nChannels;
    this.nEmbeddings = nEmbeddings;
    this.span = nEmbeddings - 1;
    this.n = fftLength(this.span);
    this.bins = this.n / 2 + 1;
    this.crossRe = new Float64Array(this.bins * nChannels * nChannels);
    this.crossIm = new Float64Array(this.bins * nChannels * nChannels);
    this.directLagged = new Float64Array(nEmbeddings * nChannels * nChannels);
    this.corrections = new Float64Array(nChannels * nChannels * nEmbeddings * nEmbeddings);
  }

  /** Adds every embedded vector whose window lies inside this run (columns: one per channel). */
  addRun(columns: Float64Array[]): void {
    runToEnd(this.addRunSteps(columns));
  }

  /** `addRun` one batch of FFT blocks at a time (see timeSlices.ts). */
  *addRunSteps(columns: Float64Array[]): Steps {
    const n = columns[0]?.length ?? 0;
    if (n <= this.span) return;
    this.nCentres += n - this.span;
    if (n < 4 * this.n) this.addLaggedDirect(columns, n);
    else yield* this.addLaggedFft(columns, n);
    this.addCorrections(columns, n);
  }

  private addLaggedDirect(columns: Float64Array[], n: number): void {
    const C = this.nChannels;
    for (let d = 0; d <= this.span; d++) {
      for (let c1 = 0; c1 < C; c1++) {
        const x1 = columns[c1]!;
        for (let c2 = 0; c2 < C; c2++) {
          const x2 = columns[c2]!;
          let s = 0;
          for (let v = 0; v + d < n; v++) s += x1[v]! * x2[v + d]!;
          this.directLagged[(d * C + c1) * C + c2]! += s;
        }
      }
    }
  }

  private *addLaggedFft(columns: Float64Array[], n: number): Steps {
    const C = this.nChannels;
    const N = this.n;
    const H = this.bins;
    const stride = N - this.span;
    const plan = fftPlan(N);
    const aRe = new Float64Array(H * C * BATCH);
    const aIm = new Float64Array(H * C * BATCH);
    const bRe = new Float64Array(H * C * BATCH);
    const bIm = new Float64Array(H * C * BATCH);
    const a = new Float64Array(N);
    const b = new Float64Array(N);
    const sRe = new Float64Array(N);
    const sIm = new Float64Array(N);
    const oaRe = new Float64Array(H);
    const oaIm = new Float64Array(H);
    const obRe = new Float64Array(H);
    const obIm = new Float64Array(H);
    const nBlocks = Math.ceil(n / stride);
    for (let first = 0; first < nBlocks; first += BATCH) {
      const count = Math.min(BATCH, nBlocks - first);
      for (let k = 0; k < count; k++) {
        const s0 = (first + k) * stride;
        const aEnd = Math.min(s0 + stride, n);
        const bEnd = Math.min(s0 + N, n);
        for (let c = 0; c < C; c++) {
          const x = columns[c]!;
          a.fill(0);
          b.fill(0);
          a.set(x.subarray(s0, aEnd));
          b.set(x.subarray(s0, bEnd));
          fftTwoReal(plan, a, b, sRe, sIm, oaRe, oaIm, obRe, obIm);
          for (let f = 0; f < H; f++) {
            const at = (f * C + c) * BATCH + k;
            aRe[at] = oaRe[f]!;
            aIm[at] = oaIm[f]!;
            bRe[at] = obRe[f]!;
            bIm[at] = obIm[f]!;
          }
        }
      }
      for (let f = 0; f < H; f++) {
        for (let c1 = 0; c1 < C; c1++) {
          const p1 = (f * C + c1) * BATCH;
          const g = (f * C + c1) * C;
          // Two target channels per pass so each loaded A value feeds 8 flops.
          let c2 = 0;
          for (; c2 + 1 < C; c2 += 2) {
            const p2 = (f * C + c2) * BATCH;
            const p3 = p2 + BATCH;
            let re0 = 0;
            let im0 = 0;
            let re1 = 0;
            let im1 = 0;
            for (let k = 0; k < count; k++) {
              const ar = aRe[p1 + k]!;
              const ai = aIm[p1 + k]!;
              const br = bRe[p2 + k]!;
              const bi = bIm[p2 + k]!;
              const dr = bRe[p3 + k]!;
              const di = bIm[p3 + k]!;
              re0 += ar * br + ai * bi;
              im0 += ar * bi - ai * br;
              re1 += ar * dr + ai * di;
              im1 += ar * di - ai * dr;
            }
            this.crossRe[g + c2]! += re0;
            this.crossIm[g + c2]! += im0;
            this.crossRe[g + c2 + 1]! += re1;
            this.crossIm[g + c2 + 1]! += im1;
          }
          for (; c2 < C; c2++) {
            const p2 = (f * C + c2) * BATCH;
            let re = 0;
            let im = 0;
            for (let k = 0; k < count; k++) {
              const ar = aRe[p1 + k]!;
              const ai = aIm[p1 + k]!;
              const br = bRe[p2 + k]!;
              const bi = bIm[p2 + k]!;
              re += ar * br + ai * bi;
              im += ar * bi - ai * br;
            }
            this.crossRe[g + c2]! += re;
            this.crossIm[g + c2]! += im;
          }
        }
      }
      yield;
    }
  }

  private addCorrections(columns: Float64Array[], n: number): void {
    const C = this.nChannels;
    const E = this.nEmbeddings;
    const span = this.span;
    for (let c1 = 0; c1 < C; c1++) {
      const x1 = columns[c1]!;
      for (let c2 = 0; c2 < C; c2++) {
        const x2 = columns[c2]!;
        const base = (c1 * C + c2) * E * E;
        for (let d = 0; d <= span; d++) {
          // Head: products v < p1 (p1 = 0 … span − d).
          let head = 0;
          for (let p1 = 0; p1 + d <= span; p1++) {
            this.corrections[base + p1 * E + p1 + d]! += head;
            head += x1[p1]! * x2[p1 + d]!;
          }
          // Tail: products with v + d ≥ n − span + p2 (p2 = span … d).
          let tail = 0;
          for (let p2 = span; p2 >= d; p2--) {
            this.corrections[base + (p2 - d) * E + p2]! += tail;
            const w = n - span + p2 - 1;
            if (p2 > d) tail += x1[w - d]! * x2[w]!;
          }
        }
      }
    }
  }

  /** Σ e eᵀ over all embedded vectors added, (C·E) × (C·E) row-major in osl-dynamics column order. */
  covariance(): Float64Array {
    const C = this.nChannels;
    const E = this.nEmbeddings;
    const H = this.bins;
    const N = this.n;
    const span = this.span;
    const lagged = this.directLagged.slice();
    const plan = fftPlan(N);
    const pairs = C * C;
    const re1 = new Float64Array(H);
    const im1 = new Float64Array(H);
    const re2 = new Float64Array(H);
    const im2 = new Float64Array(H);
    const sRe = new Float64Array(N);
    const sIm = new Float64Array(N);
    const out1 = new Float64Array(N);
    const out2 = new Float64Array(N);
    for (let pair = 0; pair < pairs; pair += 2) {
      const second = Math.min(pair + 1, pairs - 1);
      for (let f = 0; f < H; f++) {
        re1[f] = this.crossRe[f * pairs + pair]!;
        im1[f] = this.crossIm[f * pairs + pair]!;
        re2[f] = this.crossRe[f * pairs + second]!;
        im2[f] = this.crossIm[f * pairs + second]!;
      }
      // Real-signal spectra must be real at DC and Nyquist; rounding can leave tiny imaginary parts.
      im1[0] = im1[H - 1] = im2[0] = im2[H - 1] = 0;
      inverseFftTwoReal(plan, re1, im1, re2, im2, sRe, sIm, out1, out2);
      for (let d = 0; d <= span; d++) {
        lagged[d * pairs + pair]! += out1[d]!;
        if (second !== pair) lagged[d * pairs + second]! += out2[d]!;
      }
    }
    const width = C * E;
    const cov = new Float64Array(width * width);
    for (let c1 = 0; c1 < C; c1++) {
      for (let c2 = 0; c2 < C; c2++) {
        const base = (c1 * C + c2) * E * E;
        for (let p1 = 0; p1 <= span; p1++) {
          for (let p2 = p1; p2 <= span; p2++) {
            const d = p2 - p1;
            const value = lagged[d * pairs + c1 * C + c2]! - this.corrections[base + p1 * E + p2]!;
            // Window position p is embedding column j = span − p.
            const i = c1 * E + (span - p1);
            const j = c2 * E + (span - p2);
            cov[i * width + j] = value;
            cov[j * width + i] = value;
          }
        }
      }
    }
    return cov;
  }
}

/** Projects the embedded run onto components with overlap-save FFT convolution. */
export class EmbeddedProjector {
  private readonly C: number;
  private readonly K: number;
  private readonly span: number;
  private readonly n: number;
  private readonly bins: number;
  /** Filter spectra, layout [f][k][c]. */
  private readonly filterRe: Float64Array;
  private readonly filterIm: Float64Array;

  constructor(model: PcaModel, nChannels: number, nEmbeddings: number) {
    if (model.nInputs !== nChannels * nEmbeddings) {
      throw new PreparationError(
        `tde_pca: components expect ${model.nInputs} inputs but ${nChannels} channels × ${nEmbeddings} embeddings give ${nChannels * nEmbeddings}`,
      );
    }
    this.C = nChannels;
    this.K = model.nComponents;
    this.span = nEmbeddings - 1;
    this.n = fftLength(this.span);
    this.bins = this.n / 2 + 1;
    const { C, K, n: N, bins: H, span } = this;
    this.filterRe = new Float64Array(H * K * C);
    this.filterIm = new Float64Array(H * K * C);
    const plan = fftPlan(N);
    const re = new Float64Array(N);
    const im = new Float64Array(N);
    for (let k = 0; k < K; k++) {
      for (let c = 0; c < C; c++) {
        re.fill(0);
        im.fill(0);
        // Tap p multiplies input sample u + p, i.e. embedding column j = span − p.
        for (let p = 0; p <= span; p++) re[p] = model.components[(c * nEmbeddings + span - p) * K + k]!;
        plan.forward(re, im);
        for (let f = 0; f < H; f++) {
          this.filterRe[(f * K + k) * C + c] = re[f]!;
          this.filterIm[(f * K + k) * C + c] = im[f]!;
        }
      }
    }
  }

  /** Writes the projection of every window inside the run to out rows outStart … outStart + n − span − 1. */
  projectRun(columns: Float64Array[], out: Float32Array, outStart: number): void {
    runToEnd(this.projectRunSteps(columns, out, outStart));
  }

  /** `projectRun` one batch of FFT blocks at a time (see timeSlices.ts). */
  *projectRunSteps(columns: Float64Array[], out: Float32Array, outStart: number): Steps {
    const { C, K, n: N, bins: H, span } = this;
    const n = columns[0]?.length ?? 0;
    const m = n - span;
    if (m <= 0) return;
    const stride = N - span;
    const plan = fftPlan(N);
    const xRe = new Float64Array(H * C * BATCH);
    const xIm = new Float64Array(H * C * BATCH);
    const yRe = new Float64Array(H * K * BATCH);
    const yIm = new Float64Array(H * K * BATCH);
    const a = new Float64Array(N);
    const b = new Float64Array(N);
    const sRe = new Float64Array(N);
    const sIm = new Float64Array(N);
    const s1Re = new Float64Array(H);
    const s1Im = new Float64Array(H);
    const s2Re = new Float64Array(H);
    const s2Im = new Float64Array(H);
    const y1 = new Float64Array(N);
    const y2 = new Float64Array(N);
    const fRe = this.filterRe;
    const fIm = this.filterIm;
    const nBlocks = Math.ceil(m / stride);
    for (let first = 0; first < nBlocks; first += BATCH) {
      const count = Math.min(BATCH, nBlocks - first);
      for (let blk = 0; blk < count; blk++) {
        const u0 = (first + blk) * stride;
        const end = Math.min(u0 + N, n);
        for (let c = 0; c < C; c += 2) {
          const c2 = Math.min(c + 1, C - 1);
          a.fill(0);
          b.fill(0);
          a.set(columns[c]!.subarray(u0, end));
          if (c2 !== c) b.set(columns[c2]!.subarray(u0, end));
          fftTwoReal(plan, a, b, sRe, sIm, s1Re, s1Im, s2Re, s2Im);
          for (let f = 0; f < H; f++) {
            const at = (f * BATCH + blk) * C;
            xRe[at + c] = s1Re[f]!;
            xIm[at + c] = s1Im[f]!;
            if (c2 !== c) {
              xRe[at + c2] = s2Re[f]!;
              xIm[at + c2] = s2Im[f]!;
            }
          }
        }
      }
      for (let f = 0; f < H; f++) {
        for (let blk = 0; blk < count; blk++) {
          const xAt = (f * BATCH + blk) * C;
          let k = 0;
          // Four components per pass: each loaded X value feeds 16 flops and eight independent
          // accumulators hide the add latency. Correlation is conj(G)·X.
          for (; k + 3 < K; k += 4) {
            const g0 = (f * K + k) * C;
            const g1 = g0 + C;
            const g2 = g1 + C;
            const g3 = g2 + C;
            let re0 = 0;
            let im0 = 0;
            let re1 = 0;
            let im1 = 0;
            let re2 = 0;
            let im2 = 0;
            let re3 = 0;
            let im3 = 0;
            for (let c = 0; c < C; c++) {
              const xr = xRe[xAt + c]!;
              const xi = xIm[xAt + c]!;
              let gr = fRe[g0 + c]!;
              let gi = fIm[g0 + c]!;
              re0 += gr * xr + gi * xi;
              im0 += gr * xi - gi * xr;
              gr = fRe[g1 + c]!;
              gi = fIm[g1 + c]!;
              re1 += gr * xr + gi * xi;
              im1 += gr * xi - gi * xr;
              gr = fRe[g2 + c]!;
              gi = fIm[g2 + c]!;
              re2 += gr * xr + gi * xi;
              im2 += gr * xi - gi * xr;
              gr = fRe[g3 + c]!;
              gi = fIm[g3 + c]!;
              re3 += gr * xr + gi * xi;
              im3 += gr * xi - gi * xr;
            }
            const y0 = (f * K + k) * BATCH + blk;
            yRe[y0] = re0;
            yIm[y0] = im0;
            yRe[y0 + BATCH] = re1;
            yIm[y0 + BATCH] = im1;
            yRe[y0 + 2 * BATCH] = re2;
            yIm[y0 + 2 * BATCH] = im2;
            yRe[y0 + 3 * BATCH] = re3;
            yIm[y0 + 3 * BATCH] = im3;
          }
          for (; k < K; k++) {
            const g0 = (f * K + k) * C;
            let re0 = 0;
            let im0 = 0;
            for (let c = 0; c < C; c++) {
              const xr = xRe[xAt + c]!;
              const xi = xIm[xAt + c]!;
              const gr = fRe[g0 + c]!;
              const gi = fIm[g0 + c]!;
              re0 += gr * xr + gi * xi;
              im0 += gr * xi - gi * xr;
            }
            yRe[(f * K + k) * BATCH + blk] = re0;
            yIm[(f * K + k) * BATCH + blk] = im0;
          }
        }
      }
      for (let blk = 0; blk < count; blk++) {
        const u0 = (first + blk) * stride;
        const valid = Math.min(stride, m - u0);
        for (let k = 0; k < K; k += 2) {
          const k2 = Math.min(k + 1, K - 1);
          for (let f = 0; f < H; f++) {
            s1Re[f] = yRe[(f * K + k) * BATCH + blk]!;
            s1Im[f] = yIm[(f * K + k) * BATCH + blk]!;
            s2Re[f] = k2 !== k ? yRe[(f * K + k2) * BATCH + blk]! : 0;
            s2Im[f] = k2 !== k ? yIm[(f * K + k2) * BATCH + blk]! : 0;
          }
          s1Im[0] = s1Im[H - 1] = s2Im[0] = s2Im[H - 1] = 0;
          inverseFftTwoReal(plan, s1Re, s1Im, s2Re, s2Im, sRe, sIm, y1, y2);
          for (let u = 0; u < valid; u++) {
            const row = (outStart + u0 + u) * K;
            out[row + k] = y1[u]!;
            if (k2 !== k) out[row + k2] = y2[u]!;
          }
        }
      }
      yield;
    }
  }
}

export interface TdePcaOptions {
  nEmbeddings: number;
  nPcaComponents?: number;
  model?: PcaModel;
  whiten: boolean;
  /** Called after each session of each pass (pass 0: covariance, pass 1: projection). */
  onSession?: (pass: 0 | 1, index: number) => void | Promise<void>;
}

/** Standardise, embed and project every session; components from the group covariance unless given. */
export async function tdePcaSessions(
  sessions: TimeSeriesSession[],
  options: TdePcaOptions,
): Promise<{ sessions: TimeSeriesSession[]; model: PcaModel }> {
  const E = options.nEmbeddings;
  const C = sessions[0]!.nChannels;
  sessions.forEach((s) => checkEmbeddings(E, s.nSamples, 'tde_pca'));
  const moments = sessions.map(channelMoments);
  let model = options.model;
  if (!model) {
    if (options.nPcaComponents === undefined)
      throw new PreparationError('tde_pca: pass n_pca_components or pca_components');
    if (options.nPcaComponents > C * E) {
      throw new PreparationError(
        `tde_pca: n_pca_components (${options.nPcaComponents}) exceeds channels × embeddings (${C} × ${E} = ${C * E})`,
      );
    }
    const accumulator = new EmbeddedCovarianceAccumulator(C, E);
    for (let i = 0; i < sessions.length; i++) {
      const s = sessions[i]!;
      for (const run of validRuns(s.nSamples, s.gapMask))
        await runInTimeSlices(accumulator.addRunSteps(standardisedColumns(s, moments[i]!, run)));
      await options.onSession?.(0, i);
    }
    model = pcaFromCovariance(
      accumulator.covariance(),
      C * E,
      accumulator.nCentres,
      options.nPcaComponents,
      options.whiten,
    );
  }
  const projector = new EmbeddedProjector(model, C, E);
  const span = E - 1;
  const out: TimeSeriesSession[] = [];
  for (let i = 0; i < sessions.length; i++) {
    const s = sessions[i]!;
    const nOut = s.nSamples - span;
    const data = new Float32Array(nOut * model.nComponents);
    // Run [start, end) yields outputs start … end − 1 − span (output i is centred on input i + span/2).
    for (const run of validRuns(s.nSamples, s.gapMask))
      await runInTimeSlices(
        projector.projectRunSteps(standardisedColumns(s, moments[i]!, run), data, run.start),
      );
    const gapMask = centredWindowMask(s.nSamples, s.gapMask, span / 2);
    out.push({
      data,
      nSamples: nOut,
      nChannels: model.nComponents,
      samplingRate: s.samplingRate,
      ...(gapMask ? { gapMask } : {}),
    });
    await options.onSession?.(1, i);
  }
  return { sessions: out, model };
}
