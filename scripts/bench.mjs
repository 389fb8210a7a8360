// `npm run bench [name…]`: bundles bench/index.ts for Node, then runs each benchmark in its own
// process and passes its JSON lines through. Failures are reported as JSON too, so a broken
// benchmark never hides the others.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './environment.mjs';

const outFile = join(repoRoot, 'out', 'bench', 'index.mjs');
mkdirSync(join(repoRoot, 'out', 'bench'), { recursive: true });
await build({
  entryPoints: [join(repoRoot, 'bench', 'index.ts')],
  outfile: outFile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
// The event-loop lag bench starts real training processes from this entry.
await build({
  entryPoints: [join(repoRoot, 'src-main', 'training', 'trainingProcess.ts')],
  outfile: join(repoRoot, 'out', 'bench', 'trainer.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});

const all = ['engine', 'dynemo_step', 'tde_pca', 'import_read', 'import_project', 'event_loop_lag'];
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : all;
let failed = 0;
for (const name of wanted) {
  const r = spawnSync(process.execPath, ['--expose-gc', outFile, name], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  process.stdout.write(r.stdout ?? '');
  if (r.status !== 0) {
    failed++;
    console.log(JSON.stringify({ bench: name, error: `exited with ${r.status ?? r.signal}` }));
  }
}
process.exit(failed ? 1 : 0);
