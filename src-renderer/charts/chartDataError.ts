/** Input a chart cannot draw (wrong shapes, empty ranges, non-finite limits), with what was wrong. */
export class ChartDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChartDataError';
  }
}
