/**
 * @packageDocumentation
 * Framework-free dataset helpers shared by task plugins: seeded (stratified) splits, an in-memory
 * image `DataSplit` with seeded shuffling, normalisation statistics, and a streaming TFRecord reader
 * (CRC-32C checked) for benchmark releases stored as TFRecords. No tensor library here: tasks
 * deliver typed arrays per the `Task` contract.
 */
export * from './split';
export * from './image-split';
export * from './sharded-split';
export * from './subset-split';
export * from './normalize';
export * from './load-once';
export * from './crc32c';
export * from './tfrecord';
export * from './numpy-random';
export * from './formats/ndarray';
export * from './formats/npy';
export * from './formats/npz';
export * from './formats/byte-source';
export * from './formats/pickle.reader';
export * from './formats/pickle';
export * from './formats/spill';
export * from './formats/mat';
export * from './formats/npz-writer';
export * from './formats/tar';
export * from './formats/audio';
export * from './formats/audio-workers';
export * from './formats/csv';
