/**
 * Bad input to a post-hoc analysis. `argument` names the offending parameter so a service can
 * turn this into an RPC INVALID_INPUT error with a pointer to the field.
 */
export class AnalysisInputError extends Error {
  readonly argument: string;

  constructor(argument: string, message: string) {
    super(`${argument}: ${message}`);
    this.name = 'AnalysisInputError';
    this.argument = argument;
  }
}
