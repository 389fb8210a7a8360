/**
 * Reuses large Float32Arrays between training steps. Fresh multi-megabyte typed arrays cost a page
 * fault per 4 KiB on first touch, which at the benchmark sizes is milliseconds per step; buffers
 * returned here after a backward pass are handed out again by the next forward pass.
 */
const MAX_PER_LENGTH = 4;
const free = new Map<number, Float32Array[]>();

/** A buffer of exactly `length` elements; contents undefined (callers overwrite it). */
export function takeBuffer(length: number): Float32Array {
  const list = free.get(length);
  return list?.pop() ?? new Float32Array(length);
}

/** Gives a buffer back; the caller must not use it afterwards. */
export function returnBuffer(buffer: Float32Array): void {
  const list = free.get(buffer.length) ?? [];
  if (list.length < MAX_PER_LENGTH && !list.includes(buffer)) list.push(buffer);
  free.set(buffer.length, list);
}
