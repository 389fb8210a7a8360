import type { Annotation, SampleRange } from '../../../src-shared/domain/recording';

/** MNE's rule: an annotation marks a bad span when its description starts with "bad", any case. */
export function isBadAnnotation(annotation: Annotation): boolean {
  return /^bad/i.test(annotation.description);
}

/**
 * Sample ranges a session must treat as missing before looking at values: the reader's gap
 * segments and the spans of BAD annotations (onset rounded down, end rounded up, so a partly
 * covered sample counts as bad), clipped to the recording.
 */
export function missingRanges(
  gapSegments: readonly SampleRange[],
  annotations: readonly Annotation[],
  samplingRate: number,
  nSamples: number,
): SampleRange[] {
  const ranges: SampleRange[] = gapSegments.map((g) => ({ start: g.start, end: g.end }));
  for (const a of annotations) {
    if (!isBadAnnotation(a)) continue;
    const start = Math.max(0, Math.floor(a.onset * samplingRate + 1e-9));
    const end = Math.min(
      nSamples,
      Math.max(start + 1, Math.ceil((a.onset + a.duration) * samplingRate - 1e-9)),
    );
    if (end > start) ranges.push({ start, end });
  }
  return ranges
    .map((r) => ({ start: Math.max(0, r.start), end: Math.min(nSamples, r.end) }))
    .filter((r) => r.end > r.start);
}

/** Sets mask[t - offset] = 1 for every t of `ranges` inside [offset, offset + mask.length). */
export function markRanges(mask: Uint8Array, offset: number, ranges: readonly SampleRange[]): void {
  const end = offset + mask.length;
  for (const r of ranges) {
    const from = Math.max(r.start, offset);
    const to = Math.min(r.end, end);
    if (to > from) mask.fill(1, from - offset, to - offset);
  }
}

/** Runs of 1 in a mask as [start, end) ranges, shifted by `offset`. */
export function maskRuns(mask: Uint8Array, offset = 0): SampleRange[] {
  const runs: SampleRange[] = [];
  let t = 0;
  while (t < mask.length) {
    if (mask[t] === 0) {
      t++;
      continue;
    }
    const start = t;
    while (t < mask.length && mask[t] !== 0) t++;
    runs.push({ start: start + offset, end: t + offset });
  }
  return runs;
}
