import { allocLike, requireLength, requirePositiveInteger, ShapeError, type FloatArray } from './floatArrays';

/**
 * Plain TypeScript LSTM/GRU over a whole sequence: the fallback when the native kernels are absent
 * and the oracle the native kernels are tested against. Gate layouts follow Keras so that weights
 * move between the two unchanged:
 * - LSTM: gates i, f, c, o; kernel [I, 4H], recurrent kernel [H, 4H], bias [4H].
 * - GRU (reset_after = true): gates z, r, h; kernel [I, 3H], recurrent kernel [H, 3H],
 *   bias [2, 3H] (input bias, then recurrent bias).
 * A reverse RNN walks t = T-1 … 0 but stores each hidden state at its own time index.
 */
export type RnnCell = 'lstm' | 'gru';

export interface RnnShape {
  cell: RnnCell;
  batch: number;
  steps: number;
  inputSize: number;
  units: number;
  reverse: boolean;
}

export interface RnnParams<A extends FloatArray> {
  /** [B, T, I] */
  x: A;
  kernel: A;
  recurrentKernel: A;
  bias: A;
  /** [B, H]; zeros when absent. */
  initialH?: A | undefined;
  /** [B, H], LSTM only; zeros when absent. */
  initialC?: A | undefined;
}

export interface RnnForwardResult<A extends FloatArray> {
  /** [B, T, H] */
  hidden: A;
  /**
   * What the backward pass needs, [B, T, 5H]: LSTM stores activated gates i, f, c̃, o then the cell
   * state; GRU stores z, r, h̃ then the recurrent candidate pre-activation (h U_h + b_rh).
   */
  tape: A;
}

export interface RnnGradients<A extends FloatArray> {
  dx: A;
  dKernel: A;
  dRecurrentKernel: A;
  dBias: A;
  dInitialH: A;
  /** Zero-length for GRU. */
  dInitialC: A;
}

export function gateCount(cell: RnnCell): number {
  return cell === 'lstm' ? 4 : 3;
}

export function biasLength(cell: RnnCell, units: number): number {
  return cell === 'lstm' ? 4 * units : 6 * units;
}

/** Floats per (batch, time) entry of the tape; the same for both cells so the layouts can share code. */
export function tapeWidth(units: number): number {
  return 5 * units;
}

