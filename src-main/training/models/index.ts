import type { ModelKind } from '../../../src-shared/domain/run';
import { dynemoTrainingModel } from './dynemo';
import type { TrainingModel } from './trainingModel';
import { vospTrainingModel } from './vosp';
import { vraeTrainingModel } from './vrae';

/** Every model the training process can build, by kind. Adding a model: its file plus one line here. */
export const trainingModels: Record<ModelKind, TrainingModel> = {
  dynemo: dynemoTrainingModel,
  vrae: vraeTrainingModel,
  vosp: vospTrainingModel,
};

export function trainingModel(kind: string): TrainingModel {
  const model = (trainingModels as Record<string, TrainingModel | undefined>)[kind];
  if (!model) {
    throw new Error(`no trainer for model kind "${kind}" (known: ${Object.keys(trainingModels).join(', ')})`);
  }
  return model;
}
