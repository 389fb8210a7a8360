/**
 * Numbers as CSV text: independent of locale (always '.', never grouping), exact on the way back.
 * A float64 is written as JavaScript's shortest round-trip form; a float32 as the shortest decimal
 * (7 to 9 significant digits) that reads back to the same float32, so 0.1f is "0.1", not
 * "0.10000000149011612". Non-finite values use the spellings numpy, pandas and MATLAB all read.
 */
export function formatCsvNumber(value: number, float32 = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  if (!float32 || value === 0) return String(value);
  for (let digits = 6; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return String(Number(text));
  }
  return String(Number(value.toPrecision(9)));
}
