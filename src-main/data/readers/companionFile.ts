import path from 'node:path';

/**
 * Where a companion file named inside a header (.eeg, .vmrk, .fdt) is: always next to the header.
 * Headers written on another machine may carry a Windows or absolute path; only the base name
 * counts, which also keeps a crafted header from pointing the reader anywhere else on disk.
 */
export function companionPath(headerPath: string, named: string): string {
  const base = named.trim().split(/[\\/]/).pop() ?? '';
  return path.join(path.dirname(headerPath), base);
}
