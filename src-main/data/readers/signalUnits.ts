/**
 * Physical units as recording software writes them ('uV', 'µV', 'mV' …) and the factor that brings
 * them to SI. Only units we can convert with certainty are listed; anything else keeps its values and
 * its own unit string.
 */
const voltFactors: Record<string, number> = {
  v: 1,
  mv: 1e-3,
  uv: 1e-6,
  µv: 1e-6,
  μv: 1e-6,
  nv: 1e-9,
};

export interface SiUnit {
  unit: string;
  factor: number;
  isVoltage: boolean;
}

export function voltageUnit(written: string): SiUnit | undefined {
  const factor = voltFactors[written.trim().toLowerCase()];
  return factor === undefined ? undefined : { unit: 'V', factor, isVoltage: true };
}
