/** A simulation spec that parses but cannot be simulated (e.g. a covariance that is not positive definite). */
export class SimulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulationError';
  }
}
