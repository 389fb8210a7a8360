import * as tf from '@tensorflow/tfjs';

/**
 * A tensor's float32 values for the fused ops' kernels, read once per tensor: on the wasm backend
 * every dataSync copies out of the wasm heap, and one tensor often feeds several fused ops (the data
 * feeds the inference RNN and the likelihood; a normalised RNN output feeds both dense heads).
 * Keyed by the tensor's data id, which tfjs never reuses (Variable.assign gives a variable a new
 * one; identity and reshape share it), so a cached copy cannot go stale. Callers must treat the
 * array as read-only, as they must any dataSync result (on the cpu backend it is the storage).
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

/**
 * A tensor made from a fused op's output, remembering the array it came from so that the next
 * fused op reading it (e.g. the layer norm after an RNN) skips the copy back out of the wasm heap.
 * The caller hands `values` over: it must not change them afterwards.
 */
export function tensorFromValues(values: Float32Array, shape: readonly number[]): tf.Tensor {
  const t = tf.tensor(values, [...shape], 'float32');
  cache.set(t.dataId as object, values);
  return t;
}
