/**
 * Seeded simulations with their ground truth. One generator, seeded from `seed`, is consumed in a
 * fixed order (observation parameters, then per session: time course, then observations), so the
 * same spec always gives the same dataset.
 */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import {
  parseSimulationSpec,
  type SimulationKind,
  type SimulationSpec,
  type SimulationSpecInput,
} from '../../../src-shared/domain/simulation';
import { SeededRandom } from '../../numerics/random';
import { mixedSineModes } from './mixedSine';
import { buildObservationModel, sampleObservations } from './observation';
import {
  markovStates,
  offDiagonalTransitions,
  oneHot,
  semiMarkovStates,
  transitionMatrix,
} from './stateSequences';

export interface SimulationTruth {
  kind: SimulationKind;
  nModes: number;
  nChannels: number;
  /** Per session, nSamples × nModes: one-hot states (HMM/HSMM) or softmax mixing weights (MixedSine). */
  alpha: Float32Array[];
  /** Per session, the state index at each sample (HMM/HSMM). */
  states?: Int32Array[];
  /** nModes × nChannels. */
  means: Float64Array;
  /** nModes × nChannels × nChannels. */
  covariances: Float64Array;
  /** nModes × nModes: the HMM transition matrix, or the HSMM's off-diagonal jump matrix. */
  transProb?: Float64Array;
  /** Per session, the HSMM visit lengths in samples. */
  lifetimes?: number[][];
  /** Per session, nSamples × nModes logits (MixedSine). */
  logits?: Float32Array[];
  /** Per session, the random phase of each mode's sinusoid (MixedSine). */
  phases?: number[][];
}

export interface SimulationResult {
  spec: SimulationSpec;
  sessions: TimeSeriesSession[];
  truth: SimulationTruth;
}

export function simulate(input: SimulationSpec | SimulationSpecInput): SimulationResult {
  const spec = parseSimulationSpec(input);
  const rng = new SeededRandom(spec.seed);
  const nModes = spec.kind === 'MixedSine_MVN' ? spec.n_modes : spec.n_states;
  const model = buildObservationModel(rng, spec, nModes);
  const truth: SimulationTruth = {
    kind: spec.kind,
    nModes,
    nChannels: spec.n_channels,
    alpha: [],
    means: model.means,
    covariances: model.covariances,
  };
  const sessions: TimeSeriesSession[] = [];
  const n = spec.n_samples;

  if (spec.kind === 'HMM_MVN') {
    truth.transProb = transitionMatrix(spec.trans_prob, nModes, spec.stay_prob);
    truth.states = [];
  } else if (spec.kind === 'HSMM_MVN') {
    truth.transProb = offDiagonalTransitions(nModes, spec.off_diagonal_trans_prob ?? spec.full_trans_prob);
    truth.states = [];
    truth.lifetimes = [];
  } else {
    truth.logits = [];
    truth.phases = [];
  }

  for (let s = 0; s < spec.n_sessions; s++) {
    let alpha: Float32Array;
    if (spec.kind === 'HMM_MVN') {
      const states = markovStates(rng, truth.transProb!, nModes, n);
      truth.states!.push(states);
      alpha = oneHot(states, nModes);
    } else if (spec.kind === 'HSMM_MVN') {
      const { states, lifetimes } = semiMarkovStates(
        rng,
        truth.transProb!,
        nModes,
        n,
        spec.gamma_shape,
        spec.gamma_scale,
      );
      truth.states!.push(states);
      truth.lifetimes!.push(lifetimes);
      alpha = oneHot(states, nModes);
    } else {
      const modes = mixedSineModes(rng, spec, n);
      truth.logits!.push(modes.logits);
      truth.phases!.push(modes.phases);
      alpha = modes.alpha;
    }
    truth.alpha.push(alpha);
    const data = sampleObservations(rng, model, alpha, n, spec.observation_error);
    sessions.push({ data, nSamples: n, nChannels: spec.n_channels, samplingRate: spec.sampling_frequency });
  }
  return { spec, sessions, truth };
}
