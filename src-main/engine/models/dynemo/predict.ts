import * as tf from '@tensorflow/tfjs';
import type { Segment, SessionInput } from '../../training/sequences';
import type { DynemoModel } from './model';

/**
 * α, θ mean and θ std for every sample of every session, with sequence edge effects removed the
 * way osl-dynamics' get_alpha(remove_edge_effects=True) does: windows of sequence_length with 50%
 * overlap, each sample taken from the window in which it sits nearest the centre (for regular
 * windows: the central half, the first window's start and the last window's end). Unlike
 * osl-dynamics, which drops the samples after the last whole window, a final window aligned to
 * the segment's end covers them; a gap-free segment shorter than a sequence is one short window.
 * Samples in gaps are NaN.
 */
export interface SessionInference {
  /** [T × K] */
  alpha: Float32Array;
  thetaMean: Float32Array;
  thetaStd: Float32Array;
}

export interface Window {
  session: number;
  start: number;
  length: number;
}

/** Window starts for one segment: every length/2 samples, plus one ending at the segment's end. */
export function predictionWindows(segment: Segment, length: number): Window[] {
  const n = segment.end - segment.start;
  if (n <= length) return [{ session: segment.session, start: segment.start, length: n }];
  const step = Math.max(1, Math.floor(length / 2));
  const out: Window[] = [];
  let s = 0;
  for (; s + length <= n; s += step) out.push({ session: segment.session, start: segment.start + s, length });
  const last = out[out.length - 1]!;
  if (last.start + length < segment.end)
    out.push({ session: segment.session, start: segment.end - length, length });
  return out;
}

export function inferSessions(
  model: DynemoModel,
  sessions: readonly SessionInput[],
  segments: readonly Segment[],
  batchSize: number,
): SessionInference[] {
  const K = model.config.n_modes;
  const L = model.config.sequence_length;
  const results: SessionInference[] = sessions.map((s) => ({
    alpha: new Float32Array(s.nSamples * K).fill(NaN),
    thetaMean: new Float32Array(s.nSamples * K).fill(NaN),
    thetaStd: new Float32Array(s.nSamples * K).fill(NaN),
  }));
  // Distance of the sample to the centre of the window it was taken from (smaller wins).
  const taken = sessions.map((s) => new Float64Array(s.nSamples).fill(Infinity));

  const windows = segments.flatMap((seg) => predictionWindows(seg, L));
  // Windows of one length go through the network together.
  const byLength = new Map<number, Window[]>();
  for (const w of windows) byLength.set(w.length, [...(byLength.get(w.length) ?? []), w]);
  for (const [length, group] of byLength) {
    for (let i = 0; i < group.length; i += batchSize) {
      const batch = group.slice(i, i + batchSize);
      const C = sessions[0]!.nChannels;
      const x = new Float32Array(batch.length * length * C);
      batch.forEach((w, b) =>
        x.set(sessions[w.session]!.data.subarray(w.start * C, (w.start + length) * C), b * length * C),
      );
      const xt = tf.tensor3d(x, [batch.length, length, C]);
      const out = model.infer(xt);
      const [alpha, mean, std] = [out.alpha, out.thetaMean, out.thetaStd].map(
        (t) => t.dataSync() as Float32Array,
      );
      tf.dispose([xt, out.alpha, out.thetaMean, out.thetaStd]);
      batch.forEach((w, b) => {
        const centre = w.start + (length - 1) / 2;
        const r = results[w.session]!;
        const best = taken[w.session]!;
        for (let t = 0; t < length; t++) {
          const at = w.start + t;
          const d = Math.abs(at - centre);
          if (d >= best[at]!) continue;
          best[at] = d;
          const src = (b * length + t) * K;
          r.alpha.set(alpha!.subarray(src, src + K), at * K);
          r.thetaMean.set(mean!.subarray(src, src + K), at * K);
          r.thetaStd.set(std!.subarray(src, src + K), at * K);
        }
      });
    }
  }
  return results;
}
