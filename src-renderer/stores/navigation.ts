import { defineStore } from 'pinia';
import { shallowRef, watch } from 'vue';
import { allowedView, describeView, type ViewId } from '../views/viewCatalog';
import { useProjectsStore } from './projects';

/** Which view is shown. Views that need a project are refused until one is open. */
export const useNavigationStore = defineStore('navigation', () => {
  const projects = useProjectsStore();
  const current = shallowRef<ViewId>('projects');

  function canShow(id: ViewId): boolean {
    return allowedView(id, projects.hasProject) === id;
  }

  /** Shows `id` if allowed; returns the view actually shown. */
  function navigate(id: ViewId): ViewId {
    current.value = allowedView(id, projects.hasProject);
    return current.value;
  }

  // Closing the project (here or from another window) must not leave a project view on screen.
  watch(
    () => projects.hasProject,
    (hasProject) => {
      if (!hasProject && describeView(current.value).needsProject) current.value = 'projects';
    },
    { flush: 'sync' },
  );

  return { current, canShow, navigate };
});
