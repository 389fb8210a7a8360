import { parseVraeConfig } from '../../../src-shared/models/vrae';
import { dvaeTrainingModel } from './dvae';

/** VRAE (Bayer & Osendorfer 3.1): bidirectional recognition and generation, offline imputation and denoising. */
export const vraeTrainingModel = dvaeTrainingModel('vrae', parseVraeConfig);
