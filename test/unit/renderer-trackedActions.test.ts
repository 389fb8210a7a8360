import { describe, expect, it } from 'vitest';
import { RpcError } from '../../src-shared/rpc/errors';
import { useTrackedActions } from '../../src-renderer/stores/trackedActions';

function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('useTrackedActions.track', () => {
  it('marks the action busy while it runs and returns its value', async () => {
    const t = useTrackedActions(['save', 'load'] as const);
    const gate = deferred<number>();
    const pending = t.track('save', () => gate.promise);
    expect(t.busy.save).toBe(true);
    expect(t.busy.load).toBe(false);
    gate.resolve(7);
    expect(await pending).toBe(7);
    expect(t.busy.save).toBe(false);
    expect(t.errors.save).toBeNull();
  });

  it('turns a failure into the action error and null, and clears it on the next try', async () => {
    const t = useTrackedActions(['save'] as const);
    const result = await t.track('save', () => Promise.reject(new RpcError('NOT_FOUND', 'no such run')));
    expect(result).toBeNull();
    expect(t.errors.save).toEqual({ code: 'NOT_FOUND', message: 'no such run' });
    expect(t.busy.save).toBe(false);
    await t.track('save', () => Promise.resolve(1));
    expect(t.errors.save).toBeNull();
  });
});

describe('useTrackedActions.latestOnly', () => {
  it('drops an answer overtaken by a later call and keeps busy until the latest settles', async () => {
    const t = useTrackedActions(['list'] as const);
    const answers = [deferred<string>(), deferred<string>()];
    let call = 0;
    const applied: string[] = [];
    const load = t.latestOnly(
      'list',
      () => answers[call++]!.promise,
      (v) => {
        applied.push(v);
      },
    );
    const first = load();
    const second = load();
    answers[0]!.resolve('old');
    await first;
    expect(applied).toEqual([]);
    expect(t.busy.list).toBe(true);
    answers[1]!.resolve('new');
    await second;
    expect(applied).toEqual(['new']);
    expect(t.busy.list).toBe(false);
  });

  it('records only the latest call failure', async () => {
    const t = useTrackedActions(['list'] as const);
    const answers = [deferred<string>(), deferred<string>()];
    let call = 0;
    const load = t.latestOnly(
      'list',
      () => answers[call++]!.promise,
      () => undefined,
    );
    const first = load();
    const second = load();
    answers[0]!.reject(new Error('stale failure'));
    await first;
    expect(t.errors.list).toBeNull();
    answers[1]!.reject(new Error('fresh failure'));
    await second;
    expect(t.errors.list).toEqual({ code: 'UNEXPECTED', message: 'fresh failure' });
    expect(t.busy.list).toBe(false);
  });

  it('clears an earlier error when a load succeeds', async () => {
    const t = useTrackedActions(['list'] as const);
    let fail = true;
    const load = t.latestOnly(
      'list',
      () => (fail ? Promise.reject(new Error('down')) : Promise.resolve(1)),
      () => undefined,
    );
    await load();
    expect(t.errors.list?.message).toBe('down');
    fail = false;
    await load();
    expect(t.errors.list).toBeNull();
  });
});
