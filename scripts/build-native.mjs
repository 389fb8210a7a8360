#!/usr/bin/env node
// Builds the native kernels (build/Release/modescope_kernels.node) with node-gyp. A failed build is
// a warning, because the engine falls back to its TypeScript kernels; set MODESCOPE_REQUIRE_NATIVE=1
// (CI, release builds) to make it an error.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.MODESCOPE_REQUIRE_NATIVE === '1';

function nodeGypCommand() {
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  const candidates = [
    process.env.npm_config_node_gyp,
    path.join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    // The copy bundled with npm: works offline.
    path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    path.join(
      path.dirname(process.execPath),
      'node_modules',
      'npm',
      'node_modules',
      'node-gyp',
      'bin',
      'node-gyp.js',
    ),
  ];
  const script = candidates.find((c) => c && existsSync(c));
  return script ? [process.execPath, [script]] : ['npx', ['--yes', 'node-gyp']];
}

function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  // Headers installed next to this Node (distribution packages): build against them offline.
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  return existsSync(path.join(prefix, 'include', 'node', 'node_api.h')) ? [`--nodedir=${prefix}`] : [];
}

const [command, baseArgs] = nodeGypCommand();
const args = [...baseArgs, 'rebuild', ...nodedirArgs()];
const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
const ok = result.status === 0 && existsSync(path.join(root, 'build', 'Release', 'modescope_kernels.node'));

if (ok) {
  console.log('modescope: native kernels built');
} else if (required) {
  console.error('modescope: native kernel build failed and MODESCOPE_REQUIRE_NATIVE=1');
  process.exit(1);
} else {
  console.warn('modescope: native kernel build failed; the engine will use its slower TypeScript kernels');
}
