/**
 * The assignment problem: a permutation p of 0..n−1 minimising Σ_i cost[i][p(i)], by the
 * Hungarian algorithm in its O(n³) shortest-augmenting-path form with row and column potentials
 * (Kuhn–Munkres with the Jonker–Volgenant / Edmonds–Karp refinement): rows are added one at a
 * time, and each is matched by a Dijkstra-like search over reduced costs that stay non-negative
 * thanks to the potentials.
 */
import { AnalysisInputError } from './errors';

/** `cost` is n × n row-major; returns assignment[i] = the column given to row i. */
export function minimumCostAssignment(cost: ArrayLike<number>, n: number): Int32Array {
  if (!Number.isInteger(n) || n < 1) {
    throw new AnalysisInputError('n', `must be a positive integer, got ${n}`);
  }
  if (cost.length !== n * n) {
    throw new AnalysisInputError('cost', `expected ${n * n} entries for ${n}×${n}, got ${cost.length}`);
  }
  for (let i = 0; i < cost.length; i++) {
    if (!Number.isFinite(cost[i]!)) {
      throw new AnalysisInputError('cost', `entry (${Math.floor(i / n)}, ${i % n}) is ${cost[i]}`);
    }
  }
  // 1-based internally; column 0 is a virtual column holding the row being inserted.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const rowOfColumn = new Int32Array(n + 1);
  const way = new Int32Array(n + 1);
  const minSlack = new Float64Array(n + 1);
  const used = new Uint8Array(n + 1);
  for (let row = 1; row <= n; row++) {
    rowOfColumn[0] = row;
    let column = 0;
    minSlack.fill(Infinity);
    used.fill(0);
    do {
      used[column] = 1;
      const i = rowOfColumn[column]!;
      let delta = Infinity;
      let next = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const reduced = cost[(i - 1) * n + (j - 1)]! - u[i]! - v[j]!;
        if (reduced < minSlack[j]!) {
          minSlack[j] = reduced;
          way[j] = column;
        }
        if (minSlack[j]! < delta) {
          delta = minSlack[j]!;
          next = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[rowOfColumn[j]!] = u[rowOfColumn[j]!]! + delta;
          v[j] = v[j]! - delta;
        } else {
          minSlack[j] = minSlack[j]! - delta;
        }
      }
      column = next;
    } while (rowOfColumn[column] !== 0);
    // Augment along the alternating path back to the virtual column.
    do {
      const previous = way[column]!;
      rowOfColumn[column] = rowOfColumn[previous]!;
      column = previous;
    } while (column !== 0);
  }
  const assignment = new Int32Array(n);
  for (let j = 1; j <= n; j++) assignment[rowOfColumn[j]! - 1] = j - 1;
  return assignment;
}
