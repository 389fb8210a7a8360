/** A problem with what was asked to be exported (shape, name, dtype); the message says which. */
export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}
