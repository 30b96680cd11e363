import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, stableJson, type Json } from '@nasx/contracts';

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

function atomicWrite(file: string, data: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Writes one weight set (`<set>.bin`, float32 in name order) and returns its entry. */
export function writeWeightSet(dir: string, set: string, weights: ReadonlyMap<string, Float32Array>, epochsDone: number): WeightSetEntry {
  fs.mkdirSync(dir, { recursive: true });
  const names = [...weights.keys()];
  const sizes = names.map((n) => weights.get(n)!.length);
  const all = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let o = 0;
  for (const n of names) {
    all.set(weights.get(n)!, o);
    o += weights.get(n)!.length;
  }
  const file = `${set}.bin`;
  atomicWrite(path.join(dir, file), new Uint8Array(all.buffer));
  return { file, epochsDone, names, sizes };
}

/** Reads a weight set back by name. */
export function readWeightSet(dir: string, entry: WeightSetEntry, manifest: string): Map<string, Float32Array> {
  const file = path.join(dir, entry.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new NasxError('data', `${manifest} names the weight file ${entry.file}, which is missing beside it`, {
      pkg: PKG,
      file: manifest,
      fix: 'copy the whole supernet folder, or delete it so the supernet is trained again',
    });
  }
  const total = entry.sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 4) {
    throw new NasxError('data', `${file} holds ${bytes.length} bytes, ${manifest} says ${total * 4}`, {
      pkg: PKG,
      file,
      fix: 'the file is truncated or from another supernet: delete the folder so the supernet is trained again',
    });
  }
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  const out = new Map<string, Float32Array>();
  let o = 0;
  entry.names.forEach((n, i) => {
    out.set(n, all.subarray(o, o + entry.sizes[i]!));
    o += entry.sizes[i]!;
  });
  return out;
}

/** Writes `supernet.json` (after its weight files, so a manifest never names a missing file). */
export function writeCheckpoint(dir: string, checkpoint: SupernetCheckpoint): void {
  fs.mkdirSync(dir, { recursive: true });
  atomicWrite(path.join(dir, 'supernet.json'), `${JSON.stringify(checkpoint, null, 1)}\n`);
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
