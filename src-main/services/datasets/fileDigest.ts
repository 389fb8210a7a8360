import { Worker } from 'node:worker_threads';

/**
 * The worker's whole program, run with `eval` so that it needs no file of its own next to
 * whichever bundle (Electron main, CLI, tests) imports this module.
 */
const DIGEST_WORKER = `
const { createHash } = require('node:crypto');
const { openSync, readSync, closeSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const hash = createHash('sha256');
const piece = Buffer.allocUnsafe(${1 << 20});
const fd = openSync(workerData.path, 'r');
try {
  for (;;) {
    const n = readSync(fd, piece, 0, piece.length, null);
    if (n === 0) break;
    hash.update(piece.subarray(0, n));
  }
} finally {
  closeSync(fd);
}
parentPort.postMessage(hash.digest('hex'));
`;

/**
 * SHA-256 (hex) of a file, computed on a worker thread that reads the file itself in 1 MiB pieces.
 * Hashing costs ~0.7-1 s of CPU per GiB here; on the importing thread it would add to the import,
 * on a worker it runs beside the SQLite writes. Aborting the signal stops the worker and rejects
 * with the signal's reason.
 */
export function sha256OfFile(path: string, signal?: AbortSignal): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const worker = new Worker(DIGEST_WORKER, { eval: true, workerData: { path } });
    let settled = false;
    const settle = (finish: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = () => {
      settle(() => reject(signal!.reason as Error));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (hex: string) => settle(() => resolve(hex)));
    worker.once('error', (error) => settle(() => reject(error)));
    worker.once('exit', (code) =>
      settle(() => reject(new Error(`SHA-256 worker for ${path} stopped (exit code ${code})`))),
    );
  });
}
