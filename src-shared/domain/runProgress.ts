/**
 * How far a run is, for people: the model's epoch label, with the run-wide count added only when
 * the label does not already say it (initialisations and best-of runs make them differ).
 */
export function epochStage(label: string, index: number, plannedEpochs: number): string {
  const overall = `${index + 1}/${plannedEpochs}`;
  return label.endsWith(` ${overall}`) ? label : `${label} (${overall} overall)`;
}
