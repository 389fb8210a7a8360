/**
 * One full DyNeMo training step (forward, backward, Adam) at the benchmark size:
 * C = 80 channels, K = 8 modes, T = 200, B = 32, 64-unit LSTMs, full covariances, layer norm.
 * Reports the minimum and median over repeats (the machine is shared), a split of where the time
 * goes (forward alone, forward + backward, Adam, and the fused ops alone at the model's shapes), the
 * number of tfjs kernels one step launches, and the process's peak RSS. MODESCOPE_BENCH_REPEATS
 * sets the repeats (default 5).
 */
import * as tf from '@tensorflow/tfjs';
import { initEngineBackend } from '../src-main/engine/backend';
import { DynemoModel } from '../src-main/engine/models/dynemo/model';
import { Adam } from '../src-main/engine/training/adam';
import { SeededRandom } from '../src-main/numerics/random';
import { parseDynemoConfig } from '../src-shared/models/dynemo';
import { bidirectionalRnnSequence } from '../src-main/engine/ops/bidirectionalRnn';
import { mvnMixtureLogLik } from '../src-main/engine/ops/mvnMixtureLogLik';
import { rnnSequence } from '../src-main/engine/ops/rnnSequence';
import { layerNormalization } from '../src-main/engine/ops/layerNorm';
import { dense } from '../src-main/engine/ops/dense';
import { dynemoPeer } from './engine';

const round = (v: number): number => Math.round(v * 10) / 10;

function timeMs(run: () => void, warmup: number, repeats: number): { min: number; median: number } {
  for (let i = 0; i < warmup; i++) run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    run();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { min: round(times[0]!), median: round(times[Math.floor(times.length / 2)]!) };
}

const defaultRepeats = (): number => {
  const n = Number(process.env.MODESCOPE_BENCH_REPEATS ?? 5);
  return Number.isInteger(n) && n > 0 ? n : 5;
};

