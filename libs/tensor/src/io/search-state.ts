/**
 * The per-epoch state of a gradient-based search (DARTS, Auto-DeepLab): the supernet's weights, the
 * weight optimizer's momentum, the architecture parameters with Adam's state, and the finished
 * epochs, in a state folder: `<manifest>` (JSON) beside three tensor files. Written so that a run
 * killed at any moment resumes from the last whole checkpoint (see `tensor-file.ts`). Node only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { adamState, restoreAdamState } from './optimizer-state';
import { pruneTensorFiles, readTensorFile, writeFileAtomic, writeTensorFile, type TensorFileEntry } from './tensor-file';

/** What a search checkpoints. */
export interface SearchStateParts {
  /** Every variable of the supernet to keep (weights, and batch-norm statistics where kept), by a unique name. */
  readonly weights: ReadonlyMap<string, tf.Variable>;
  /** The weight optimizer's momentum buffers (SgdOptimizer, HostSgdOptimizer). */
  readonly momentum: { momentumBuffers(): Map<string, Float32Array>; loadMomentumBuffers(values: ReadonlyMap<string, ArrayLike<number>>): void };
  /** The architecture parameters, and their name in the file. */
  readonly arch: tf.Variable;
  readonly archName: string;
  readonly adam: tf.AdamOptimizer;
}

/** Who owns the state, for messages. */
export interface SearchStateOwner {
  readonly pkg: string;
  readonly contribution: string;
  /** The method's name in messages (`DARTS`). */
  readonly method: string;
}

interface SearchStateFile<E> {
  readonly format: number;
  readonly setup: string;
  readonly epochs: readonly E[];
  readonly weights: TensorFileEntry;
  readonly momentum: TensorFileEntry;
  readonly arch: TensorFileEntry;
}

/** Layout version of the manifest. */
const FORMAT = 1;

/** Writes the state after an epoch: the tensor files, then the manifest, then prunes the previous checkpoint's files. */
export async function saveSearchState<E>(dir: string, manifest: string, setup: string, epochs: readonly E[], parts: SearchStateParts): Promise<void> {
  const weights = new Map([...parts.weights].map(([n, v]) => [n, v.dataSync() as Float32Array]));
  const arch = new Map<string, Float32Array>([[parts.archName, parts.arch.dataSync() as Float32Array]]);
  for (const [n, v] of await adamState(parts.adam)) arch.set(n, v);
  const state: SearchStateFile<E> = {
    format: FORMAT,
    setup,
    epochs,
    weights: writeTensorFile(dir, 'weights.bin', weights),
    momentum: writeTensorFile(dir, 'momentum.bin', parts.momentum.momentumBuffers()),
    arch: writeTensorFile(dir, 'arch.bin', arch),
  };
  writeFileAtomic(path.join(dir, manifest), `${JSON.stringify(state, null, 1)}\n`);
  pruneTensorFiles(dir, [state.weights, state.momentum, state.arch]);
}

/**
 * Loads the state of an earlier run of the same `setup` into `parts`; returns its finished epochs
 * (none without a state). A state of another setup is a `run` error naming the folder.
 */
export async function loadSearchState<E>(dir: string, manifest: string, setup: string, parts: SearchStateParts, owner: SearchStateOwner): Promise<E[]> {
  const file = path.join(dir, manifest);
  if (!fs.existsSync(file)) return [];
  const state = JSON.parse(fs.readFileSync(file, 'utf8')) as SearchStateFile<E>;
  if (state.format !== FORMAT || state.setup !== setup) {
    throw new NasxError('run', `the ${owner.method} state in ${dir} belongs to another setup (space, task, seed or options changed)`, {
      pkg: owner.pkg,
      contribution: owner.contribution,
      file,
      fix: 'resume with the configuration the run started with, or delete the folder to start the search again',
    });
  }
  const files = { pkg: owner.pkg, manifest: file, fix: `delete ${dir} to start the search again` };
  const weights = readTensorFile(dir, state.weights, files);
  tf.tidy(() => {
    for (const [n, v] of parts.weights) v.assign(tf.tensor(weights.get(n)!, v.shape));
  });
  parts.momentum.loadMomentumBuffers(readTensorFile(dir, state.momentum, files));
  const arch = readTensorFile(dir, state.arch, files);
  tf.tidy(() => parts.arch.assign(tf.tensor(arch.get(parts.archName)!, parts.arch.shape)));
  await restoreAdamState(parts.adam, arch, parts.arch);
  return [...state.epochs];
}
