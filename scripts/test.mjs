// `npm test`: the whole suite in the order CI runs it, then one summary line that counts
// every unit, integration and end-to-end test.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './environment.mjs';
import { ensureDependencies, runStep } from './run-step.mjs';

const results = join(repoRoot, 'test-results');
rmSync(join(results, 'vitest.json'), { force: true });
rmSync(join(results, 'playwright.json'), { force: true });
mkdirSync(results, { recursive: true });

await ensureDependencies();
runStep('typecheck', 'npm', ['run', '--silent', 'typecheck']);
runStep('lint', 'npm', ['run', '--silent', 'lint']);
runStep('build', 'npx', ['electron-vite', 'build']);

const failures = [];
function run(label, command, args) {
  console.log(`\n▶ ${label}`);
  const r = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit', env: process.env });
  if (r.status !== 0) failures.push(label);
}
run('unit and integration tests (vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${join(results, 'vitest.json')}`,
]);
run('end-to-end tests (playwright)', 'npx', ['playwright', 'test']);

let passed = 0;
let failed = 0;
let skipped = 0;
const vitestFile = join(results, 'vitest.json');
if (existsSync(vitestFile)) {
  const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
  passed += v.numPassedTests ?? 0;
  failed += v.numFailedTests ?? 0;
  skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
const pwFile = join(results, 'playwright.json');
if (existsSync(pwFile)) {
  const s = JSON.parse(readFileSync(pwFile, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
}
if (failures.length && failed === 0) failed = failures.length;
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failures.length ? 1 : 0);
