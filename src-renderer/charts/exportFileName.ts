/** A file name safe on every platform, from a chart title. */
export function exportFileName(base: string, extension: 'png' | 'svg'): string {
  const stem = base.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'chart';
  return `${stem}.${extension}`;
}
