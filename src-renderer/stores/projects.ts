import { defineStore } from 'pinia';
import { computed, shallowRef } from 'vue';
import type { ProjectSummary, RecentProject } from '../../src-shared/domain/project';
import { useApi } from '../api/currentApi';
import { invalidInput, toDisplayError } from '../api/displayError';
import { fileNameProblem, projectFilePath } from '../paths/projectFileName';
import { useTrackedActions } from './trackedActions';

/** Each action has its own busy flag and error slot, so errors show next to what caused them. */
export type ProjectAction = 'load' | 'create' | 'open' | 'close' | 'recent';

export interface CreateProjectInput {
  name: string;
  folder: string;
  fileName: string;
}

const actions: ProjectAction[] = ['load', 'create', 'open', 'close', 'recent'];

/** Why a create form cannot be submitted, or null when it can. */
export function createInputProblem(input: CreateProjectInput): string | null {
  if (input.name.trim() === '') return 'Enter a project name.';
  if (input.folder.trim() === '') return 'Choose the folder the project file goes in.';
  const fileProblem = fileNameProblem(input.fileName);
  return fileProblem === null ? null : `The ${fileProblem}.`;
}

export const useProjectsStore = defineStore('projects', () => {
  const current = shallowRef<ProjectSummary | null>(null);
  // Replaced wholesale on every refresh; shallowRef keeps it out of deep reactivity.
  const recent = shallowRef<readonly RecentProject[]>([]);
  const loaded = shallowRef(false);
  const { busy, errors, track } = useTrackedActions(actions);
  /** The recent entry an open or forget is running for, so only its row shows progress. */
  const busyRecentPath = shallowRef<string | null>(null);

  const hasProject = computed(() => current.value !== null);
  /** Actions that change which project is open must not overlap. */
  const changing = computed(() => busy.create || busy.open || busy.close || busy.recent);

  let unsubscribers: Array<() => void> = [];
  let recentGeneration = 0;

  /** Whether `task` succeeded; its failure is shown in the action's error slot. */
  async function run(action: ProjectAction, task: () => Promise<void>): Promise<boolean> {
    const done = await track(action, async () => {
      await task();
      return true;
    });
    return done ?? false;
  }

  async function refreshRecent(): Promise<void> {
    // Only the newest answer counts: an older listing must not overwrite a forget or an open.
    const generation = ++recentGeneration;
    try {
      const list = await useApi().projects.listRecent({});
      if (generation === recentGeneration) recent.value = list;
    } catch (err) {
      if (generation === recentGeneration) errors.recent = toDisplayError(err);
    }
  }

  function subscribe(): void {
    if (unsubscribers.length > 0) return;
    const api = useApi();
    unsubscribers = [
      api.on('project.opened', (summary) => {
        current.value = summary;
        void refreshRecent();
      }),
      api.on('project.closed', ({ path }) => {
        if (current.value?.path === path) current.value = null;
        void refreshRecent();
      }),
    ];
  }

  /** Subscribes to project events and loads the current project and the recent list. */
  async function start(): Promise<void> {
    subscribe();
    await run('load', async () => {
      const api = useApi();
      const generation = ++recentGeneration;
      const [summary, list] = await Promise.all([api.projects.current({}), api.projects.listRecent({})]);
      current.value = summary;
      if (generation === recentGeneration) recent.value = list;
    });
    loaded.value = true;
  }

  function stop(): void {
    for (const unsubscribe of unsubscribers) unsubscribe();
    unsubscribers = [];
  }

  async function create(input: CreateProjectInput): Promise<boolean> {
    const problem = createInputProblem(input);
    if (problem !== null) {
      errors.create = invalidInput(problem);
      return false;
    }
    const path = projectFilePath(input.folder, input.fileName);
    return run('create', async () => {
      current.value = await useApi().projects.create({ path, name: input.name.trim() });
      await refreshRecent();
    });
  }

  async function open(path: string): Promise<boolean> {
    if (path.trim() === '') {
      errors.open = invalidInput('Enter or choose the path of a .modescope file.');
      return false;
    }
    return run('open', async () => {
      current.value = await useApi().projects.open({ path: path.trim() });
      await refreshRecent();
    });
  }

  async function openRecent(entry: RecentProject): Promise<boolean> {
    if (!entry.exists) {
      errors.recent = invalidInput(`${entry.path} no longer exists.`);
      return false;
    }
    busyRecentPath.value = entry.path;
    try {
      return await run('recent', async () => {
        current.value = await useApi().projects.open({ path: entry.path });
        await refreshRecent();
      });
    } finally {
      busyRecentPath.value = null;
    }
  }

  async function forget(path: string): Promise<boolean> {
    busyRecentPath.value = path;
    try {
      return await run('recent', async () => {
        const generation = ++recentGeneration;
        const list = await useApi().projects.forgetRecent({ path });
        if (generation === recentGeneration) recent.value = list;
      });
    } finally {
      busyRecentPath.value = null;
    }
  }

  async function close(): Promise<boolean> {
    return run('close', async () => {
      await useApi().projects.close({});
      current.value = null;
      await refreshRecent();
    });
  }

  function dismissError(action: ProjectAction): void {
    errors[action] = null;
  }

  return {
    current,
    recent,
    loaded,
    busy,
    errors,
    busyRecentPath,
    hasProject,
    changing,
    start,
    stop,
    refreshRecent,
    create,
    open,
    openRecent,
    forget,
    close,
    dismissError,
  };
});
