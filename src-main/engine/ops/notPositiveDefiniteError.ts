/**
 * The mixed covariance Σ_k α_tk D_k at one time point is not positive definite, so its log-density is
 * undefined. Raised instead of letting NaN flow into the loss.
 */
export class NotPositiveDefiniteError extends Error {
  readonly batchIndex: number;
  readonly timeIndex: number;
  readonly pivot: number;

  constructor(batchIndex: number, timeIndex: number, pivot: number) {
    super(
      `mixture covariance at batch ${batchIndex}, time ${timeIndex} is not positive definite ` +
        `(Cholesky pivot ${pivot})`,
    );
    this.name = 'NotPositiveDefiniteError';
    this.batchIndex = batchIndex;
    this.timeIndex = timeIndex;
    this.pivot = pivot;
  }
}
