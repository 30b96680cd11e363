/**
 * @packageDocumentation
 * The contracts of nasx: one interface (and an injection token of the same name) per extension
 * point, the architecture types, the search-event union, metric names, objectives, user-facing
 * errors, the `define*()` helpers and the plugin-manifest schema.
 */
export * from './json';
export * from './rng';
export * from './architecture';
export * from './metrics';
export * from './estimate';
export * from './objective';
export * from './objective-helpers';
export * from './events';
export * from './errors';
export * from './context';
export * from './search-space.contract';
export * from './task.contract';
export * from './estimator.contract';
export * from './searcher.contract';
export * from './latency-model.contract';
export * from './executor.contract';
export * from './dataset.contract';
export * from './define';
export * from './manifest';
export * from './schema-defaults';
export * from './operator-table';
