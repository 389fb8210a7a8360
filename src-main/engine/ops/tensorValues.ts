import type * as tf from '@tensorflow/tfjs';

/**
 * A tensor's float32 values for the fused ops' kernels, read once per tensor: on the wasm backend
 * every dataSync copies out of the wasm heap, and one tensor often feeds several fused ops (the data
 * feeds the inference RNN and the likelihood; a normalised RNN output feeds both dense heads).
 * Keyed by the tensor's data id, which tfjs never reuses (Variable.assign gives a variable a new
 * one), so a cached copy cannot go stale. Callers must treat the array as read-only, as they must
 * any dataSync result (on the cpu backend it is the tensor's own storage).
 */
const cache = new WeakMap<object, Float32Array>();

export function float32Values(t: tf.Tensor): Float32Array {
  const key = t.dataId as object;
  let values = cache.get(key);
  if (!values) {
    values = t.dataSync() as Float32Array;
    cache.set(key, values);
  }
  return values;
}
