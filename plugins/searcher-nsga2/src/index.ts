/**
 * @packageDocumentation
 * `@nasx/searcher-nsga2`: the `nsga2` searcher, NSGA-II (Deb et al., IEEE TEC 2002) for runs with
 * a multi-objective (`type: multi`) objective, with surrogate-assisted offspring selection
 * (MSuNAS, Lu et al., ECCV 2020) on by default.
 */
import { definePlugin } from '@nasx/contracts';
import { nsga2Searcher } from './nsga2/nsga2.searcher';

export {
  Nsga2Searcher,
  nsga2Searcher,
  requireMultiObjective,
  resolveCrossover,
  type CrossoverKind,
  type Nsga2Member,
  type Nsga2Options,
  type SurrogateSelection,
} from './nsga2/nsga2.searcher';
export {
  ObjectiveSurrogate,
  rankByPredictedImprovement,
  resolveSurrogate,
  MonotoneMap,
  surrogateFeatures,
  type SurrogateKind,
  type SurrogateTargets,
} from './nsga2/surrogate';

export default definePlugin({ contributions: [nsga2Searcher] });
