import { parseVospConfig, type VospConfig } from '../../../../src-shared/models/vosp';
import { DvaeTrainer, type DvaeTrainerOptions } from '../dvae/trainer';
import type { DvaeSession } from '../dvae/trainingBatches';
import { VospModel } from './model';

/** The VOSP training procedure with the DyNeMo trainer's shape: new VospTrainer(config, sessions, options). */
export class VospTrainer extends DvaeTrainer<VospModel> {
  declare readonly config: VospConfig;
  constructor(config: unknown, sessions: readonly DvaeSession[], options: DvaeTrainerOptions = {}) {
    const c = parseVospConfig(config);
    super(c, new VospModel(c), sessions, options);
  }
}
