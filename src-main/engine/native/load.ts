import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/*
 * Environment knobs of the native kernels:
 *   MODESCOPE_NATIVE_PATH          explicit path of modescope_kernels.node
 *   MODESCOPE_DISABLE_NATIVE=1     use the TypeScript reference kernels
 *   MODESCOPE_KERNEL_ISA=scalar    use the portable build even on an AVX2/FMA CPU
 *   MODESCOPE_THREADS=n            size of the kernels' thread pool (default: all cores)
 *   MODESCOPE_MVN_FACTOR_CACHE_MB  budget for Cholesky factors kept from forward to backward
 *                                  (default 512, all live factors together; 0 recomputes them in
 *                                  the backward pass)
 *   MODESCOPE_REQUIRE_NATIVE=1     (build time) a failed native build fails the install
 */

/**
 * The Node-API surface of build/Release/modescope_kernels.node. All arrays are float32 and
 * row-major; outputs are written into caller-owned arrays so the JS side owns every buffer.
 */
export interface NativeKernels {
  info(): { simd: 'avx2-fma' | 'scalar'; threads: number };
  /** Switches the instruction set (tests); false when the CPU lacks it. */
  setIsa(isa: 'avx2-fma' | 'scalar'): boolean;
  rnnForward(
    cell: number,
    batch: number,
    steps: number,
    inputSize: number,
    units: number,
    reverse: boolean,
    x: Float32Array,
    kernel: Float32Array,
    recurrentKernel: Float32Array,
    bias: Float32Array,
    initialH: Float32Array | null,
    initialC: Float32Array | null,
    hidden: Float32Array,
    tape: Float32Array,
    /** Where this direction's states sit when both directions share one [B, T, 2H] output. */
    hiddenOffset?: number,
    hiddenStride?: number,
  ): void;
  rnnBackward(
    cell: number,
    batch: number,
    steps: number,
    inputSize: number,
    units: number,
    reverse: boolean,
    x: Float32Array,
    kernel: Float32Array,
    recurrentKernel: Float32Array,
    initialH: Float32Array | null,
    initialC: Float32Array | null,
    hidden: Float32Array,
    tape: Float32Array,
    dHidden: Float32Array,
    /** null skips the input gradient. */
    dx: Float32Array | null,
    dKernel: Float32Array,
    dRecurrentKernel: Float32Array,
    dBias: Float32Array,
    dInitialH: Float32Array,
    dInitialC: Float32Array,
    /** Layout of hidden and dHidden, as in rnnForward. */
    hiddenOffset?: number,
    hiddenStride?: number,
  ): void;
  /** Returns undefined, or the first failing time point (flat b·T + t) and its Cholesky pivot. */
  mvnMixtureForward(
    batch: number,
    steps: number,
    channels: number,
    modes: number,
    diagonal: boolean,
    x: Float32Array,
    alpha: Float32Array,
    means: Float32Array | null,
    covariances: Float32Array,
    mask: Float32Array | null,
    logLik: Float32Array,
  ): { index: number; pivot: number } | undefined;
  /**
   * The same with keepFactors = true: also keeps the Cholesky factors of every time point for the
   * backward pass (null when they would exceed MODESCOPE_MVN_FACTOR_CACHE_MB, default 512, or
   * for diagonal covariances).
   */
  mvnMixtureForward(
    batch: number,
    steps: number,
    channels: number,
    modes: number,
    diagonal: boolean,
    x: Float32Array,
    alpha: Float32Array,
    means: Float32Array | null,
    covariances: Float32Array,
    mask: Float32Array | null,
    logLik: Float32Array,
    keepFactors: true,
  ): { failure: { index: number; pivot: number } | null; factors: MvnFactors | null };
  mvnMixtureBackward(
    batch: number,
    steps: number,
    channels: number,
    modes: number,
    diagonal: boolean,
    x: Float32Array,
    alpha: Float32Array,
    means: Float32Array | null,
    covariances: Float32Array,
    mask: Float32Array | null,
    dLogLik: Float32Array,
    /** null skips the gradient with respect to the data. */
    dx: Float32Array | null,
    dAlpha: Float32Array,
    dMeans: Float32Array | null,
    dCovariances: Float32Array,
    /** From the forward pass over the same inputs: skips mixing and factorising again. */
    factors?: MvnFactors | null,
  ): { index: number; pivot: number } | undefined;
  /** Frees kept factors now rather than at garbage collection. */
  releaseFactors(factors: MvnFactors): void;
  denseForward(
    rows: number,
    inputs: number,
    outputs: number,
    x: Float32Array,
    kernel: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
  ): void;
  denseBackward(
    rows: number,
    inputs: number,
    outputs: number,
    x: Float32Array,
    kernel: Float32Array,
    dOut: Float32Array,
    dx: Float32Array | null,
    dKernel: Float32Array,
    dBias: Float32Array | null,
  ): void;
  /** Layer normalisation over rows of x [rows, features]; also writes each row's mean and 1/σ. */
  layerNormForward(
    rows: number,
    features: number,
    epsilon: number,
    x: Float32Array,
    gamma: Float32Array,
    beta: Float32Array,
    y: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
  ): void;
  layerNormBackward(
    rows: number,
    features: number,
    x: Float32Array,
    gamma: Float32Array,
    mean: Float32Array,
    rstd: Float32Array,
    dy: Float32Array,
    dx: Float32Array,
    dGamma: Float32Array,
    dBeta: Float32Array,
  ): void;
  /** One in-place Adam step over a flat block (see training/adamUpdate.ts). */
  adamUpdate(
    n: number,
    stepSize: number,
    beta1: number,
    beta2: number,
    epsilon: number,
    gradScale: number,
    param: Float32Array,
    grad: Float32Array,
    m: Float32Array,
    v: Float32Array,
  ): void;
}

