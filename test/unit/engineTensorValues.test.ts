import * as tf from '@tensorflow/tfjs';
import { describe, expect, it, vi } from 'vitest';
import { float32Values, tensorFromValues } from '../../src-main/engine/ops/tensorValues';

describe('float32Values', () => {
  it('reads a tensor once and never serves stale values after a variable is assigned', async () => {
    await tf.setBackend('cpu');
    const t = tf.tensor1d([1, 2, 3]);
    const read = vi.spyOn(t, 'dataSync');
    const a = float32Values(t);
    expect(float32Values(t)).toBe(a);
    expect(read).toHaveBeenCalledTimes(1);
    // Another tensor object over the same data (a reshape) shares the read too.
    expect(Array.from(float32Values(t.reshape([3, 1])))).toEqual([1, 2, 3]);
    const v = tf.variable(tf.tensor1d([4, 5]));
    expect(Array.from(float32Values(v))).toEqual([4, 5]);
    v.assign(tf.tensor1d([6, 7]));
    expect(Array.from(float32Values(v))).toEqual([6, 7]);
    read.mockRestore();
  });

  it('a tensor made from an op output hands the same array to the next op without reading back', async () => {
    await tf.setBackend('cpu');
    const values = Float32Array.of(1, 2, 3, 4);
    const t = tensorFromValues(values, [2, 2]);
    expect(t.shape).toEqual([2, 2]);
    const read = vi.spyOn(t, 'dataSync');
    expect(float32Values(t)).toBe(values);
    expect(read).not.toHaveBeenCalled();
    expect(Array.from(t.add(1).dataSync())).toEqual([2, 3, 4, 5]);
  });
});
