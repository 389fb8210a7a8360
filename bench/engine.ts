/**
 * Engine benchmarks at the sizes, with the PyTorch peers from ../shared/bench when
 * /usr/bin/python3 has torch:
 * - bi-LSTM training step: bidirectional 64-unit LSTM + dense head on [32, 200, 80], MSE, Adam
 *   (the work of bilstm_torch.py);
 * - mvnMixtureLogLik forward + backward at C = 80, K = 8, B = 32, T = 200 (full covariances).
 * Times are the minimum over repeats because the machine is shared.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initEngineBackend, type EngineInfo } from '../src-main/engine/backend';
import { bidirectionalRnnSequence } from '../src-main/engine/ops/bidirectionalRnn';
import type { RnnWeights } from '../src-main/engine/ops/rnnSequence';
import { mvnMixtureLogLik } from '../src-main/engine/ops/mvnMixtureLogLik';
import { dense } from '../src-main/engine/ops/dense';
import { mvnMixtureLogLikGradKernel, mvnMixtureLogLikKernel } from '../src-main/engine/ops/mvnMixtureKernels';
import { SeededRandom } from '../src-main/numerics/random';

export interface EngineBenchRecord {
  bench: string;
  shape: Record<string, number>;
  ms_min: number;
  ms_median: number;
  repeats: number;
  backend: EngineInfo['backend'];
  kernel_path: EngineInfo['kernelPath'];
  simd: boolean;
  threads: number;
  [extra: string]: unknown;
}

export interface PeerRecord {
  bench: string;
  peer: string;
  present: boolean;
  ms: number | null;
  ratio_peer_over_ours: number | null;
  note?: string;
  [extra: string]: unknown;
}

function normals(n: number, rng: SeededRandom, scale = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * scale;
  return out;
}

interface Timing {
  min: number;
  median: number;
  /** Process CPU time (all threads) per run: unlike wall time, barely affected by other load. */
  cpuMean: number;
}

async function timeMs(run: () => void, warmup: number, repeats: number): Promise<Timing> {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  times.sort((a, b) => a - b);
  return {
    min: round(times[0]!),
    median: round(times[Math.floor(times.length / 2)]!),
    cpuMean: round((cpu.user + cpu.system) / 1000 / repeats),
  };
}

const round = (v: number): number => Math.round(v * 10) / 10;

function lstmWeights(rng: SeededRandom, inputs: number, units: number): RnnWeights {
  return {
    kernel: tf.variable(
      tf.tensor2d(normals(inputs * 4 * units, rng, 1 / Math.sqrt(inputs)), [inputs, 4 * units]),
    ),
    recurrentKernel: tf.variable(
      tf.tensor2d(normals(units * 4 * units, rng, 1 / Math.sqrt(units)), [units, 4 * units]),
    ),
    bias: tf.variable(tf.zeros([4 * units])),
  };
}

export async function benchBiLstmStep(info: EngineInfo, repeats = 5): Promise<EngineBenchRecord> {
  const [B, T, C, H, K] = [32, 200, 80, 64, 8];
  const rng = new SeededRandom(1);
  const x = tf.tensor3d(normals(B * T * C, rng), [B, T, C]);
  const y = tf.tensor2d(normals(B * T * K, rng), [B * T, K]);
  const fw = lstmWeights(rng, C, H);
  const bw = lstmWeights(rng, C, H);
  const denseW: tf.Variable<tf.Rank.R2> = tf.variable(
    tf.tensor2d(normals(2 * H * K, rng, 1 / Math.sqrt(2 * H)), [2 * H, K]),
  );
  const denseB: tf.Variable<tf.Rank.R1> = tf.variable(tf.zeros([K]));
  const optimizer = tf.train.adam(0.01);
  let loss = 0;
  const step = () => {
    const cost = optimizer.minimize(() => {
      const h = bidirectionalRnnSequence(x, fw, bw, 'lstm', { inputGradient: false });
      const out = dense(h.reshape([B * T, 2 * H]) as tf.Tensor2D, denseW, denseB);
      return out.sub(y).square().mean() as tf.Scalar;
    }, true);
    loss = cost!.dataSync()[0]!;
    cost!.dispose();
  };
  const t = await timeMs(step, 2, repeats);
  return {
    bench: 'bilstm_train_step',
    shape: { batch: B, seq: T, channels: C, units: H, outputs: K },
    ms_min: t.min,
    ms_median: t.median,
    cpu_ms_mean: t.cpuMean,
    repeats,
    backend: info.backend,
    kernel_path: info.kernelPath,
    simd: info.simd,
    threads: info.threads,
    loss,
  };
}

function spdCovariances(rng: SeededRandom, K: number, C: number): Float32Array {
  const out = new Float32Array(K * C * C);
  for (let k = 0; k < K; k++) {
    const a = normals(C * C, rng);
    for (let i = 0; i < C; i++)
      for (let j = 0; j <= i; j++) {
        let s = i === j ? 0.5 : 0;
        for (let l = 0; l < C; l++) s += (a[i * C + l]! * a[j * C + l]!) / C;
        out[(k * C + i) * C + j] = s;
        out[(k * C + j) * C + i] = s;
      }
  }
  return out;
}

