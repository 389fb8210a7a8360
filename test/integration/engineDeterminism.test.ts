import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNativeKernels } from '../../src-main/engine/native/load';

/*
 * Bit-for-bit determinism of every native kernel (issue #5: a resumed run must continue exactly like
 * an uninterrupted one). Each child process loads the addon with its own pool size
 * (MODESCOPE_THREADS), runs every op's forward and backward several times at shapes where the pool
 * splits the work, and prints a SHA-256 of every output array per round. Busy processes compete
 * for the cores meanwhile, so tasks finish in varying orders. Every round, pool size and
 * scheduling must give the same bytes.
 *
 * The workload is plain JavaScript (the children run it with `node -e`, without the TypeScript
 * toolchain) and calls the addon's raw Node-API surface (load.ts: NativeKernels).
 */
const WORKLOAD = String.raw`
const { createHash } = require('node:crypto');
const [addonPath, roundsArg, seedArg] = process.argv.slice(1);
const k = require(addonPath);
if (process.env.WORKLOAD_ISA && !k.setIsa(process.env.WORKLOAD_ISA)) {
  process.stdout.write(JSON.stringify({ unsupported: process.env.WORKLOAD_ISA }));
  process.exit(0);
}
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
let r;
let out;
const rand = (n, sc = 1) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = (r() * 2 - 1) * sc; return a; };
const h = (name, ...arrs) => {
  const c = createHash('sha256');
  for (const a of arrs) if (a) c.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  out[name] = c.digest('hex').slice(0, 16);
};
function once(seed) {
  r = rng(seed);
  out = {};
    // RNN
    for (const [cell, G] of [[0, 4], [1, 3]]) for (const reverse of [false, true]) {
      const B = 16, T = 120, I = 12, H = 32, GH = G * H;
      const x = rand(B*T*I), W = rand(I*GH, 0.3), U = rand(H*GH, 0.3), bias = rand(cell === 0 ? GH : 2*GH, 0.1);
      const h0 = rand(B*H, 0.5), c0 = cell === 0 ? rand(B*H, 0.5) : null;
      const hid = new Float32Array(B*T*H), tape = new Float32Array(B*T*5*H);
      k.rnnForward(cell, B, T, I, H, reverse, x, W, U, bias, h0, c0, hid, tape);
      const dH = rand(B*T*H), dx = new Float32Array(B*T*I), dW = new Float32Array(I*GH), dU = new Float32Array(H*GH), db = new Float32Array(bias.length), dh0 = new Float32Array(B*H), dc0 = new Float32Array(cell === 0 ? B*H : 0);
      k.rnnBackward(cell, B, T, I, H, reverse, x, W, U, h0, c0, hid, tape, dH, dx, dW, dU, db, dh0, dc0);
      const tag = 'rnn' + cell + (reverse ? 'r' : '');
      h(tag + '.fwd', hid, tape); h(tag + '.dx', dx); h(tag + '.dW', dW); h(tag + '.dU', dU); h(tag + '.db', db); h(tag + '.dh0', dh0, dc0);
    }
    // MVN
    for (const diagonal of [false, true]) {
      const B = 8, T = 150, C = 10, K = 6;
      const x = rand(B*T*C); const alpha = new Float32Array(B*T*K);
      for (let n = 0; n < B*T; n++) { let s = 0; for (let q = 0; q < K; q++) { alpha[n*K+q] = r() + 0.05; s += alpha[n*K+q]; } for (let q = 0; q < K; q++) alpha[n*K+q] /= s; }
      const means = rand(K*C, 0.5);
      let cov;
      if (diagonal) { cov = new Float32Array(K*C); for (let i = 0; i < K*C; i++) cov[i] = 0.5 + r(); }
      else { cov = new Float32Array(K*C*C); for (let q = 0; q < K; q++) { const A = rand(C*C); for (let i = 0; i < C; i++) for (let j = 0; j < C; j++) { let s = i === j ? C : 0; for (let l = 0; l < C; l++) s += A[i*C+l]*A[j*C+l]; cov[q*C*C+i*C+j] = s / C; } } }
      const mask = new Float32Array(B*T).fill(1); for (let i = 0; i < B*T; i += 13) mask[i] = 0;
      const ll = new Float32Array(B*T);
      const res = k.mvnMixtureForward(B, T, C, K, diagonal, x, alpha, means, cov, mask, ll, true);
      const dl = rand(B*T);
      for (const useF of [true, false]) {
        const dx = new Float32Array(B*T*C), da = new Float32Array(B*T*K), dm = new Float32Array(K*C), dc = new Float32Array(cov.length);
        k.mvnMixtureBackward(B, T, C, K, diagonal, x, alpha, means, cov, mask, dl, dx, da, dm, dc, useF ? res.factors : null);
        const tag = 'mvn' + (diagonal ? 'd' : 'f') + (useF ? 'c' : '');
        h(tag + '.dx', dx); h(tag + '.da', da); h(tag + '.dm', dm); h(tag + '.dc', dc);
      }
      h('mvn' + (diagonal ? 'd' : 'f') + '.ll', ll);
    }
    // dense
    { const M = 3000, Kk = 64, N = 48; const x = rand(M*Kk), W = rand(Kk*N), b = rand(N), o = new Float32Array(M*N);
      k.denseForward(M, Kk, N, x, W, b, o); const dO = rand(M*N), dx = new Float32Array(M*Kk), dW = new Float32Array(Kk*N), db = new Float32Array(N);
      k.denseBackward(M, Kk, N, x, W, dO, dx, dW, db); h('dense.fwd', o); h('dense.dx', dx); h('dense.dW', dW); h('dense.db', db); }
    // layer norm
    { const M = 3000, F = 64; const x = rand(M*F), g = rand(F), b = rand(F), y = new Float32Array(M*F), mu = new Float32Array(M), rs = new Float32Array(M);
      k.layerNormForward(M, F, 1e-5, x, g, b, y, mu, rs); const dy = rand(M*F), dx = new Float32Array(M*F), dg = new Float32Array(F), db = new Float32Array(F);
      k.layerNormBackward(M, F, x, g, mu, rs, dy, dx, dg, db); h('ln.fwd', y, mu, rs); h('ln.dx', dx); h('ln.dg', dg, db); }
    // adam
    { const n = 5000; const p = rand(n), g = rand(n), m = rand(n, 0.1), v = new Float32Array(n).fill(0.01);
      for (let s = 0; s < 3; s++) k.adamUpdate(n, 1e-3, 0.9, 0.999, 1e-7, 0.5, p, g, m, v); h('adam', p, m, v); }
  return out;
}
const rounds = [];
for (let i = 0; i < Number(roundsArg); i++) rounds.push(once(Number(seedArg)));
process.stdout.write(JSON.stringify({ threads: k.info().threads, isa: k.info().simd, rounds }));
`;

