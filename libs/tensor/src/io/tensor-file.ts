/**
 * Named float32 tensors in one file, for the checkpoints estimators keep in a run's state folder
 * (supernets, GHNs): the values concatenated in name order, with the names and sizes in the
 * caller's manifest. Every file is written whole to a temporary name and renamed, so a run killed
 * mid-write never leaves half a file behind a manifest that names it; and each file's name carries
 * a hash of its content (`weights.<hash>.bin`), so writing a new checkpoint never overwrites the
 * files the current manifest names: a run killed between the data files and the manifest resumes
 * from the previous checkpoint, whole. After the new manifest is written, {@link pruneTensorFiles}
 * removes the files it no longer names. Node only.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';

/** Where a tensor file is and what it holds (kept in the caller's manifest). */
export interface TensorFileEntry {
  /** File name, relative to the manifest's folder. */
  readonly file: string;
  readonly names: readonly string[];
  readonly sizes: readonly number[];
}

/** Writes `data` to `file` through a temporary file renamed into place. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * Writes named tensors to `<dir>/<stem>.<hash>.bin` (`file` is `<stem>.bin`; the hash is of the
 * content; atomically) and returns their entry, which names the file written.
 */
export function writeTensorFile(dir: string, file: string, tensors: ReadonlyMap<string, Float32Array>): TensorFileEntry {
  const names = [...tensors.keys()];
  const sizes = names.map((n) => tensors.get(n)!.length);
  const all = new Float32Array(sizes.reduce((a, b) => a + b, 0));
  let o = 0;
  for (const n of names) {
    all.set(tensors.get(n)!, o);
    o += tensors.get(n)!.length;
  }
  const bytes = new Uint8Array(all.buffer);
  const named = `${file.replace(/\.bin$/, '')}.${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.bin`;
  writeFileAtomic(path.join(dir, named), bytes);
  return { file: named, names, sizes };
}

/**
 * Deletes the `.bin` files directly in `dir` that none of `keep` names: the data of earlier
 * checkpoints, once the manifest naming `keep` is written.
 */
export function pruneTensorFiles(dir: string, keep: readonly (TensorFileEntry | undefined)[]): void {
  const names = new Set(keep.flatMap((e) => (e ? [e.file] : [])));
  for (const f of fs.readdirSync(dir)) {
    if (f.endsWith('.bin') && !names.has(f)) fs.rmSync(path.join(dir, f), { force: true });
  }
}

/**
 * Reads the tensors of an entry back by name. A missing or truncated file is a `data` error naming
 * the manifest, with `fix` (e.g. "delete the folder so the supernet is trained again").
 */
export function readTensorFile(
  dir: string,
  entry: TensorFileEntry,
  owner: { readonly pkg: string; readonly manifest: string; readonly fix: string },
): Map<string, Float32Array> {
  const file = path.join(dir, entry.file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    throw new NasxError('data', `${owner.manifest} names ${entry.file}, which is missing beside it`, {
      pkg: owner.pkg,
      file: owner.manifest,
      fix: `copy the whole folder, or ${owner.fix}`,
    });
  }
  const total = entry.sizes.reduce((a, b) => a + b, 0);
  if (bytes.length !== total * 4) {
    throw new NasxError('data', `${file} holds ${bytes.length} bytes, ${owner.manifest} says ${total * 4}`, {
      pkg: owner.pkg,
      file,
      fix: `the file is truncated or from another checkpoint: ${owner.fix}`,
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
