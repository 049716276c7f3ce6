// Weights for services with dynamicWeights: an agent's own weight when it reports one, otherwise
// its load index scaled against the best one reported (the best gets 100, the rest in proportion,
// never below 1 so a reporting server is never made quiescent by arithmetic alone).
export const DERIVED_WEIGHT_MAX = 100;

export function derivedWeight(loadIndex: number, bestLoadIndex: number): number {
  if (!(bestLoadIndex > 0)) return 1;
  return Math.min(DERIVED_WEIGHT_MAX, Math.max(1, Math.round((DERIVED_WEIGHT_MAX * loadIndex) / bestLoadIndex)));
}

export function dynamicWeightOf(report: { loadIndex: number; weight?: number }, bestLoadIndex: number): number {
  return report.weight ?? derivedWeight(report.loadIndex, bestLoadIndex);
}