export async function benchMvnMixture(info: EngineInfo, repeats = 5): Promise<EngineBenchRecord> {
  const [B, T, C, K] = [32, 200, 80, 8];
  const rng = new SeededRandom(2);
  const xData = normals(B * T * C, rng);
  const alphaData = new Float32Array(B * T * K);
  for (let n = 0; n < B * T; n++) {
    let sum = 0;
    for (let k = 0; k < K; k++) sum += alphaData[n * K + k] = Math.exp(rng.normal());
    for (let k = 0; k < K; k++) alphaData[n * K + k]! /= sum;
  }
  const covData = spdCovariances(rng, K, C);
  const meansData = normals(K * C, rng, 0.1);
  const x = tf.tensor3d(xData, [B, T, C]);
  const alpha = tf.tensor3d(alphaData, [B, T, K]);
  const cov = tf.tensor3d(covData, [K, C, C]);
  const means = tf.tensor2d(meansData, [K, C]);
  const grads = tf.grads((xv, av, dv, mv) =>
    mvnMixtureLogLik(xv as tf.Tensor3D, av as tf.Tensor3D, dv!, { means: mv as tf.Tensor2D }).sum(),
  );
  const op = await timeMs(
    () => {
      const g = grads([x, alpha, cov, means]);
      g.forEach((t) => t.dataSync());
      tf.dispose(g);
    },
    1,
    repeats,
  );
  const shape = { batch: B, steps: T, channels: C, modes: K, diagonal: false };
  const params = { x: xData, alpha: alphaData, covariances: covData, means: meansData };
  const ones = new Float32Array(B * T).fill(1);
  const fwd = await timeMs(() => void mvnMixtureLogLikKernel(shape, params), 1, repeats);
  const bwd = await timeMs(() => void mvnMixtureLogLikGradKernel(shape, params, ones), 1, repeats);
  return {
    bench: 'mvn_mixture_loglik_fwd_bwd',
    shape: { batch: B, seq: T, channels: C, modes: K },
    ms_min: op.min,
    ms_median: op.median,
    cpu_ms_mean: op.cpuMean,
    repeats,
    backend: info.backend,
    kernel_path: info.kernelPath,
    simd: info.simd,
    threads: info.threads,
    kernel_forward_ms_min: fwd.min,
    kernel_forward_cpu_ms_mean: fwd.cpuMean,
    kernel_backward_ms_min: bwd.min,
    kernel_backward_cpu_ms_mean: bwd.cpuMean,
  };
}

const PYTHON = '/usr/bin/python3';

function peerDir(): string {
  return path.resolve(process.cwd(), '../shared/bench');
}

export function torchAvailable(): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function runPeer(script: string, args: string[]): { stdout: string; ok: boolean } {
  const r = spawnSync(PYTHON, [path.join(peerDir(), script), ...args], {
    encoding: 'utf8',
    timeout: 600_000,
  });
  return { stdout: r.stdout ?? '', ok: r.status === 0 };
}

export function benchPeers(ours: EngineBenchRecord[]): PeerRecord[] {
  const lstm = ours.find((r) => r.bench === 'bilstm_train_step');
  if (!torchAvailable()) {
    const absent = (bench: string, peer: string): PeerRecord => ({
      bench,
      peer,
      present: false,
      ms: null,
      ratio_peer_over_ours: null,
      note: `${PYTHON} cannot import torch`,
    });
    return [absent('bilstm_train_step', 'bilstm_torch.py')];
  }
  const out: PeerRecord[] = [];
  const l = runPeer('bilstm_torch.py', ['32', '2']);
  const lm = /ms\/step\s+([\d.]+)/.exec(l.stdout);
  const lmMs = lm ? Number(lm[1]) : null;
  out.push({
    bench: 'bilstm_train_step',
    peer: 'bilstm_torch.py',
    present: l.ok && lmMs !== null,
    ms: lmMs,
    ratio_peer_over_ours: lmMs !== null && lstm ? round(lmMs / lstm.ms_min) : null,
  });
  return out;
}

/** Repeats per measurement: MODESCOPE_BENCH_REPEATS (default 5); more gives a truer minimum on a busy machine. */
function repeatsFromEnv(): number {
  const n = Number(process.env.MODESCOPE_BENCH_REPEATS ?? 5);
  return Number.isInteger(n) && n > 0 ? n : 5;
}

export async function benchEngine(): Promise<object[]> {
  const info = await initEngineBackend();
  const repeats = repeatsFromEnv();
  const ours = [await benchBiLstmStep(info, repeats), await benchMvnMixture(info, repeats)];
  return [{ bench: 'engine_info', ...info }, ...ours, ...benchPeers(ours)];
}

const invokedDirectly = process.argv[1] !== undefined && /engine\.(ts|m?js)$/.test(process.argv[1]);
if (invokedDirectly) {
  for (const record of await benchEngine()) console.log(JSON.stringify(record));
}

/**
 * The PyTorch DyNeMo step (../shared/bench/dynemo_torch.py) beside our whole step, measured in the
 * same invocation so both see the same machine load.
 */
export function dynemoPeer(oursMsMin: number): PeerRecord {
  if (!torchAvailable()) {
    return {
      bench: 'dynemo_train_step',
      peer: 'dynemo_torch.py',
      present: false,
      ms: null,
      ratio_peer_over_ours: null,
      note: `${PYTHON} cannot import torch`,
    };
  }
  const d = runPeer('dynemo_torch.py', []);
  let ms: number | null = null;
  try {
    ms =
      (JSON.parse(d.stdout.trim().split('\n').pop() ?? '{}') as { ms_per_step?: number }).ms_per_step ?? null;
  } catch {
    ms = null;
  }
  return {
    bench: 'dynemo_train_step',
    peer: 'dynemo_torch.py',
    present: d.ok && ms !== null,
    ms,
    ratio_peer_over_ours: ms !== null ? round(ms / oursMsMin) : null,
  };
}
