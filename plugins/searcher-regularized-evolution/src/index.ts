/**
 * @packageDocumentation
 * `@nasx/searcher-regularized-evolution`: the `regularized-evolution` searcher (aging evolution,
 * Real et al., AAAI 2019).
 */
import { definePlugin } from '@nasx/contracts';
import { regularizedEvolutionSearcher } from './regularized-evolution/regularized-evolution.searcher';

export {
  RegularizedEvolutionSearcher,
  regularizedEvolutionSearcher,
  type Member,
  type RegularizedEvolutionOptions,
} from './regularized-evolution/regularized-evolution.searcher';

export default definePlugin({ contributions: [regularizedEvolutionSearcher] });
