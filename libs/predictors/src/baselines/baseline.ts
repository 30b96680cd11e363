import type { Architecture, LabelledArchitecture } from '@nasx/contracts';

/** The fit/predict shape every predictor-bench baseline has. */
export interface BaselinePredictor {
  fit(data: readonly LabelledArchitecture[]): void;
  /** Scores, larger ranks higher. */
  predict(archs: readonly Architecture[]): Float64Array;
}
