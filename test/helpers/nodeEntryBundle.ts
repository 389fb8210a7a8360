import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Bundles one of the app's Node entries (training process, worker threads) into a single ESM
 * file, as the app's build does, for tests that start it as a child or a worker. The file goes
 * under node_modules/.cache so that its external packages (tfjs, better-sqlite3) resolve from the
 * repository; the name is unique per call, so parallel test files never share one. The caller
 * removes it.
 */
export async function bundleNodeEntry(entryFromRepoRoot: string): Promise<string> {
  const dir = path.join(repoRoot, 'node_modules', '.cache', 'modescope-tests');
  mkdirSync(dir, { recursive: true });
  const name = path.basename(entryFromRepoRoot, path.extname(entryFromRepoRoot));
  const outfile = path.join(dir, `${name}-${process.pid}-${randomUUID().slice(0, 8)}.mjs`);
  await build({
    entryPoints: [path.join(repoRoot, entryFromRepoRoot)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
