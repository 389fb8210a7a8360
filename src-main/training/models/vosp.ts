import { parseVospConfig } from '../../../src-shared/models/vosp';
import { dvaeTrainingModel } from './dvae';

/** VOSP (Bayer & Osendorfer 3.2): forward-only recognition, so denoising is online. */
export const vospTrainingModel = dvaeTrainingModel('vosp', parseVospConfig);
