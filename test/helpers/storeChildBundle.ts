import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';

const helpersDir = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(helpersDir, '../..');

/**
 * Bundles storeChildProcess.ts (and the store it imports) into one CommonJS file, so a plain
 * `node` child can run the real TypeScript store. better-sqlite3 stays external and is found
 * through NODE_PATH.
 */
export function buildStoreChild(outDir: string): string {
  const outfile = path.join(outDir, 'storeChild.cjs');
  buildSync({
    entryPoints: [path.join(helpersDir, 'storeChildProcess.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    outfile,
    external: ['better-sqlite3'],
    logLevel: 'error',
  });
  return outfile;
}

export interface StoreChild {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with the first JSON line whose `event` matches; rejects if the child exits first. */
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

export function spawnStoreChild(bundle: string, args: string[]): StoreChild {
  const child = spawn(process.execPath, [bundle, ...args], {
    env: { ...process.env, NODE_PATH: path.join(repoRoot, 'node_modules') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const messages: Record<string, unknown>[] = [];
  const waiters: { event: string; resolve: (m: Record<string, unknown>) => void }[] = [];
  let stdoutBuffer = '';
  let stderrText = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    stdoutBuffer += text;
    let newline: number;
    while ((newline = stdoutBuffer.indexOf('\n')) >= 0) {
      const line = stdoutBuffer.slice(0, newline);
      stdoutBuffer = stdoutBuffer.slice(newline + 1);
      const message = JSON.parse(line) as Record<string, unknown>;
      messages.push(message);
      for (const waiter of waiters.filter((w) => w.event === message.event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => (stderrText += text));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );

  return {
    process: child,
    exited,
    stderr: () => stderrText,
    waitFor(event, timeoutMs = 30_000) {
      const seen = messages.find((m) => m.event === event);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child sent no '${event}' in ${timeoutMs} ms; stderr: ${stderrText}`)),
          timeoutMs,
        );
        waiters.push({
          event,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(
              `child exited (code ${code}, signal ${signal}) before '${event}'; stderr: ${stderrText}`,
            ),
          );
        });
      });
    },
  };
}
