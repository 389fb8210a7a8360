import type { CheckpointRecord, NewCheckpoint } from '../store/runRepository';

/**
 * Turns a model's checkpoint state (a JSON-like object holding Float32Arrays: weights, optimiser
 * moments, best-so-far weights) into the store's checkpoint row and back, without knowing the
 * model. Each Float32Array is cut out into a byte blob and replaced by a placeholder naming its
 * slice; the rest stays JSON. Arrays under the `optimizer` key paths (`adam`, `optimizer`) go to
 * the optimiser blob, everything else to the weights blob. Float32 bytes and JSON doubles both
 * round-trip exactly, which the bit-for-bit resume relies on.
 */

interface Slice {
  path: string;
  blob: 'weights' | 'optimizer';
  offset: number;
  length: number;
}

const PLACEHOLDER = '$float32';
const OPTIMIZER_KEYS = new Set(['adam', 'optimizer']);

export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

export interface EncodedCheckpointParts {
  weights: Uint8Array;
  weightsManifest: Slice[];
  optimizerState: Uint8Array;
  optimizerManifest: unknown;
  rngState: unknown;
  trainingState: unknown;
}

export function encodeCheckpointState(state: unknown): EncodedCheckpointParts {
  const slices: Slice[] = [];
  const parts: Record<Slice['blob'], Float32Array[]> = { weights: [], optimizer: [] };
  const lengths: Record<Slice['blob'], number> = { weights: 0, optimizer: 0 };

  const walk = (value: unknown, path: string[]): unknown => {
    if (value instanceof Float32Array) {
      const blob = OPTIMIZER_KEYS.has(path[0] ?? '') ? 'optimizer' : 'weights';
      const slice: Slice = { path: path.join('/'), blob, offset: lengths[blob], length: value.length };
      slices.push(slice);
      parts[blob].push(value);
      lengths[blob] += value.length;
      return { [PLACEHOLDER]: slices.length - 1 };
    }
    if (ArrayBuffer.isView(value)) {
      throw new CheckpointFormatError(
        `checkpoint field ${path.join('/')} is a typed array other than Float32Array`,
      );
    }
    if (Array.isArray(value)) return value.map((v, i) => walk(v, [...path, String(i)]));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = walk(v, [...path, k]);
      return out;
    }
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new CheckpointFormatError(
        `checkpoint field ${path.join('/')} is ${value}, which JSON cannot hold`,
      );
    }
    return value;
  };
  const skeleton = walk(state, []);

  const join = (blob: Slice['blob']) => {
    const all = new Float32Array(lengths[blob]);
    let at = 0;
    for (const p of parts[blob]) {
      all.set(p, at);
      at += p.length;
    }
    return new Uint8Array(all.buffer);
  };
  const rng =
    skeleton !== null && typeof skeleton === 'object' && 'rng' in skeleton
      ? (skeleton as { rng: unknown }).rng
      : null;
  return {
    weights: join('weights'),
    weightsManifest: slices,
    optimizerState: join('optimizer'),
    optimizerManifest: { blob: 'optimizer', slices: slices.filter((s) => s.blob === 'optimizer').length },
    rngState: rng,
    trainingState: skeleton,
  };
}

/** The store row for one epoch's checkpoint. */
export function checkpointRow(epoch: number, state: unknown, extra: Record<string, unknown>): NewCheckpoint {
  const parts = encodeCheckpointState(state);
  return {
    epoch,
    weights: parts.weights,
    weightsManifest: parts.weightsManifest,
    optimizerState: parts.optimizerState,
    optimizerManifest: parts.optimizerManifest,
    rngState: parts.rngState,
    trainingState: { ...extra, state: parts.trainingState },
  };
}

function floatView(bytes: Uint8Array | null, what: string): Float32Array {
  if (bytes === null) return new Float32Array(0);
  if (bytes.byteLength % 4 !== 0) throw new CheckpointFormatError(`${what} blob is not whole float32 values`);
  // Copy: the store's buffer may be shared or unaligned.
  const copy = new Uint8Array(bytes.byteLength);
  copy.set(bytes);
  return new Float32Array(copy.buffer);
}

/** The model state stored by `checkpointRow`, and the extra fields stored beside it. */
export function decodeCheckpoint(row: CheckpointRecord): { state: unknown; extra: Record<string, unknown> } {
  const manifest = row.weightsManifest as Slice[];
  const training = row.trainingState as ({ state: unknown } & Record<string, unknown>) | null;
  if (
    !Array.isArray(manifest) ||
    training === null ||
    typeof training !== 'object' ||
    !('state' in training)
  ) {
    throw new CheckpointFormatError(`checkpoint of epoch ${row.epoch} is not in the training-process format`);
  }
  const blobs = {
    weights: floatView(row.weights, 'weights'),
    optimizer: floatView(row.optimizerState, 'optimizer'),
  };
  const revive = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(revive);
    if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      if (keys.length === 1 && keys[0] === PLACEHOLDER) {
        const slice = manifest[(value as Record<string, number>)[PLACEHOLDER]!];
        if (!slice) throw new CheckpointFormatError('checkpoint names an array its manifest does not list');
        const source = blobs[slice.blob];
        if (slice.offset + slice.length > source.length)
          throw new CheckpointFormatError(`checkpoint array ${slice.path} runs past its blob`);
        return source.slice(slice.offset, slice.offset + slice.length);
      }
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = revive(v);
      return out;
    }
    return value;
  };
  const { state, ...extra } = training;
  return { state: revive(state), extra };
}
