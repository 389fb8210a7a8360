/** The element types the fused ops accept: float32 for training, float64 for gradient checks. */
export type FloatArray = Float32Array | Float64Array;

/** A zero-filled array of the same precision as `like`. */
export function allocLike<A extends FloatArray>(like: A, length: number): A {
  return (like instanceof Float64Array ? new Float64Array(length) : new Float32Array(length)) as A;
}

export function requireLength(name: string, array: ArrayLike<number>, expected: number, shape: string): void {
  if (array.length !== expected) {
    throw new ShapeError(`${name} has ${array.length} elements, expected ${expected} for shape ${shape}`);
  }
}

export function requirePositiveInteger(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ShapeError(`${name} must be a positive integer, got ${value}`);
  }
}

/** An argument whose size does not match the declared shape. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShapeError';
  }
}
