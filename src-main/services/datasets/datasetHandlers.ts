import { parsePipeline, pipelineToJson } from '../../../src-shared/domain/preparation';
import { RpcError } from '../../../src-shared/rpc/errors';
import type { PartialHandlers } from '../../rpc/handlerRegistry';
import { DatasetRepository } from '../../store/datasetRepository';
import type { EventBus } from '../eventBus';
import type { JobRegistry } from '../jobRegistry';
import type { ProjectService } from '../projectService';
import { datasetError } from './errors';
import { readGroundTruth } from './groundTruth';
import { importRecordings } from './importRecordings';
import { inspectFiles } from './inspectFiles';
import { prepareDataset } from './prepareDataset';
import { previewWindow } from './preview';
import { simulateDataset } from './simulateDataset';
import { datasetSummary, preparationSummary } from './summaries';

export interface DatasetServiceDeps {
  projects: ProjectService;
  jobs: JobRegistry;
  events: EventBus;
}

/** The `datasets.*` channels; long operations run as jobs (progress events, cooperative cancel). */
export function datasetHandlers({ projects, jobs, events }: DatasetServiceDeps): PartialHandlers {
  const repo = () => new DatasetRepository(projects.require());
  const writableStore = (operation: string) => {
    const store = projects.require();
    store.assertWritable(operation);
    return store;
  };
  return {
    'datasets.inspectFiles': ({ paths, options }) => inspectFiles(paths, options),

    'datasets.import': ({ jobId, ...request }) => {
      const store = writableStore('import recordings');
      return jobs.run('import', jobId, async (job) => {
        const datasetId = await importRecordings(store, request, job);
        events.emit('dataset.changed', { datasetId, change: 'created' });
        return datasetSummary(new DatasetRepository(store), new DatasetRepository(store).get(datasetId));
      });
    },

    'datasets.list': () => {
      const r = repo();
      return r.list().map((d) => datasetSummary(r, d));
    },

    'datasets.get': ({ datasetId }) => {
      const r = repo();
      return datasetSummary(r, r.get(datasetId));
    },

    'datasets.delete': ({ datasetId }) => {
      const store = writableStore('delete a dataset');
      const r = new DatasetRepository(store);
      const dataset = r.get(datasetId);
      r.delete(datasetId);
      store.appendAction({ kind: 'datasets.delete', payload: { datasetId, name: dataset.name } });
      events.emit('dataset.changed', { datasetId, change: 'deleted' });
      return { deleted: true };
    },

    'datasets.prepare': ({ jobId, datasetId, pipeline, name }) => {
      const store = writableStore('prepare a dataset');
      new DatasetRepository(store).get(datasetId);
      return jobs.run('prepare', jobId, async (job) => {
        const preparationId = await prepareDataset(store, { datasetId, pipeline, name }, job);
        events.emit('dataset.changed', { datasetId, change: 'prepared' });
        return preparationSummary(new DatasetRepository(store).preparation(preparationId));
      });
    },

    'datasets.exportPipeline': ({ preparationId }) => {
      const preparation = repo().preparation(preparationId);
      try {
        return { json: pipelineToJson(parsePipeline(preparation.pipeline)) };
      } catch (error) {
        const mapped = datasetError(error);
        throw mapped instanceof RpcError
          ? new RpcError(
              'PROJECT_CORRUPT',
              `stored pipeline of preparation ${preparationId} is invalid: ${mapped.message}`,
            )
          : mapped;
      }
    },

    'datasets.simulate': ({ jobId, name, spec }) => {
      const store = writableStore('simulate a dataset');
      return jobs.run('simulate', jobId, async (job) => {
        const datasetId = await simulateDataset(store, { name, spec }, job);
        events.emit('dataset.changed', { datasetId, change: 'created' });
        const r = new DatasetRepository(store);
        return datasetSummary(r, r.get(datasetId));
      });
    },

    'datasets.groundTruth': ({ datasetId, sessionId }) =>
      readGroundTruth(projects.require(), datasetId, sessionId),

    'datasets.preview': (request) => previewWindow(projects.require(), request),
  };
}
