/**
 * Numbers as CSV text: independent of locale (always '.', never grouping), exact on the way back.
 * A float64 is written as JavaScript's shortest round-trip form. A float32 gets the first of 7, 8
 * or 9 significant digits that reads back to the same float32 (9 always does), trailing zeros
 * dropped, so 0.1f is "0.1" rather than "0.10000000149011612"; trying from 7 up keeps this to about
 * two conversions per value, which matters for α time courses of millions of values.
 * Non-finite values use the spellings numpy, pandas and MATLAB all read.
 */

/** "0.5000000" → "0.5", "1.2000000e-7" → "1.2e-7", "120.0000" → "120". */
function withoutTrailingZeros(text: string): string {
  const e = text.indexOf('e');
  const mantissa = e < 0 ? text : text.slice(0, e);
  if (!mantissa.includes('.')) return text;
  let end = mantissa.length;
  while (mantissa.charCodeAt(end - 1) === 48) end--; // '0'
  if (mantissa.charCodeAt(end - 1) === 46) end--; // '.'
  return mantissa.slice(0, end) + (e < 0 ? '' : text.slice(e));
}

export function formatCsvNumber(value: number, float32 = false): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Inf';
  if (value === -Infinity) return '-Inf';
  if (!float32 || value === 0) return String(value);
  for (let digits = 7; digits < 9; digits++) {
    const text = value.toPrecision(digits);
    if (Math.fround(Number(text)) === value) return withoutTrailingZeros(text);
  }
  return withoutTrailingZeros(value.toPrecision(9));
}
