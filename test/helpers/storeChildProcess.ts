/**
 * Entry of a child process used by the store tests: it runs the real store code (bundled by
 * storeChildBundle.ts) so lock and crash behaviour is exercised across real processes. It talks
 * back through JSON lines on stdout, written synchronously so a SIGKILL cannot lose one.
 */
import fs from 'node:fs';
import { isRpcError } from '../../src-shared/rpc/errors';
import { ProjectStore, beginArray, beginBulkWrite, writeArray } from '../../src-main/store';
import { committedArrayData } from './storeCrashFixture';

function say(message: Record<string, unknown>): void {
  fs.writeSync(1, `${JSON.stringify(message)}\n`);
}

function blockForever(): never {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (;;) Atomics.wait(cell, 0, 0, 60_000);
}

function main(): void {
  const [command, projectPath, extra] = process.argv.slice(2);
  if (command === undefined || projectPath === undefined) throw new Error('usage: <command> <project> [arg]');

  if (command === 'try-open') {
    try {
      ProjectStore.open(projectPath).close();
      say({ event: 'result', ok: true });
    } catch (error) {
      say({
        event: 'result',
        ok: false,
        code: isRpcError(error) ? error.code : 'OTHER',
        details: isRpcError(error) ? error.details : String(error),
      });
    }
    return;
  }

  const store = ProjectStore.open(projectPath);

  if (command === 'hold') {
    say({ event: 'opened', pid: process.pid });
    // Hold the project until the parent closes our stdin.
    process.stdin.resume();
    process.stdin.on('end', () => {
      store.close();
      say({ event: 'closed' });
      process.exit(0);
    });
    return;
  }

  if (command === 'exit-without-close') {
    store.appendAction({ kind: 'child.exit', payload: { pid: process.pid } });
    say({ event: 'opened', pid: process.pid });
    process.exit(0);
  }

  if (command === 'crash') {
    const committedActions = Number(extra ?? '10');
    const arrayId = store.transaction(() => {
      for (let i = 0; i < committedActions; i++) store.appendAction({ kind: 'committed', payload: { i } });
      return writeArray(store, {
        dtype: 'float64',
        shape: [5000],
        data: committedArrayData(5000),
        chunkRows: 512,
      });
    });
    say({ event: 'committed', actions: committedActions, arrayId, pid: process.pid });

    const noise = new Float32Array(64 * 1024); // 256 KiB per append
    for (let i = 0; i < noise.length; i++) noise[i] = i;
    store.transaction(() => {
      const writer = beginArray(store, { dtype: 'float32', rowShape: [64], chunkRows: 1024 });
      for (let step = 0; ; step++) {
        store.appendAction({ kind: 'uncommitted', payload: { step } });
        writer.appendRows(noise);
        // 60 MB in: well past the 32 MiB page cache, so uncommitted pages are in the -wal file by now.
        if (step === 240) say({ event: 'in-transaction', step });
        if (step === 2000) blockForever();
      }
    });
  }

  if (command === 'crash-bulk') {
    // An import's shape: a bulk session, an array finished in it, then one streamed in commits of
    // 4 MiB and finally one transaction big enough to spill pages into the file before it commits.
    const session = beginBulkWrite(store);
    store.appendAction({ kind: 'committed', payload: { journal: session.journal } });
    const arrayId = writeArray(store, {
      dtype: 'float64',
      shape: [5000],
      data: committedArrayData(5000),
      chunkRows: 512,
    });
    const noise = new Float32Array(1024 * 1024); // 4 MiB per append
    for (let i = 0; i < noise.length; i++) noise[i] = i;
    const writer = beginArray(store, { dtype: 'float32', rowShape: [64], chunkRows: 4096 });
    for (let step = 0; step < 4; step++) writer.appendRows(noise);
    say({ event: 'committed', arrayId, journal: session.journal, pid: process.pid });
    store.transaction(() => {
      for (let step = 0; ; step++) {
        store.appendAction({ kind: 'uncommitted', payload: { step } });
        writer.appendRows(noise);
        // 60 MiB in: past the 32 MiB page cache, so pages have spilled into the file.
        if (step === 15) say({ event: 'in-transaction', step });
        if (step === 15) blockForever();
      }
    });
  }

  throw new Error(`unknown command ${command}`);
}

main();
