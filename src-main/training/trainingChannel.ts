import { fork } from 'node:child_process';
import type { ToTrainer } from './protocol';

/**
 * The supervisor's side of one training process, whatever started it: a forked Node child (web
 * mode, CLI, tests) or Electron's utilityProcess (desktop). Both carry structured clones, so
 * typed arrays cross intact.
 */
export interface TrainingChannel {
  readonly pid: number | undefined;
  send(message: ToTrainer): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** Ends the process at once (SIGKILL where there are signals). */
  kill(): void;
  /** The last lines the process wrote to stderr, for crash reports. */
  stderrTail(): string;
}

export type TrainingSpawner = (entryPath: string) => TrainingChannel;

const STDERR_TAIL_CHARS = 4000;

export const forkNodeTraining: TrainingSpawner = (entryPath) => {
  const child = fork(entryPath, [], {
    serialization: 'advanced',
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: {
      ...process.env,
      MODESCOPE_TRAINING_PROCESS: '1',
      // Inside Electron, execPath is the app itself: make the child a plain Node process.
      ...(process.versions.electron ? { ELECTRON_RUN_AS_NODE: '1' } : {}),
    },
  });
  let tail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    tail = (tail + text).slice(-STDERR_TAIL_CHARS);
  });
  // The engine may print banners on stdout; the message channel is IPC, so stdout is only drained.
  child.stdout?.resume();
  return {
    pid: child.pid,
    send(message) {
      if (child.connected) child.send(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      child.on('exit', (code, signal) => listener({ code, signal }));
    },
    kill() {
      child.kill('SIGKILL');
    },
    stderrTail: () => tail,
  };
};

/** The slice of Electron's utilityProcess this adapter uses; passed in so this file never imports electron. */
export interface UtilityProcessModule {
  fork(
    modulePath: string,
    args?: string[],
    options?: { serviceName?: string; stdio?: 'pipe' | 'ignore' | 'inherit' },
  ): {
    pid: number | undefined;
    postMessage(message: unknown): void;
    on(event: 'message', listener: (message: unknown) => void): unknown;
    on(event: 'exit', listener: (code: number) => void): unknown;
    kill(): boolean;
    stderr: NodeJS.ReadableStream | null;
  };
}

export function utilityProcessSpawner(utilityProcess: UtilityProcessModule): TrainingSpawner {
  return (entryPath) => {
    const child = utilityProcess.fork(entryPath, [], { serviceName: 'ModeScope training', stdio: 'pipe' });
    let tail = '';
    child.stderr?.on('data', (chunk: Buffer | string) => {
      tail = (tail + chunk.toString()).slice(-STDERR_TAIL_CHARS);
    });
    return {
      pid: child.pid,
      send: (message) => child.postMessage(message),
      onMessage: (listener) => void child.on('message', listener),
      onExit: (listener) => void child.on('exit', (code) => listener({ code, signal: null })),
      kill: () => void child.kill(),
      stderrTail: () => tail,
    };
  };
}
