import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, stableJson, type Json } from '@nasx/contracts';
import { readTensorFile, writeFileAtomic, writeTensorFile, type TensorFileEntry } from '@nasx/tensor';

export const PKG = '@nasx/estimator-ghn';

/** Checkpoint layout version. */
export const GHN_CHECKPOINT_FORMAT = 1;

/** What decides a meta-trained GHN: a checkpoint is reused only by the same setup. */
export interface GhnSetup {
  /** Space of the training graphs (`deepnets`, or the run's space). */
  readonly graphs: string;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** GHN architecture (hidden, maxShape, virtualEdges, layerNorm, weightNorm). */
  readonly ghn: { readonly [k: string]: Json };
  /** Meta-training schedule, graph ranges, the training set's size, the macro of space graphs. */
  readonly schedule: { readonly [k: string]: Json };
  readonly seed: number;
}

/** A float32 file of named tensors, concatenated in `names` order. */
export type TensorFile = TensorFileEntry;

/** `ghn.json`: the setup, progress and files of a GHN being meta-trained. */
export interface GhnCheckpoint {
  readonly format: number;
  readonly fingerprint: string;
  readonly setup: GhnSetup;
  readonly stepsDone: number;
  readonly totalSteps: number;
  readonly complete: boolean;
  /** Mean meta-training loss per checkpoint interval. */
  readonly history: readonly { readonly step: number; readonly loss: number }[];
  readonly weights: TensorFile;
  /** Adam's state (iterations, first and second moments) while the schedule goes on. */
  readonly optimizer?: TensorFile;
  /** Seconds spent meta-training so far. */
  readonly seconds: number;
}

export function setupFingerprint(setup: GhnSetup): string {
  return createHash('sha256').update(stableJson(setup)).digest('hex').slice(0, 16);
}

/** `<stateDir>/ghn/<fingerprint>/`. */
export function checkpointDir(stateDir: string, setup: GhnSetup): string {
  return path.join(stateDir, 'ghn', setupFingerprint(setup));
}

/** Writes named float32 tensors to `<dir>/<file>` and returns the entry. */
export function writeTensors(dir: string, file: string, tensors: ReadonlyMap<string, Float32Array>): TensorFile {
  return writeTensorFile(dir, file, tensors);
}

/** Reads a {@link TensorFile} back by name. */
export function readTensors(dir: string, entry: TensorFile, manifest: string): Map<string, Float32Array> {
  return readTensorFile(dir, entry, { pkg: PKG, manifest, fix: 'delete the folder so the GHN is meta-trained again' });
}

/** Writes `ghn.json` (after the files it names). */
export function writeCheckpoint(dir: string, c: GhnCheckpoint): void {
  writeFileAtomic(path.join(dir, 'ghn.json'), `${JSON.stringify(c, null, 1)}\n`);
}

/** The checkpoint in `file`, or undefined when there is none. */
export function readCheckpoint(file: string): GhnCheckpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: GhnCheckpoint;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as GhnCheckpoint;
  } catch (e) {
    throw new NasxError('data', `${file} is not a GHN checkpoint: ${e instanceof Error ? e.message : String(e)}`, {
      pkg: PKG,
      file,
      fix: 'point at the ghn.json of a GHN folder, or delete the folder so the GHN is meta-trained again',
    });
  }
  if (parsed?.format !== GHN_CHECKPOINT_FORMAT || typeof parsed.setup !== 'object' || typeof parsed.weights !== 'object') {
    throw new NasxError('data', `${file} is not a GHN checkpoint of format ${GHN_CHECKPOINT_FORMAT}`, {
      pkg: PKG,
      file,
      fix: 'point at the ghn.json written by @nasx/estimator-ghn',
    });
  }
  return parsed;
}

/** What differs between two setups, as `key a ≠ b` phrases (empty when equal). */
export function setupDifferences(a: GhnSetup, b: GhnSetup): string[] {
  const out: string[] = [];
  for (const k of ['graphs', 'inputShape', 'numClasses', 'ghn', 'seed'] as const)
    if (stableJson(a[k]) !== stableJson(b[k])) out.push(`${k} ${stableJson(a[k])} ≠ ${stableJson(b[k])}`);
  const keys = new Set([...Object.keys(a.schedule), ...Object.keys(b.schedule)]);
  for (const k of [...keys].sort())
    if (stableJson(a.schedule[k]) !== stableJson(b.schedule[k])) out.push(`train.${k} ${stableJson(a.schedule[k])} ≠ ${stableJson(b.schedule[k])}`);
  return out;
}
