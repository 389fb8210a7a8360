import { existsSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import type { ChannelName, RequestOf, ResponseOf } from '../../src-shared/rpc/contract';
import { RpcError } from '../../src-shared/rpc/errors';
import { createServices, type Services } from '../services/createServices';
import { withProjectExtension } from '../services/projectService';
import { type ParsedArgs, parseArgs, UsageError } from './args';

export interface ProjectSession {
  services: Services;
  call<C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>>;
  /**
   * Runs a job channel with a job id of our own: progress lines go to stderr, and Ctrl+C
   * cancels the job (the service then cleans up and the call fails with CANCELLED).
   */
  runJob<C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>>;
}

let jobCounter = 0;

function formatProgress(stage: string, done: number, total: number): string {
  return total > 0 ? `${stage} ${Math.floor((100 * done) / total)}%` : stage;
}

/**
 * The CLI runs the same services as the app, in this process: it opens the project named by
 * `--project` (creating it with `--create`), calls the dispatcher like any transport, and closes
 * the project (releasing its lock) when the command ends.
 */
export async function withProjectSession<T>(
  args: ParsedArgs,
  work: (session: ProjectSession) => Promise<T>,
): Promise<T> {
  const projectFlag = args.flags.get('project');
  if (typeof projectFlag !== 'string') throw new UsageError('--project PATH is required');
  const services = createServices({ transport: 'in-process' });

  const call = async <C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>> => {
    const reply = await services.dispatch(channel, input);
    if (!reply.ok) throw RpcError.fromData(reply.error);
    return reply.result as ResponseOf<C>;
  };

  const runJob = async <C extends ChannelName>(channel: C, input: RequestOf<C>): Promise<ResponseOf<C>> => {
    const jobId = `cli-${process.pid}-${++jobCounter}`;
    let lastLine = '';
    const unsubscribe = services.events.onAny((event, payload) => {
      if (event !== 'job.progress') return;
      const p = payload as { jobId: string; stage: string; done: number; total: number };
      if (p.jobId !== jobId) return;
      const line = formatProgress(p.stage, p.done, p.total);
      if (line !== lastLine) console.error(line);
      lastLine = line;
    });
    const onInterrupt = () => {
      console.error('cancelling…');
      services.jobs.cancel(jobId);
    };
    process.on('SIGINT', onInterrupt);
    try {
      return await call(channel, { ...input, jobId } as RequestOf<C>);
    } finally {
      process.off('SIGINT', onInterrupt);
      unsubscribe();
    }
  };

  try {
    const path = resolve(projectFlag);
    if (existsSync(path) || existsSync(withProjectExtension(path))) {
      await call('projects.open', { path: existsSync(path) ? path : withProjectExtension(path) });
    } else if (args.flags.get('create') === true) {
      await call('projects.create', { path, name: basename(path, extname(path)) || 'project' });
    } else {
      throw new RpcError('NOT_FOUND', `project ${path} does not exist (add --create to create it)`, { path });
    }
    return await work({ services, call, runJob });
  } finally {
    services.dispose();
  }
}

/** A dataset named by id or by name. */
export async function resolveDataset(session: ProjectSession, ref: string) {
  const all = await session.call('datasets.list', {});
  const byId = /^\d+$/.test(ref) ? all.find((d) => d.id === Number(ref)) : undefined;
  const found = byId ?? all.find((d) => d.name === ref);
  if (!found) {
    throw new RpcError(
      'NOT_FOUND',
      `no dataset "${ref}" in this project${all.length ? ` (there are: ${all.map((d) => d.name).join(', ')})` : ''}`,
    );
  }
  return found;
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function numberFlag(args: ParsedArgs, name: string): number | undefined {
  const v = stringFlag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got ${v}`);
  return n;
}

/**
 * The shared parser takes the word after any flag as its value, so `--create a.edf` would
 * swallow a file name. Moving this command's on/off flags to the end keeps them valueless.
 * `argv` is the whole command line, command word included (it stays the first positional).
 */
export function parseCommandArgs(argv: readonly string[], booleanFlags: readonly string[]): ParsedArgs {
  const isBoolean = (a: string) => booleanFlags.some((f) => a === `--${f}`);
  const end = argv.indexOf('--');
  const head = end < 0 ? argv : argv.slice(0, end);
  const tail = end < 0 ? [] : argv.slice(end);
  return parseArgs([...head.filter((a) => !isBoolean(a)), ...head.filter(isBoolean), ...tail]);
}
