/**
 * @packageDocumentation
 * The nasx kernel: plugin discovery from manifests, config loading and validation, the composition
 * root, the run loop with its middlewares, the journal and the run store.
 */
export * from './rng/rng';
export * from './kernel';
export * from './version';
export * from './ajv';
export * from './suggest';
export * from './plugins/discovered-plugin';
export * from './plugins/discovery';
export * from './plugins/plugin-registry';
export * from './config/config-document';
export * from './config/resolved-config';
export * from './config/validate-config';
export * from './config/compose-schema';
export * from './config/pipeline.schema';
export * from './config/overrides';
export * from './objective/objective';
export * from './run/run-state';
export * from './run/run-loop';
export * from './run/journal';
export * from './run/report';
export * from './run/run-store';
export * from './run/trial';
export { trialRng } from './run/trial-runner';
export * from './middlewares/wall-clock.middleware';
export * from './middlewares/finish.middleware';
export * from './middlewares/journal.middleware';
export * from './middlewares/dedup.middleware';
export { composeRun, composeSpaceAndTask, createRunLogger, type RunComposition } from './composition-root';
export { listSearcher, type ListSearcherOptions } from './builtin/list.searcher';
export * from './run/exact-front';
export { createExecutorWorkerHost, estimationJob, type ExecutorWorkerHostOptions } from './executors/remote-estimation';
