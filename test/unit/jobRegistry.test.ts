import { describe, expect, it } from 'vitest';
import { EventBus } from '../../src-main/services/eventBus';
import { JobRegistry } from '../../src-main/services/jobRegistry';
import { RpcError } from '../../src-shared/rpc/errors';

function recorder() {
  const bus = new EventBus();
  const seen: Array<{ event: string; payload: any }> = [];
  bus.onAny((event, payload) => seen.push({ event, payload }));
  return { bus, seen };
}

describe('JobRegistry', () => {
  it('reports progress and exactly one finished event', async () => {
    const { bus, seen } = recorder();
    const jobs = new JobRegistry(bus);
    const result = await jobs.run('import', 'job-1', async (job) => {
      for (let i = 1; i <= 3; i++) job.progress(`chunk ${i}`, i, 3);
      return 42;
    });
    expect(result).toBe(42);
    const progress = seen.filter((e) => e.event === 'job.progress').map((e) => e.payload);
    expect(progress[0]).toMatchObject({
      jobId: 'job-1',
      kind: 'import',
      stage: 'chunk 1',
      done: 1,
      total: 3,
    });
    expect(progress.at(-1)).toMatchObject({ done: 3, total: 3 });
    const finished = seen.filter((e) => e.event === 'job.finished');
    expect(finished).toEqual([
      { event: 'job.finished', payload: { jobId: 'job-1', kind: 'import', outcome: 'succeeded' } },
    ]);
    expect(jobs.list()).toEqual([]);
  });

  it('cancels cooperatively with a CANCELLED error', async () => {
    const { bus, seen } = recorder();
    const jobs = new JobRegistry(bus);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = jobs.run('prepare', 'job-2', async (job) => {
      await gate;
      job.throwIfCancelled();
      return 'finished anyway';
    });
    expect(jobs.list().map((j) => j.jobId)).toEqual(['job-2']);
    expect(jobs.cancel('job-2')).toBe(true);
    expect(jobs.cancel('no-such-job')).toBe(false);
    release();
    const err = await running.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect((err as RpcError).code).toBe('CANCELLED');
    expect(seen.filter((e) => e.event === 'job.finished').map((e) => e.payload.outcome)).toEqual([
      'cancelled',
    ]);
  });

  it('refuses a duplicate job id and passes failures through', async () => {
    const jobs = new JobRegistry(new EventBus());
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const first = jobs.run('import', 'same', () => gate);
    await expect(jobs.run('import', 'same', async () => 1)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    release();
    await first;
    await expect(
      jobs.run('import', undefined, async () => {
        throw new RpcError('INVALID_INPUT', 'bad file');
      }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'bad file' });
  });
});
