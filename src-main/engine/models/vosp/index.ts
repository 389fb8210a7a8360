/** VOSP in the engine: what the training process and the services use. */
export { VospModel } from './model';
export { VospTrainer } from './trainer';
export * from '../dvae/index';
