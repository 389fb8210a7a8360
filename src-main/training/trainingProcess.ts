import { initEngineBackend } from '../engine/backend';
import { ProjectStore } from '../store/projectStore';
import { trainingModel } from './models';
import { CheckpointDoesNotFitError, DivergedError, ModelConfigError } from './models/trainingModel';
import {
  parseFromTrainer,
  parseToTrainer,
  ProtocolError,
  type FromTrainer,
  type StartMessage,
  type TrainerErrorCode,
} from './protocol';
import { loadSessionInputs } from './trainingData';

/**
 * The training process: receives one `start`, opens the project read-only (the services process
 * is the only writer; WAL lets us read beside it), loads the run's arrays, starts the engine,
 * trains, and streams everything back as messages. `cancel` aborts between batches. It exits when
 * the run ends; the supervisor treats any other exit as a crash.
 */

interface ParentPort {
  /** Resolves once the message has left this process. */
  send(message: FromTrainer): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
}

function parentPort(): ParentPort {
  const electronPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (electronPort) {
    return {
      send: (message) => {
        electronPort.postMessage(message);
        return Promise.resolve();
      },
      onMessage: (listener) => electronPort.on('message', (event) => listener(event.data)),
    };
  }
  const send = process.send?.bind(process);
  if (!send)
    throw new Error('the training process must be started by the ModeScope services (no IPC channel)');
  return {
    send: (message) =>
      new Promise<void>((resolve, reject) => {
        send(message, undefined, undefined, (error) => (error ? reject(error) : resolve()));
      }),
    onMessage: (listener) => {
      process.on('message', listener);
      // The services went away: nobody will persist what we compute.
      process.on('disconnect', () => process.exit(1));
    },
  };
}

function errorMessage(error: unknown): { code: TrainerErrorCode; message: string; fields?: string[] } {
  if (error instanceof ModelConfigError)
    return { code: 'INVALID_CONFIG', message: error.message, fields: error.issues.map((i) => i.path) };
  if (error instanceof CheckpointDoesNotFitError)
    return { code: 'CHECKPOINT_MISMATCH', message: error.message };
  if (error instanceof DivergedError) return { code: 'DIVERGED', message: error.message };
  if (error instanceof ProtocolError) return { code: 'PROTOCOL', message: error.message };
  if (error instanceof Error && error.name === 'SequenceDataError')
    return { code: 'INVALID_DATA', message: error.message };
  return {
    code: 'INTERNAL',
    message: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}

async function train(port: ParentPort, start: StartMessage, signal: AbortSignal): Promise<void> {
  const send = (message: FromTrainer) => port.send(parseFromTrainer(message));
  const model = trainingModel(start.modelKind);
  const { config } = model.parseConfig(start.config);
  const store = ProjectStore.open(start.projectPath, { readOnly: true });
  let sessions;
  try {
    sessions = loadSessionInputs(store, start.sessions);
  } finally {
    store.close();
  }
  const engine = await initEngineBackend({ maxBackend: start.maxBackend });
  // Let a cancel that arrived while we were starting be read before we report ready.
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal.aborted) {
    await send({ type: 'cancelled' });
    return;
  }
  await send({ type: 'ready', engine: { ...engine } });

  let lastBatchAt = 0;
  let epochStartedAt = Date.now();
  const trainer = await model.createTrainer(config, sessions, {
    signal,
    maxNanRetries: start.maxNanRetries,
    onBatch: (b) => {
      const now = Date.now();
      if (now - lastBatchAt < start.batchIntervalMs && b.batch !== b.nBatches - 1) return;
      lastBatchAt = now;
      void send({ type: 'batch', ...b });
    },
    onEpoch: async (record, state) => {
      const now = Date.now();
      await send({
        type: 'epoch',
        record: { ...record, durationMs: now - epochStartedAt },
        plannedEpochs: trainer.plannedEpochs,
        state,
      });
      epochStartedAt = Date.now();
    },
    onNan: (message, newLr) => void send({ type: 'nan', message, newLr }),
    onLog: (level, message) => void send({ type: 'log', level, message }),
  });
  try {
    if (start.checkpoint !== null) trainer.restore(start.checkpoint);
    epochStartedAt = Date.now();
    const status = await trainer.train();
    if (status === 'cancelled') {
      await send({ type: 'cancelled' });
      return;
    }
    await send({ type: 'log', level: 'info', message: 'training finished; computing outputs' });
    await send({ type: 'outputs', ...trainer.outputs() });
    await send({ type: 'done' });
  } finally {
    trainer.dispose();
  }
}

function main(): void {
  const port = parentPort();
  const controller = new AbortController();
  let started = false;
  const finish = (code: number) => {
    // Exit explicitly: the engine's thread pools may keep the event loop alive.
    process.exit(code);
  };
  port.onMessage((raw) => {
    let message;
    try {
      message = parseToTrainer(raw);
    } catch (error) {
      void port.send({ type: 'error', ...errorMessage(error) }).finally(() => finish(1));
      return;
    }
    if (message.type === 'cancel') {
      controller.abort();
      return;
    }
    if (started) return;
    started = true;
    train(port, message, controller.signal).then(
      () => finish(0),
      (error: unknown) => {
        void port
          .send({ type: 'error', ...errorMessage(error) })
          .catch(() => undefined)
          .finally(() => finish(1));
      },
    );
  });
}

main();
