import { defineStore } from 'pinia';
import { computed, reactive, shallowRef } from 'vue';
import type {
  DatasetSummary,
  ImportRequest,
  InspectedFile,
  PreparationSummary,
} from '../../src-shared/domain/dataset';
import { maxPreviewPoints } from '../../src-shared/domain/dataset';
import { decodeArray } from '../../src-shared/domain/encodedArray';
import type { PreparationPipelineInput } from '../../src-shared/domain/preparation';
import type { RecordingReadOptions } from '../../src-shared/domain/recording';
import type { SimulationSpecInput } from '../../src-shared/domain/simulation';
import type { EnvelopeWindow } from '../charts/envelope';
import { useApi } from '../api/currentApi';
import { invalidInput } from '../api/displayError';
import { useJobsStore } from './jobs';
import { byAction, useTrackedActions } from './trackedActions';

/** Each action has its own busy flag, error slot and (for jobs) job id, shown next to its button. */
export type DatasetAction = 'list' | 'delete' | 'inspect' | 'import' | 'simulate' | 'prepare' | 'export';

const actions: DatasetAction[] = ['list', 'delete', 'inspect', 'import', 'simulate', 'prepare', 'export'];

/** A window of a session as the stacked-trace chart draws it, plus what the server said about it. */
export interface PreviewWindow extends EnvelopeWindow {
  annotations: { onset: number; duration: number; description: string }[];
  channelNames: string[];
  nSamples: number;
  samplingRate: number;
}

export interface PreviewSource {
  datasetId: number;
  sessionId: number;
  preparationId?: number;
  /** Channel indices to show; the service's default (the first 256) when absent. */
  channels?: number[];
}

/** What preparations of a dataset a view lists: newest first. */
export function preparationsNewestFirst(dataset: DatasetSummary): PreparationSummary[] {
  return [...dataset.preparations].sort((a, b) => b.id - a.id);
}