export function validateRnn<A extends FloatArray>(shape: RnnShape, p: RnnParams<A>): void {
  const { cell, batch: B, steps: T, inputSize: I, units: H } = shape;
  if (cell !== 'lstm' && cell !== 'gru') throw new ShapeError(`unknown RNN cell '${String(cell)}'`);
  requirePositiveInteger('batch', B);
  requirePositiveInteger('steps', T);
  requirePositiveInteger('inputSize', I);
  requirePositiveInteger('units', H);
  const G = gateCount(cell);
  requireLength('x', p.x, B * T * I, `[${B}, ${T}, ${I}]`);
  requireLength('kernel', p.kernel, I * G * H, `[${I}, ${G * H}]`);
  requireLength('recurrentKernel', p.recurrentKernel, H * G * H, `[${H}, ${G * H}]`);
  requireLength('bias', p.bias, biasLength(cell, H), cell === 'lstm' ? `[${4 * H}]` : `[2, ${3 * H}]`);
  if (p.initialH) requireLength('initialH', p.initialH, B * H, `[${B}, ${H}]`);
  if (p.initialC) {
    if (cell !== 'lstm') throw new ShapeError('initialC is only meaningful for an LSTM');
    requireLength('initialC', p.initialC, B * H, `[${B}, ${H}]`);
  }
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function timeAt(shape: RnnShape, step: number): number {
  return shape.reverse ? shape.steps - 1 - step : step;
}

export function rnnForwardReference<A extends FloatArray>(
  shape: RnnShape,
  p: RnnParams<A>,
): RnnForwardResult<A> {
  validateRnn(shape, p);
  const { cell, batch: B, steps: T, inputSize: I, units: H } = shape;
  const G = gateCount(cell);
  const W = 5 * H;
  const hidden = allocLike(p.x, B * T * H);
  const tape = allocLike(p.x, B * T * W);
  const z = new Float64Array(G * H);
  const hz = new Float64Array(G * H);
  const h = new Float64Array(H);
  const c = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    for (let j = 0; j < H; j++) {
      h[j] = p.initialH ? p.initialH[b * H + j]! : 0;
      c[j] = p.initialC ? p.initialC[b * H + j]! : 0;
    }
    for (let step = 0; step < T; step++) {
      const t = timeAt(shape, step);
      const xo = (b * T + t) * I;
      for (let g = 0; g < G * H; g++) {
        let s = p.bias[g]!;
        for (let i = 0; i < I; i++) s += p.x[xo + i]! * p.kernel[i * G * H + g]!;
        z[g] = s;
        let r = cell === 'gru' ? p.bias[G * H + g]! : 0;
        for (let i = 0; i < H; i++) r += h[i]! * p.recurrentKernel[i * G * H + g]!;
        hz[g] = r;
      }
      const to = (b * T + t) * W;
      const ho = (b * T + t) * H;
      for (let j = 0; j < H; j++) {
        if (cell === 'lstm') {
          const ig = sigmoid(z[j]! + hz[j]!);
          const fg = sigmoid(z[H + j]! + hz[H + j]!);
          const cg = Math.tanh(z[2 * H + j]! + hz[2 * H + j]!);
          const og = sigmoid(z[3 * H + j]! + hz[3 * H + j]!);
          c[j] = fg * c[j]! + ig * cg;
          h[j] = og * Math.tanh(c[j]!);
          tape[to + j] = ig;
          tape[to + H + j] = fg;
          tape[to + 2 * H + j] = cg;
          tape[to + 3 * H + j] = og;
          tape[to + 4 * H + j] = c[j]!;
        } else {
          const zg = sigmoid(z[j]! + hz[j]!);
          const rg = sigmoid(z[H + j]! + hz[H + j]!);
          const hh = Math.tanh(z[2 * H + j]! + rg * hz[2 * H + j]!);
          tape[to + j] = zg;
          tape[to + H + j] = rg;
          tape[to + 2 * H + j] = hh;
          tape[to + 3 * H + j] = hz[2 * H + j]!;
          h[j] = zg * h[j]! + (1 - zg) * hh;
        }
        hidden[ho + j] = h[j]!;
      }
    }
  }
  return { hidden, tape };
}

/**
 * Gradients of Σ dHidden · hidden with respect to every input. `tape` and `hidden` are the forward
 * results for the same parameters.
 */
