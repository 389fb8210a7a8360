import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { loadNativeKernels } from './native/load';

/**
 * The tfjs backend ladder (tensorflow → wasm → cpu) and what the fused ops run on. Importing
 * '@tensorflow/tfjs' (not just core) matters: it registers the gradients autodiff needs.
 */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface EngineInfo {
  backend: BackendName;
  /** Where the fused ops run. */
  kernelPath: 'native' | 'typescript';
  /** SIMD in the fused kernels (native) or, on the TS path, in the tfjs backend. */
  simd: boolean;
  /** Threads of the fused kernels (native) or of the tfjs backend. */
  threads: number;
  /** Why the native kernels are not used, when they are not. */
  nativeUnavailableReason?: string;
}

export interface InitEngineOptions {
  /** Skip the rungs above this one, e.g. 'cpu' for deterministic small tests. */
  maxBackend?: BackendName;
}

const LADDER: BackendName[] = ['tensorflow', 'wasm', 'cpu'];

async function tryTensorflow(): Promise<boolean> {
  for (const pkg of ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node']) {
    try {
      // Optional dependencies: the name is a variable so bundlers and tsc do not require them.
      await import(/* @vite-ignore */ pkg);
      if (await tf.setBackend('tensorflow')) return true;
    } catch {
      // Not installed or its native binary does not load on this machine: next rung.
    }
  }
  return false;
}

function wasmDistFolder(): string {
  const require = createRequire(import.meta.url);
  return (
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep
  );
}

async function tryWasm(): Promise<boolean> {
  try {
    setWasmPaths(wasmDistFolder());
    // One wasm thread: the threaded build needs cross-origin isolation in Electron, and the heavy
    // work runs in the native kernels' own pool anyway. SIMD is detected by the backend itself.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setThreadsCount(1);
    return await tf.setBackend('wasm');
  } catch {
    return false;
  }
}

let current: EngineInfo | undefined;

/** Chooses the best available backend and reports it; safe to call more than once. */
export async function initEngineBackend(options: InitEngineOptions = {}): Promise<EngineInfo> {
  const start = LADDER.indexOf(options.maxBackend ?? 'tensorflow');
  let backend: BackendName = 'cpu';
  for (const rung of LADDER.slice(start)) {
    if (rung === 'tensorflow' && (await tryTensorflow())) backend = 'tensorflow';
    else if (rung === 'wasm' && (await tryWasm())) backend = 'wasm';
    else if (rung === 'cpu' && (await tf.setBackend('cpu'))) backend = 'cpu';
    else continue;
    break;
  }
  await tf.ready();
  const native = loadNativeKernels();
  if (native.kernels) {
    const info = native.kernels.info();
    current = { backend, kernelPath: 'native', simd: info.simd !== 'scalar', threads: info.threads };
  } else {
    const wasmSimd = backend === 'wasm' && (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    current = {
      backend,
      kernelPath: 'typescript',
      simd: wasmSimd,
      threads: backend === 'wasm' ? getThreadsCount() : 1,
      nativeUnavailableReason: native.reason,
    };
  }
  return current;
}

/** The last initEngineBackend result, for run metadata. */
export function engineInfo(): EngineInfo {
  if (!current) throw new Error('engine backend not initialised: call initEngineBackend() first');
  return current;
}
