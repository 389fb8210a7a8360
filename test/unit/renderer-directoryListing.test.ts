import { afterEach, describe, expect, it } from 'vitest';
import type { ModeScopeApi } from '../../src-shared/rpc/client';
import { RpcError } from '../../src-shared/rpc/errors';
import { setApi } from '../../src-renderer/api/currentApi';
import { useDirectoryListing, type Listing } from '../../src-renderer/components/directoryListing';

interface Pending {
  path: string;
  extensions: string[] | undefined;
  resolve: (l: Listing) => void;
  reject: (e: unknown) => void;
}

/** An API whose listDirectory answers only when the test says so, in any order. */
function gatedApi(): Pending[] {
  const pending: Pending[] = [];
  const files = {
    listDirectory: (req: { path: string; extensions?: string[] }) =>
      new Promise<Listing>((resolve, reject) =>
        pending.push({ path: req.path, extensions: req.extensions, resolve, reject }),
      ),
  };
  setApi({ files } as unknown as ModeScopeApi);
  return pending;
}

const folder = (path: string): Listing => ({ path, parent: '/', entries: [] });

afterEach(() => setApi(null));

describe('useDirectoryListing', () => {
  it('asks with its extensions and keeps the listing it got', async () => {
    const pending = gatedApi();
    const d = useDirectoryListing(['.edf', '.npy']);
    const outcome = d.list('/data');
    expect(d.loading.value).toBe(true);
    expect(pending[0]!.extensions).toEqual(['.edf', '.npy']);
    pending[0]!.resolve(folder('/data'));
    expect(await outcome).toEqual({ kind: 'listed', listing: folder('/data') });
    expect(d.listing.value?.path).toBe('/data');
    expect(d.loading.value).toBe(false);
  });

  it('drops an answer overtaken by a later request and stays loading until the latest settles', async () => {
    const pending = gatedApi();
    const d = useDirectoryListing([]);
    const first = d.list('/a');
    const second = d.list('/b');
    pending[0]!.resolve(folder('/a'));
    expect(await first).toEqual({ kind: 'overtaken' });
    expect(d.listing.value).toBeNull();
    expect(d.loading.value).toBe(true);
    pending[1]!.reject(new RpcError('NOT_FOUND', 'no /b'));
    const outcome = await second;
    expect(outcome.kind).toBe('failed');
    expect((outcome as { error: RpcError }).error.message).toBe('no /b');
    expect(d.loading.value).toBe(false);
  });

  it('reports an overtaken failure as overtaken, not failed', async () => {
    const pending = gatedApi();
    const d = useDirectoryListing([]);
    const first = d.list('/gone');
    const second = d.list('/here');
    pending[0]!.reject(new Error('gone'));
    expect(await first).toEqual({ kind: 'overtaken' });
    pending[1]!.resolve(folder('/here'));
    expect((await second).kind).toBe('listed');
  });
});
