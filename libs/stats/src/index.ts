/**
 * @packageDocumentation
 * `@nasx/stats`: the statistics nasx reports — rank correlations between scores and ground truth
 * (zero-cost proxies, predictors) and summaries over seeds.
 */
export { kendallTau, ranks, spearman } from './rank-correlation';
export { mean, sampleStd } from './summary';
export { crowdingDistance, dominates, hypervolume, nonDominatedSort, paretoFrontIndices, type ObjectivePoint } from './pareto';
export * from './task-metrics';
