/**
 * @packageDocumentation
 * `@nasx/searcher-regularized-evolution`: the `regularized-evolution` searcher (aging evolution,
 * Real et al., AAAI 2019) and `assisted-regularized-evolution` (AREA: its initial population ranked
 * by a training-free proxy, Mellor et al., ICML 2021).
 */
import { definePlugin } from '@nasx/contracts';
import { assistedRegularizedEvolutionSearcher } from './assisted-regularized-evolution/assisted-regularized-evolution.searcher';
import { regularizedEvolutionSearcher } from './regularized-evolution/regularized-evolution.searcher';

export {
  RegularizedEvolutionSearcher,
  regularizedEvolutionSearcher,
  type Member,
  type RegularizedEvolutionOptions,
} from './regularized-evolution/regularized-evolution.searcher';
export {
  AssistedRegularizedEvolutionSearcher,
  assistedRegularizedEvolutionSearcher,
  type AssistedRegularizedEvolutionOptions,
} from './assisted-regularized-evolution/assisted-regularized-evolution.searcher';

export default definePlugin({ contributions: [regularizedEvolutionSearcher, assistedRegularizedEvolutionSearcher] });
