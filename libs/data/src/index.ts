/**
 * @packageDocumentation
 * Framework-free dataset helpers shared by task plugins: seeded (stratified) splits, an in-memory
 * image `DataSplit` with seeded shuffling, normalisation statistics. No tensor library here: tasks
 * deliver typed arrays per the `Task` contract.
 */
export * from './split';
export * from './image-split';
export * from './normalize';
export * from './load-once';
