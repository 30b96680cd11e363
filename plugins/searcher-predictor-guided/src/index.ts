/**
 * @packageDocumentation
 * `@nasx/searcher-predictor-guided`: the `predictor-guided` searcher (Predictor-guided search (BANANAS-style)).
 */
import { definePlugin } from '@nasx/contracts';
import { predictorGuidedSearcher } from './predictor-guided/predictor-guided.searcher';

export { PredictorGuidedSearcher, predictorGuidedSearcher, type PredictorGuidedOptions } from './predictor-guided/predictor-guided.searcher';

export default definePlugin({ contributions: [predictorGuidedSearcher] });
