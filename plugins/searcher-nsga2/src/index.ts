/**
 * @packageDocumentation
 * `@nasx/searcher-nsga2`: the `nsga2` searcher, NSGA-II (Deb et al., IEEE TEC 2002) for runs with
 * a multi-objective (`type: multi`) objective.
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
} from './nsga2/nsga2.searcher';

export default definePlugin({ contributions: [nsga2Searcher] });
