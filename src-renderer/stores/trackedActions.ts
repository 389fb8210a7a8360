import { reactive } from 'vue';
import { toDisplayError, type DisplayError } from '../api/displayError';

/** Busy flags and error slots of a store's actions, one per action, shown next to its button. */
export interface TrackedActions<A extends string> {
  busy: Record<A, boolean>;
  errors: Record<A, DisplayError | null>;
  /** Runs `task` with its action marked busy; a failure lands in the action's error slot as null. */
  track<T>(action: A, task: () => Promise<T>): Promise<T | null>;
  /**
   * A loader of which only the latest call counts: an answer overtaken by a later call is dropped,
   * and only the latest call clears the busy flag or records an error.
   */
  latestOnly<T>(
    action: A,
    load: () => Promise<T>,
    apply: (value: T) => void | Promise<void>,
  ): () => Promise<void>;
}

export function byAction<A extends string, T>(actions: readonly A[], value: T): Record<A, T> {
  return Object.fromEntries(actions.map((a) => [a, value])) as Record<A, T>;
}

export function useTrackedActions<A extends string>(actions: readonly A[]): TrackedActions<A> {
  const busy = reactive(byAction(actions, false)) as Record<A, boolean>;
  const errors = reactive(byAction<A, DisplayError | null>(actions, null)) as Record<A, DisplayError | null>;

  async function track<T>(action: A, task: () => Promise<T>): Promise<T | null> {
    busy[action] = true;
    errors[action] = null;
    try {
      return await task();
    } catch (err) {
      errors[action] = toDisplayError(err);
      return null;
    } finally {
      busy[action] = false;
    }
  }

  function latestOnly<T>(
    action: A,
    load: () => Promise<T>,
    apply: (value: T) => void | Promise<void>,
  ): () => Promise<void> {
    let generation = 0;
    return async () => {
      const mine = ++generation;
      busy[action] = true;
      try {
        const value = await load();
        if (mine !== generation) return;
        errors[action] = null;
        await apply(value);
      } catch (err) {
        if (mine === generation) errors[action] = toDisplayError(err);
      } finally {
        if (mine === generation) busy[action] = false;
      }
    };
  }

  return { busy, errors, track, latestOnly };
}
