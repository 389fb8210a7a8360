import { parseVraeConfig, type VraeConfig } from '../../../../src-shared/models/vrae';
import { DvaeTrainer, type DvaeTrainerOptions } from '../dvae/trainer';
import type { DvaeSession } from '../dvae/trainingBatches';
import { VraeModel } from './model';

/** The VRAE training procedure with the DyNeMo trainer's shape: new VraeTrainer(config, sessions, options). */
export class VraeTrainer extends DvaeTrainer<VraeModel> {
  declare readonly config: VraeConfig;
  constructor(config: unknown, sessions: readonly DvaeSession[], options: DvaeTrainerOptions = {}) {
    const c = parseVraeConfig(config);
    super(c, new VraeModel(c), sessions, options);
  }
}