type Fingerprints = Record<string, string>;
type WorkloadResult = { threads: number; isa: string; rounds: Fingerprints[] } | { unsupported: string };

const loaded = loadNativeKernels();
const addonPath = loaded.kernels ? loaded.path : null;
if (!addonPath && process.env.CI)
  throw new Error(`native kernels are required in CI: ${'reason' in loaded ? loaded.reason : ''}`);

function runWorkload(threads: number, isa: string, rounds: number, seed: number): Promise<WorkloadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', WORKLOAD, addonPath!, String(rounds), String(seed)], {
      env: { ...process.env, MODESCOPE_THREADS: String(threads), WORKLOAD_ISA: isa },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`workload (threads ${threads}, ${isa}) exited ${code}: ${stderr}`));
      else resolve(JSON.parse(stdout) as WorkloadResult);
    });
  });
}

/** Outputs whose fingerprint differs from the reference round, each with the rounds that differ. */
function unstableOutputs(reference: Fingerprints, results: { label: string; rounds: Fingerprints[] }[]) {
  const unstable: Record<string, string[]> = {};
  for (const { label, rounds } of results)
    rounds.forEach((round, i) => {
      for (const [name, hash] of Object.entries(reference))
        if (round[name] !== hash) (unstable[name] ??= []).push(`${label} round ${i}`);
    });
  return unstable;
}

describe.skipIf(!addonPath)('native kernels are bit-for-bit deterministic', () => {
  // Competing load: spinning processes, two per core of a small machine, started before any
  // workload and stopped after the last.
  const spinners: ChildProcess[] = [];
  beforeAll(() => {
    for (let i = 0; i < 3; i++)
      spinners.push(
        spawn(process.execPath, ['-e', 'for (;;) Math.sqrt(Math.random());'], { stdio: 'ignore' }),
      );
  });
  afterAll(() => {
    for (const s of spinners) s.kill();
  });

  for (const isa of ['avx2-fma', 'scalar']) {
    it(`${isa}: every round, pool size and schedule gives the same bytes`, async () => {
      const results: { label: string; rounds: Fingerprints[] }[] = [];
      for (const threads of [1, 2, 3, 5, 8]) {
        const result = await runWorkload(threads, isa, 4, 7);
        if ('unsupported' in result) return; // this CPU has no AVX2/FMA
        expect(result.threads).toBe(threads);
        expect(result.isa).toBe(isa);
        results.push({ label: `${threads} threads`, rounds: result.rounds });
      }
      const reference = results[0]!.rounds[0]!;
      // Forward and backward of RNNs (LSTM, GRU, both directions), full and diagonal mixtures (with
      // and without kept factors), dense, layer norm and Adam.
      expect(Object.keys(reference)).toHaveLength(50);
      expect(unstableOutputs(reference, results)).toEqual({});
    }, 240_000);
  }

  it('the fingerprints see every output: other inputs change all of them', async () => {
    const [a, b] = await Promise.all([runWorkload(2, 'scalar', 1, 7), runWorkload(2, 'scalar', 1, 8)]);
    if ('unsupported' in a || 'unsupported' in b) throw new Error('the scalar kernels are always available');
    const first = a.rounds[0]!;
    const other = b.rounds[0]!;
    const unchanged = Object.keys(first).filter((name) => first[name] === other[name]);
    expect(unchanged).toEqual([]);
  }, 120_000);
});
