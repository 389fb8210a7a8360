/** Post-hoc analysis of inferred mode time courses (pure computation on typed arrays). */
export { AnalysisInputError } from './errors';
export { reweightAlphas, covarianceTraces } from './reweightAlphas';
export {
  argmaxBinarise,
  gmmBinarise,
  type GmmBinarisation,
  type GmmBinariseOptions,
  type ModeThreshold,
} from './binarise';
export {
  fitTwoComponentGaussianMixture,
  gaussianMixtureElbo,
  defaultGaussianMixturePriors,
  type ComponentPosterior,
  type GaussianMixturePriors,
  type TwoComponentFit,
  type TwoComponentFitOptions,
} from './variationalGaussianMixture';
export { summaryStatistics, type ModeSummaryStatistics } from './summaryStatistics';
export {
  regressionSpectra,
  type RegressionSpectra,
  type RegressionSpectraOptions,
} from './regressionSpectra';
export {
  alphaCorrelation,
  dice,
  matchModes,
  modeCorrelationMatrix,
  reorderModes,
  type AlphaCorrelation,
  type DiceCoefficients,
  type ModeMatch,
} from './modeMatching';
export { minimumCostAssignment } from './linearAssignment';
