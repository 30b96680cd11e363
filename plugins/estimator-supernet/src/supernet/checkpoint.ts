import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, stableJson, type Json } from '@nasx/contracts';
import { readTensorFile, writeFileAtomic, writeTensorFile } from '@nasx/tensor';

export const PKG = '@nasx/estimator-supernet';

/** Checkpoint layout version. */
export const CHECKPOINT_FORMAT = 1;

/** What decides a trained supernet: a checkpoint is reused only by the same setup. */
export interface SupernetSetup {
  readonly contribution: string;
  readonly space: string;
  readonly macro: { readonly [name: string]: number };
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  /** Training-split size and schedule settings (epochs, batch, learning rates, split, label seed…). */
  readonly schedule: { readonly [name: string]: Json };
  readonly seed: number;
}

/** One weight set of a checkpoint (the one-shot supernet, or sub-supernet k). */
export interface WeightSetEntry {
  readonly file: string;
  /** Epochs of its schedule done when it was written. */
  readonly epochsDone: number;
  readonly names: readonly string[];
  readonly sizes: readonly number[];
  /**
   * The SGD momentum buffers at `epochsDone` (`<set>.momentum.bin`, same layout), while the set's
   * schedule is unfinished: a resumed schedule takes the uninterrupted one's steps.
   */
  readonly momentum?: Omit<WeightSetEntry, 'momentum'>;
}

/** `supernet.json`: the setup, the progress and the weight files of a supernet being trained. */
export interface SupernetCheckpoint {
  readonly format: number;
  readonly fingerprint: string;
  readonly setup: SupernetSetup;
  /** `one-shot` and, for few-shot NAS, `sub-0`, `sub-1`, …. */
  readonly sets: { readonly [set: string]: WeightSetEntry };
  /** True once every set finished its schedule. */
  readonly complete: boolean;
}

const stable = stableJson;

export function setupFingerprint(setup: SupernetSetup): string {
  return createHash('sha256').update(stable(setup)).digest('hex').slice(0, 16);
}

/** `<stateDir>/supernets/<contribution>-<fingerprint>/`. */
export function checkpointDir(stateDir: string, setup: SupernetSetup): string {
  return path.join(stateDir, 'supernets', `${setup.contribution}-${setupFingerprint(setup)}`);
}

/** Writes one weight set (`<set>.bin`, float32 in name order) and returns its entry. */
export function writeWeightSet(dir: string, set: string, weights: ReadonlyMap<string, Float32Array>, epochsDone: number): WeightSetEntry {
  return { ...writeTensorFile(dir, `${set}.bin`, weights), epochsDone };
}

/** Reads a weight set back by name. */
export function readWeightSet(dir: string, entry: WeightSetEntry, manifest: string): Map<string, Float32Array> {
  return readTensorFile(dir, entry, { pkg: PKG, manifest, fix: 'delete the folder so the supernet is trained again' });
}

/** Writes `supernet.json` (after its weight files, so a manifest never names a missing file). */
export function writeCheckpoint(dir: string, checkpoint: SupernetCheckpoint): void {
  writeFileAtomic(path.join(dir, 'supernet.json'), `${JSON.stringify(checkpoint, null, 1)}\n`);
}

/** The checkpoint of a folder, or undefined when there is none. */
export function readCheckpoint(file: string): SupernetCheckpoint | undefined {
  if (!fs.existsSync(file)) return undefined;
  let parsed: SupernetCheckpoint;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SupernetCheckpoint;
  } catch (e) {
    throw new NasxError('data', `${file} is not a supernet checkpoint: ${e instanceof Error ? e.message : String(e)}`, {
      pkg: PKG,
      file,
      fix: 'point at the supernet.json of a supernet folder, or delete the folder so the supernet is trained again',
    });
  }
  if (parsed?.format !== CHECKPOINT_FORMAT || typeof parsed.setup !== 'object' || typeof parsed.sets !== 'object') {
    throw new NasxError('data', `${file} is not a supernet checkpoint of format ${CHECKPOINT_FORMAT}`, {
      pkg: PKG,
      file,
      fix: 'point at the supernet.json written by @nasx/estimator-supernet',
    });
  }
  return parsed;
}

/** What differs between two setups, as `key: a ≠ b` phrases (empty when equal). */
export function setupDifferences(a: SupernetSetup, b: SupernetSetup): string[] {
  const out: string[] = [];
  const keys = ['contribution', 'space', 'macro', 'inputShape', 'numClasses', 'seed'] as const;
  for (const k of keys) if (stable(a[k]) !== stable(b[k])) out.push(`${k} ${stable(a[k])} ≠ ${stable(b[k])}`);
  const sk = new Set([...Object.keys(a.schedule), ...Object.keys(b.schedule)]);
  for (const k of [...sk].sort())
    if (stable(a.schedule[k]) !== stable(b.schedule[k])) out.push(`schedule.${k} ${stable(a.schedule[k])} ≠ ${stable(b.schedule[k])}`);
  return out;
}
