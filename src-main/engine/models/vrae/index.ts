/** VRAE in the engine: what the training process and the services use. */
export { VraeModel } from './model';
export { VraeTrainer } from './trainer';
export * from '../dvae/index';
