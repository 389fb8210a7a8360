/** Deterministic content, so the parent of a crashed child can check exactly what was committed. */
export function committedArrayData(n: number): Float64Array {
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i) * 1000 + i;
  return data;
}
