/**
 * @packageDocumentation
 * `@nasx/searcher-evolution`: the evolutionary search of Single-Path One-Shot NAS (Guo et al.,
 * ECCV 2020), as RLNAS (Zhang et al., ICCV 2021) runs it under its angle metric.
 */
import { definePlugin } from '@nasx/contracts';
import { evolutionSearcher } from './evolution/evolution.searcher';

export { EvolutionSearcher, evolutionSearcher, type EvolutionOptions } from './evolution/evolution.searcher';

export default definePlugin({ contributions: [evolutionSearcher] });
