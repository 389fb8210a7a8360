/** A preparation step cannot run on the data it was given (the message says which step and why). */
export class PreparationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreparationError';
  }
}

/** The caller aborted the pipeline through its AbortSignal. */
export class PreparationCancelledError extends Error {
  constructor() {
    super('preparation was cancelled');
    this.name = 'PreparationCancelledError';
  }
}
