import { ref, shallowRef } from 'vue';
import type { ResponseOf } from '../../src-shared/rpc/contract';
import { useApi } from '../api/currentApi';
import type { DisplayError } from '../api/displayError';

export type Listing = ResponseOf<'files.listDirectory'>;

/** How one listing request ended: only the latest request may touch the picker's state. */
export type ListingOutcome =
  { kind: 'listed'; listing: Listing } | { kind: 'failed'; error: unknown } | { kind: 'overtaken' };

/**
 * The folder a picker shows, loaded from the services' machine. Each `list` overtakes the ones
 * before it; a failure is handed back rather than shown, since a picker may fall back instead.
 */
export function useDirectoryListing(extensions: readonly string[]) {
  const listing = shallowRef<Listing | null>(null);
  const loading = ref(false);
  const error = ref<DisplayError | null>(null);
  let request = 0;

  async function list(path: string): Promise<ListingOutcome> {
    const mine = ++request;
    loading.value = true;
    error.value = null;
    try {
      const result = await useApi().files.listDirectory({ path, extensions: [...extensions] });
      if (mine !== request) return { kind: 'overtaken' };
      listing.value = result;
      return { kind: 'listed', listing: result };
    } catch (err) {
      return mine === request ? { kind: 'failed', error: err } : { kind: 'overtaken' };
    } finally {
      if (mine === request) loading.value = false;
    }
  }

  return { listing, loading, error, list };
}