export async function benchDynemoStep(repeats = defaultRepeats()): Promise<object[]> {
  const info = await initEngineBackend();
  const [B, T, C, K, H] = [32, 200, 80, 8, 64];
  const config = parseDynemoConfig({
    n_modes: K,
    n_channels: C,
    sequence_length: T,
    inference_n_units: H,
    model_n_units: H,
    batch_size: B,
    seed: 1,
  });
  const rng = new SeededRandom(1);
  const model = new DynemoModel(config);
  model.initialise(rng);
  const adam = new Adam(model.trainable);
  const data = new Float32Array(B * T * C);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  const x = tf.tensor3d(data, [B, T, C]);
  const variables = [...model.trainable.values()];

  let loss = NaN;
  const forward = timeMs(
    () => {
      loss = tf.tidy(() => model.lossTerms(x, { training: true, rng, klFactor: 1 }).loss.dataSync()[0]!);
    },
    1,
    repeats,
  );
  let grads: tf.NamedTensorMap = {};
  const forwardBackward = timeMs(
    () => {
      tf.dispose(grads);
      const r = tf.variableGrads(
        () => model.lossTerms(x, { training: true, rng, klFactor: 1 }).loss,
        variables,
      );
      r.value.dispose();
      for (const g of Object.values(r.grads)) g.dataSync();
      grads = r.grads;
    },
    1,
    repeats,
  );
  const named: Record<string, tf.Tensor> = {};
  for (const [name, v] of model.trainable) named[name] = grads[v.name]!;
  const adamStep = timeMs(
    () => {
      adam.apply(named, 1e-6, null);
      variables[0]!.dataSync();
    },
    1,
    repeats,
  );
  const trainStep = () => {
    const r = tf.variableGrads(
      () => model.lossTerms(x, { training: true, rng, klFactor: 1 }).loss,
      variables,
    );
    loss = r.value.dataSync()[0]!;
    const byName: Record<string, tf.Tensor> = {};
    for (const [name, v] of model.trainable) byName[name] = r.grads[v.name]!;
    adam.apply(byName, 1e-3, null);
    tf.dispose([r.value, ...Object.values(r.grads)]);
    variables[0]!.dataSync();
  };
  const step = timeMs(trainStep, 1, repeats);
  const kernelsPerStep = (await tf.profile(trainStep)).kernels.length;
  // Where the time goes: the fused parts alone (forward + backward) at the same shapes.
  const w = (name: string) => model.variables.get(name)! as tf.Tensor as tf.Tensor2D;
  const rnn = (d: string) => ({
    kernel: w(`inf_rnn/0/${d}/kernel`),
    recurrentKernel: w(`inf_rnn/0/${d}/recurrent_kernel`),
    bias: w(`inf_rnn/0/${d}/bias`) as tf.Tensor,
  });
  const biRnn = timeMs(
    () =>
      tf.tidy(() => {
        const fw = rnn('forward');
        const g = tf.grads((k: tf.Tensor) =>
          bidirectionalRnnSequence(x, { ...fw, kernel: k as tf.Tensor2D }, rnn('backward'), 'lstm', {
            inputGradient: false,
          }).sum(),
        )([fw.kernel]);
        g[0]!.dataSync();
      }),
    1,
    repeats,
  );
  const alpha = tf.softmax(tf.randomNormal([B, T, K], 0, 1, 'float32', 2)) as tf.Tensor3D;
  const mvn = timeMs(
    () =>
      tf.tidy(() => {
        const g = tf.grads((a: tf.Tensor, d: tf.Tensor) => mvnMixtureLogLik(x, a as tf.Tensor3D, d).sum())([
          alpha,
          model.covarianceTensor(),
        ]);
        g.forEach((t) => t.dataSync());
      }),
    1,
    repeats,
  );
  // The model RNN with its layer norm and both dense heads (forward + backward), as in the prior.
  const theta = tf.randomNormal([B, T, K], 0, 1, 'float32', 3) as tf.Tensor3D;
  const modelRnn = timeMs(
    () =>
      tf.tidy(() => {
        const r = tf.grads((k: tf.Tensor) => {
          const h = rnnSequence(
            theta,
            {
              kernel: k as tf.Tensor2D,
              recurrentKernel: w('mod_rnn/0/recurrent_kernel'),
              bias: w('mod_rnn/0/bias'),
            },
            { cell: 'lstm' },
          );
          const n = layerNormalization(
            h,
            w('mod_rnn/0/norm/gamma') as tf.Tensor as tf.Tensor1D,
            w('mod_rnn/0/norm/beta') as tf.Tensor as tf.Tensor1D,
            1e-3,
          );
          const mu = dense(n, w('mod_mu/kernel'), w('mod_mu/bias') as tf.Tensor as tf.Tensor1D);
          const sd = dense(n, w('mod_sigma/kernel'), w('mod_sigma/bias') as tf.Tensor as tf.Tensor1D);
          return mu.add(tf.softplus(sd)).sum();
        })([w('mod_rnn/0/kernel')]);
        r[0]!.dataSync();
      }),
    1,
    repeats,
  );
  theta.dispose();
  alpha.dispose();
  tf.dispose(grads);
  x.dispose();
  adam.dispose();
  model.dispose();
  const ours = {
    bench: 'dynemo_train_step',
    shape: { batch: B, seq: T, channels: C, modes: K, units: H },
    ms_min: step.min,
    ms_median: step.median,
    forward_ms_min: forward.min,
    forward_backward_ms_min: forwardBackward.min,
    adam_ms_min: adamStep.min,
    inference_birnn_fwd_bwd_ms_min: biRnn.min,
    mvn_loglik_fwd_bwd_ms_min: mvn.min,
    model_rnn_norm_heads_fwd_bwd_ms_min: modelRnn.min,
    // The rest of forward + backward: inference norm and heads, covariances, softmax, KL, tape.
    other_ms_min: round(forwardBackward.min - biRnn.min - mvn.min - modelRnn.min),
    kernels_per_step: kernelsPerStep,
    repeats,
    loss,
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    backend: info.backend,
    kernel_path: info.kernelPath,
    simd: info.simd,
    threads: info.threads,
    target_ms: 150,
  };
  return [ours, dynemoPeer(ours.ms_min)];
}

const invokedDirectly = process.argv[1] !== undefined && /dynemo\.(ts|m?js)$/.test(process.argv[1]);
if (invokedDirectly) for (const record of await benchDynemoStep()) console.log(JSON.stringify(record));
