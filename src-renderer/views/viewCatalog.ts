/** The views of ARCHITECTURE.md, in navigation order. */
export const viewIds = ['projects', 'datasets', 'train', 'runs', 'modes', 'gaps', 'export'] as const;
export type ViewId = (typeof viewIds)[number];

export interface ViewDescription {
  id: ViewId;
  label: string;
  /** Views that read or write project data cannot be shown without an open project. */
  needsProject: boolean;
  /** One line for the placeholder panel and the navigation tooltip. */
  purpose: string;
  /** What the view will offer, listed on its placeholder until it is built. */
  planned: string[];
}

export const viewCatalog: readonly ViewDescription[] = [
  {
    id: 'projects',
    label: 'Projects',
    needsProject: false,
    purpose: 'Create, open and close project files.',
    planned: [],
  },
  {
    id: 'datasets',
    label: 'Datasets',
    needsProject: true,
    purpose: 'Import recordings and prepare them for training.',
    planned: [
      'Import from NumPy, MATLAB, EDF/BDF, FIF, BrainVision and CSV files',
      'Channel preview with bad segments and gaps shaded',
      'Preparation pipelines: standardize, filter, downsample, amplitude envelope, TDE, PCA',
      'Multi-session datasets with sessions kept apart',
    ],
  },
  {
    id: 'train',
    label: 'Train',
    needsProject: true,
    purpose: 'Configure and train a model on a prepared dataset.',
    planned: [
      'Model choice: DyNeMo and dynamical VAEs',
      'Configuration form with defaults and validation',
      'Start, cancel and resume from the last checkpoint',
      'Live loss and KL curves',
    ],
  },
  {
    id: 'runs',
    label: 'Runs',
    needsProject: true,
    purpose: 'Browse and compare training runs.',
    planned: [
      'Table of runs with model, seed, status and timings',
      'Side-by-side comparison of configurations and free energy',
    ],
  },
  {
    id: 'modes',
    label: 'Modes',
    needsProject: true,
    purpose: 'Inspect what a trained model found.',
    planned: [
      'Mode (alpha) time courses',
      'Covariance heatmaps',
      'Summary statistics: fractional occupancy, lifetimes, intervals',
      'Mode spectra',
    ],
  },
  {
    id: 'gaps',
    label: 'Gaps',
    needsProject: true,
    purpose: 'Check how a model fills missing data.',
    planned: ['Observed against imputed signal with uncertainty bands'],
  },
  {
    id: 'export',
    label: 'Export',
    needsProject: true,
    purpose: 'Take results out of ModeScope.',
    planned: [
      'NumPy, MATLAB and CSV files in an osl-dynamics-style layout',
      'Figures as PNG and SVG',
      'A run report',
    ],
  },
];

export function describeView(id: ViewId): ViewDescription {
  const found = viewCatalog.find((v) => v.id === id);
  if (!found) throw new Error(`no view named ${id}`);
  return found;
}

export function isViewId(value: unknown): value is ViewId {
  return typeof value === 'string' && (viewIds as readonly string[]).includes(value);
}

/** The view named in a location hash such as "#/runs", or null. */
export function viewFromHash(hash: string): ViewId | null {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return isViewId(name) ? name : null;
}

export function hashForView(id: ViewId): string {
  return `#/${id}`;
}

/** The view to show when `requested` is asked for: views that need a project fall back to Projects. */
export function allowedView(requested: ViewId, hasProject: boolean): ViewId {
  return describeView(requested).needsProject && !hasProject ? 'projects' : requested;
}