export const useDatasetsStore = defineStore('datasets', () => {
  // Replaced wholesale on every refresh; shallowRef keeps it out of deep reactivity.
  const datasets = shallowRef<readonly DatasetSummary[]>([]);
  const loaded = shallowRef(false);
  const selectedId = shallowRef<number | null>(null);
  const { busy, errors, track: run, latestOnly } = useTrackedActions(actions);
  const jobIds = reactive(byAction<DatasetAction, string | null>(actions, null));
  /** The inspect answer for the import wizard, one entry per file in the order asked. */
  const inspected = shallowRef<readonly InspectedFile[]>([]);

  const selected = computed(() => datasets.value.find((d) => d.id === selectedId.value) ?? null);

  let unsubscribers: Array<() => void> = [];

  const loadList = latestOnly(
    'list',
    () => useApi().datasets.list({}),
    (list) => {
      datasets.value = list;
      if (selectedId.value !== null && !list.some((d) => d.id === selectedId.value)) selectedId.value = null;
      if (selectedId.value === null && list.length > 0) selectedId.value = list[0]!.id;
    },
  );

  async function refresh(): Promise<void> {
    await loadList();
    loaded.value = true;
  }

  /** Subscribes to dataset changes (from this window, another one or the CLI) and loads the list. */
  async function start(): Promise<void> {
    if (unsubscribers.length === 0) {
      const api = useApi();
      unsubscribers = [
        api.on('dataset.changed', () => void refresh()),
        api.on('project.opened', () => {
          selectedId.value = null;
          void refresh();
        }),
        api.on('project.closed', () => {
          datasets.value = [];
          selectedId.value = null;
        }),
      ];
    }
    await refresh();
  }

  function stop(): void {
    for (const unsubscribe of unsubscribers) unsubscribe();
    unsubscribers = [];
  }

  function select(id: number | null): void {
    selectedId.value = id;
  }

  async function remove(datasetId: number): Promise<boolean> {
    const result = await run('delete', () => useApi().datasets.delete({ datasetId }));
    if (result === null) return false;
    await refresh();
    return result.deleted;
  }

  async function inspect(paths: string[], options?: RecordingReadOptions): Promise<boolean> {
    const cleaned = paths.map((p) => p.trim()).filter((p) => p !== '');
    if (cleaned.length === 0) {
      errors.inspect = invalidInput('Add at least one recording file.');
      return false;
    }
    const result = await run('inspect', () =>
      useApi().datasets.inspectFiles({ paths: cleaned, ...(options ? { options } : {}) }),
    );
    if (result === null) return false;
    inspected.value = result;
    return true;
  }

  function clearInspection(): void {
    inspected.value = [];
    errors.inspect = null;
  }

  /** Runs an operation as a tracked job whose id is kept in `jobIds[action]` for the progress bar. */
  async function runJob<T>(
    action: 'import' | 'simulate' | 'prepare',
    label: string,
    request: (jobId: string) => Promise<T>,
  ): Promise<T | null> {
    const jobs = useJobsStore();
    const result = await run(action, () =>
      jobs.run(action, label, (jobId) => {
        jobIds[action] = jobId;
        return request(jobId);
      }),
    );
    // A cancel someone asked for is not an error: the progress bar already says "cancelled".
    if (errors[action]?.code === 'CANCELLED') errors[action] = null;
    return result;
  }

  async function importFiles(request: Omit<ImportRequest, 'jobId'>): Promise<DatasetSummary | null> {
    const summary = await runJob('import', `Import ${request.name}`, (jobId) =>
      useApi().datasets.import({ ...request, jobId }),
    );
    if (summary) {
      await refresh();
      selectedId.value = summary.id;
    }
    return summary;
  }

  async function simulate(name: string, spec: SimulationSpecInput): Promise<DatasetSummary | null> {
    if (name.trim() === '') {
      errors.simulate = invalidInput('Enter a name for the simulated dataset.');
      return null;
    }
    const summary = await runJob('simulate', `Simulate ${spec.kind}`, (jobId) =>
      useApi().datasets.simulate({ name: name.trim(), spec: spec as never, jobId }),
    );
    if (summary) {
      await refresh();
      selectedId.value = summary.id;
    }
    return summary;
  }

  async function prepare(
    datasetId: number,
    pipeline: PreparationPipelineInput,
    name?: string,
  ): Promise<PreparationSummary | null> {
    if (pipeline.steps.length === 0) {
      errors.prepare = invalidInput('Add at least one preparation step.');
      return null;
    }
    const trimmed = name?.trim();
    const target = datasets.value.find((d) => d.id === datasetId);
    const label = `Prepare ${trimmed || target?.name || `dataset ${datasetId}`}`;
    const summary = await runJob('prepare', label, (jobId) =>
      useApi().datasets.prepare({
        datasetId,
        pipeline: pipeline as never,
        jobId,
        ...(trimmed ? { name: trimmed } : {}),
      }),
    );
    // Failed and cancelled preparations are kept with their error, so the list changes either way.
    await refresh();
    return summary;
  }

  async function exportPipeline(preparationId: number): Promise<string | null> {
    const result = await run('export', () => useApi().datasets.exportPipeline({ preparationId }));
    return result?.json ?? null;
  }

  /**
   * A window of raw or prepared samples, min/max per bucket: the fetch callback the stacked-trace
   * chart calls on every zoom and pan.
   */
  async function previewWindow(
    source: PreviewSource,
    startSample: number,
    endSample: number,
    maxPoints: number,
  ): Promise<PreviewWindow> {
    const preview = await useApi().datasets.preview({
      datasetId: source.datasetId,
      sessionId: source.sessionId,
      ...(source.preparationId !== undefined ? { preparationId: source.preparationId } : {}),
      ...(source.channels ? { channels: source.channels } : {}),
      startSample,
      endSample,
      maxPoints: Math.max(1, Math.min(maxPreviewPoints, Math.round(maxPoints))),
    });
    return {
      startSample: preview.startSample,
      endSample: preview.endSample,
      step: preview.step,
      nChannels: preview.channelNames.length,
      min: decodeArray(preview.min) as Float32Array,
      max: decodeArray(preview.max) as Float32Array,
      gaps: preview.gaps,
      annotations: preview.annotations,
      channelNames: preview.channelNames,
      nSamples: preview.nSamples,
      samplingRate: preview.samplingRate,
    };
  }

  function dismissError(action: DatasetAction): void {
    errors[action] = null;
  }

  return {
    datasets,
    loaded,
    selectedId,
    selected,
    busy,
    errors,
    jobIds,
    inspected,
    start,
    stop,
    refresh,
    select,
    remove,
    inspect,
    clearInspection,
    importFiles,
    simulate,
    prepare,
    exportPipeline,
    previewWindow,
    dismissError,
  };
});
