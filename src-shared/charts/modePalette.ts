/**
 * Mode colours: Tableau 10, chosen for distinguishability under common colour-vision deficiencies
 * and on white. Shared by the renderer's charts and the exported report, so mode k has the same
 * colour on screen and in a report.
 */
export const modePalette = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
] as const;

export function modeColor(k: number): string {
  const n = modePalette.length;
  return modePalette[((k % n) + n) % n]!;
}
