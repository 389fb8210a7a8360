/** Zero-phase Butterworth filtering (osl-dynamics `filter`), run by run. */
import type { TimeSeriesSession } from '../../../src-shared/domain/preparation';
import { designButterworth, FilterDesignError, type Sos } from '../../numerics/butterworth';
import { sosFiltfilt } from '../../numerics/sosFilter';
import { PreparationError } from './errors';
import { mapRunsPerChannel } from './segments';

export interface FilterParams {
  low_freq: number | null;
  high_freq: number | null;
  order: number;
}

/** low_freq alone is a high-pass, high_freq alone a low-pass, both a band-pass (as osl-dynamics). */
export function filterDesign(params: FilterParams, samplingRate: number): Sos {
  const { low_freq: low, high_freq: high, order } = params;
  try {
    if (low !== null && high !== null)
      return designButterworth({ order, kind: 'bandpass', cutoff: [low, high], samplingRate });
    if (high !== null) return designButterworth({ order, kind: 'lowpass', cutoff: high, samplingRate });
    if (low !== null) return designButterworth({ order, kind: 'highpass', cutoff: low, samplingRate });
  } catch (e) {
    if (e instanceof FilterDesignError) throw new PreparationError(`filter: ${e.message}`);
    throw e;
  }
  throw new PreparationError('filter: needs low_freq, high_freq or both');
}

export function filterSession(session: TimeSeriesSession, params: FilterParams): TimeSeriesSession {
  const sos = filterDesign(params, session.samplingRate);
  return mapRunsPerChannel(session, (segment) => sosFiltfilt(sos, segment));
}