export function rnnBackwardReference<A extends FloatArray>(
  shape: RnnShape,
  p: RnnParams<A>,
  forward: RnnForwardResult<A>,
  dHidden: A,
): RnnGradients<A> {
  validateRnn(shape, p);
  const { cell, batch: B, steps: T, inputSize: I, units: H } = shape;
  requireLength('dHidden', dHidden, B * T * H, `[${B}, ${T}, ${H}]`);
  const G = gateCount(cell);
  const GH = G * H;
  const W = 5 * H;
  const { hidden, tape } = forward;
  const dx = allocLike(p.x, B * T * I);
  const dKernel = allocLike(p.x, I * GH);
  const dRecurrentKernel = allocLike(p.x, H * GH);
  const dBias = allocLike(p.x, biasLength(cell, H));
  const dInitialH = allocLike(p.x, B * H);
  const dInitialC = allocLike(p.x, cell === 'lstm' ? B * H : 0);
  const dh = new Float64Array(H);
  const dc = new Float64Array(H);
  const dIn = new Float64Array(GH); // gradient of the input pre-activations
  const dRec = new Float64Array(GH); // gradient of the recurrent pre-activations
  const hPrev = new Float64Array(H);
  const cPrev = new Float64Array(H);
  for (let b = 0; b < B; b++) {
    dh.fill(0);
    dc.fill(0);
    for (let step = T - 1; step >= 0; step--) {
      const t = timeAt(shape, step);
      const to = (b * T + t) * W;
      if (step > 0) {
        const tp = timeAt(shape, step - 1);
        for (let j = 0; j < H; j++) {
          hPrev[j] = hidden[(b * T + tp) * H + j]!;
          cPrev[j] = cell === 'lstm' ? tape[(b * T + tp) * W + 4 * H + j]! : 0;
        }
      } else {
        for (let j = 0; j < H; j++) {
          hPrev[j] = p.initialH ? p.initialH[b * H + j]! : 0;
          cPrev[j] = p.initialC ? p.initialC[b * H + j]! : 0;
        }
      }
      for (let j = 0; j < H; j++) {
        const dhj = dh[j]! + dHidden[(b * T + t) * H + j]!;
        if (cell === 'lstm') {
          const ig = tape[to + j]!;
          const fg = tape[to + H + j]!;
          const cg = tape[to + 2 * H + j]!;
          const og = tape[to + 3 * H + j]!;
          const tc = Math.tanh(tape[to + 4 * H + j]!);
          const dcj = dc[j]! + dhj * og * (1 - tc * tc);
          dIn[j] = dcj * cg * ig * (1 - ig);
          dIn[H + j] = dcj * cPrev[j]! * fg * (1 - fg);
          dIn[2 * H + j] = dcj * ig * (1 - cg * cg);
          dIn[3 * H + j] = dhj * tc * og * (1 - og);
          dc[j] = dcj * fg;
          dh[j] = 0;
        } else {
          const zg = tape[to + j]!;
          const rg = tape[to + H + j]!;
          const hh = tape[to + 2 * H + j]!;
          const hzh = tape[to + 3 * H + j]!;
          const aH = dhj * (1 - zg) * (1 - hh * hh);
          const aZ = dhj * (hPrev[j]! - hh) * zg * (1 - zg);
          const aR = aH * hzh * rg * (1 - rg);
          dIn[j] = aZ;
          dIn[H + j] = aR;
          dIn[2 * H + j] = aH;
          dRec[j] = aZ;
          dRec[H + j] = aR;
          dRec[2 * H + j] = aH * rg;
          dh[j] = dhj * zg;
        }
      }
      const rec = cell === 'lstm' ? dIn : dRec;
      const xo = (b * T + t) * I;
      for (let i = 0; i < I; i++) {
        const xi = p.x[xo + i]!;
        let s = 0;
        for (let g = 0; g < GH; g++) {
          dKernel[i * GH + g] = dKernel[i * GH + g]! + xi * dIn[g]!;
          s += dIn[g]! * p.kernel[i * GH + g]!;
        }
        dx[xo + i] = s;
      }
      for (let i = 0; i < H; i++) {
        const hi = hPrev[i]!;
        let s = 0;
        for (let g = 0; g < GH; g++) {
          dRecurrentKernel[i * GH + g] = dRecurrentKernel[i * GH + g]! + hi * rec[g]!;
          s += rec[g]! * p.recurrentKernel[i * GH + g]!;
        }
        dh[i] = dh[i]! + s;
      }
      for (let g = 0; g < GH; g++) {
        dBias[g] = dBias[g]! + dIn[g]!;
        if (cell === 'gru') dBias[GH + g] = dBias[GH + g]! + dRec[g]!;
      }
    }
    for (let j = 0; j < H; j++) {
      dInitialH[b * H + j] = dh[j]!;
      if (cell === 'lstm') dInitialC[b * H + j] = dc[j]!;
    }
  }
  return { dx, dKernel, dRecurrentKernel, dBias, dInitialH, dInitialC };
}