/** Opaque handle to Cholesky factors kept by the native forward pass. */
export interface MvnFactors {
  readonly __brand: 'MvnFactors';
}

export const NATIVE_FILE = 'modescope_kernels.node';

export type NativeLoadResult = { kernels: NativeKernels; path: string } | { kernels: null; reason: string };

let cached: NativeLoadResult | undefined;

function candidatePaths(): string[] {
  const out: string[] = [];
  const fromEnv = process.env.MODESCOPE_NATIVE_PATH;
  if (fromEnv) out.push(fromEnv);
  const starts = [process.cwd()];
  try {
    starts.push(path.dirname(fileURLToPath(import.meta.url)));
  } catch {
    // Bundled into a format without import.meta.url: the working directory is the only anchor.
  }
  for (const start of starts) {
    // Walk up to the package root (the folder that holds build/).
    let dir = start;
    for (let depth = 0; depth < 6; depth++) {
      out.push(path.join(dir, 'build', 'Release', NATIVE_FILE));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return out;
}

/** Loads the native kernels once; never throws. Set MODESCOPE_DISABLE_NATIVE=1 to force the TS path. */
export function loadNativeKernels(): NativeLoadResult {
  if (cached) return cached;
  if (process.env.MODESCOPE_DISABLE_NATIVE === '1') {
    cached = { kernels: null, reason: 'disabled by MODESCOPE_DISABLE_NATIVE=1' };
    return cached;
  }
  const file = candidatePaths().find((p) => existsSync(p));
  if (!file) {
    cached = { kernels: null, reason: `${NATIVE_FILE} not found (run node scripts/build-native.mjs)` };
    return cached;
  }
  try {
    const require = createRequire(import.meta.url);
    cached = { kernels: require(file) as NativeKernels, path: file };
  } catch (e) {
    cached = { kernels: null, reason: `${file} failed to load: ${(e as Error).message.split('\n')[0]}` };
  }
  return cached;
}

let warned = false;

/** The native kernels, or null after a one-line warning (printed once per process). */
export function nativeKernelsOrWarn(): NativeKernels | null {
  const result = loadNativeKernels();
  if (result.kernels) return result.kernels;
  if (!warned) {
    warned = true;
    console.warn(
      `modescope engine: native kernels unavailable (${result.reason}); using TypeScript reference kernels`,
    );
  }
  return null;
}
