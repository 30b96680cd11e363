import * as fs from 'node:fs';
import { ByteSource, PickleError, PyGlobal, readPickle, readZipDirectory, type PickleOptions, type ZipEntry } from '@nasx/data';

/**
 * Reads the object of a `torch.save` file without torch, streaming (see `pickle.reader.ts`), in
 * both formats `torch.load` reads (torch/serialization.py):
 *
 * - **zip** (torch ≥ 1.6 default): a zip archive whose `<name>/data.pkl` entry, stored
 *   uncompressed, is the pickle; tensor data are the other entries. Zip64 records are read for
 *   archives over 4 GiB.
 * - **legacy** (`_use_new_zipfile_serialization=False`, and files from torch < 1.6 such as
 *   NAS-Bench-201's): five pickles in a row (magic number, protocol version, sys info, the
 *   object, the storage keys), then the raw storages.
 *
 * Tensors are not materialised: each storage a tensor refers to becomes a {@link TorchStorageRef}
 * and the tensor a `PyObject` of `torch._utils._rebuild_tensor_v2`, which callers that need no
 * weights (a benchmark's result tables) ignore.
 */

/** The legacy format's first pickle (torch/serialization.py `MAGIC_NUMBER`). */
const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
/** The legacy format's protocol version (`PROTOCOL_VERSION`). */
const LEGACY_PROTOCOL = 1001;

/** A storage a tensor refers to (its data are not read). */
export interface TorchStorageRef {
  readonly kind: 'torch-storage';
  readonly dtype: string;
  readonly key: string;
  readonly location: string;
  readonly numel: number;
}

/** Which format a file is in. */
export type TorchFormat = 'zip' | 'legacy';

function storageRef(pid: unknown): TorchStorageRef {
  const t = pid as readonly unknown[];
  if (!Array.isArray(t) || t[0] !== 'storage') throw new PickleError(`unknown persistent id ${JSON.stringify(String(pid))} (not a torch storage)`);
  const type = t[1];
  return {
    kind: 'torch-storage',
    dtype: type instanceof PyGlobal ? type.name : String(type),
    key: String(t[2]),
    location: String(t[3]),
    numel: Number(t[4]),
  };
}

/** Reads the first 4 bytes: `PK\x03\x04` is a zip archive, else the legacy pickle sequence. */
export function torchFormat(file: string): TorchFormat {
  const fd = fs.openSync(file, 'r');
  try {
    const b = Buffer.alloc(4);
    const n = fs.readSync(fd, b, 0, 4, 0);
    return n === 4 && b.readUInt32LE(0) === 0x04034b50 ? 'zip' : 'legacy';
  } finally {
    fs.closeSync(fd);
  }
}

/** Options: those of the pickle reader but persistent ids, which this reader resolves. */
export type TorchLoadOptions = Omit<PickleOptions, 'persistentLoad'>;

/** Reads the object a `torch.save` file holds (either format). */
export async function loadTorchFile(file: string, options: TorchLoadOptions = {}): Promise<{ format: TorchFormat; object: unknown }> {
  const format = torchFormat(file);
  const object = format === 'zip' ? await loadZip(file, options) : await loadLegacy(file, options);
  return { format, object };
}

async function loadLegacy(file: string, options: TorchLoadOptions): Promise<unknown> {
  const src = ByteSource.ofFile(file);
  try {
    const magic = await readPickle(src, { signal: options.signal });
    if (BigInt(magic as number | bigint) !== LEGACY_MAGIC) {
      throw new PickleError(`${file} is not a torch.save file (no torch magic number at the start; neither the zip nor the legacy format)`);
    }
    const protocol = await readPickle(src, { signal: options.signal });
    if (protocol !== LEGACY_PROTOCOL) throw new PickleError(`${file}: torch legacy protocol ${String(protocol)}, expected ${LEGACY_PROTOCOL}`);
    await readPickle(src, { signal: options.signal }); // sys info: endianness, type sizes
    return await readPickle(src, { ...options, persistentLoad: storageRef });
    // The storage keys and raw storages follow; no value we return needs them.
  } catch (e) {
    if (e instanceof PickleError && /unknown pickle opcode/.test(e.message) && src.offset < 16) {
      throw new PickleError(`${file} is not a torch.save file (neither a zip archive nor a pickle)`);
    }
    throw e;
  } finally {
    await src.close();
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const b = Buffer.alloc(length);
  const n = fs.readSync(fd, b, 0, length, position);
  return b.subarray(0, n);
}

/** The central directory of a zip archive (zip64 aware). */
function zipEntries(file: string): ZipEntry[] {
  const fd = fs.openSync(file, 'r');
  try {
    return readZipDirectory(fd, file);
  } finally {
    fs.closeSync(fd);
  }
}

async function loadZip(file: string, options: TorchLoadOptions): Promise<unknown> {
  const entries = zipEntries(file);
  const pkl = entries.find((e) => e.name.endsWith('/data.pkl') || e.name === 'data.pkl');
  if (!pkl) throw new PickleError(`${file}: a zip archive without a data.pkl entry (not a torch.save file)`);
  if (pkl.method !== 0) throw new PickleError(`${file}: ${pkl.name} is compressed (method ${pkl.method}); torch.save stores it uncompressed`);
  const fd = fs.openSync(file, 'r');
  let start: number;
  try {
    const h = readAt(fd, pkl.localHeaderOffset, 30);
    if (h.length < 30 || h.readUInt32LE(0) !== 0x04034b50) throw new PickleError(`${file}: broken local header of ${pkl.name}`);
    start = pkl.localHeaderOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  } finally {
    fs.closeSync(fd);
  }
  const src = ByteSource.ofFile(file, start, start + pkl.compressedSize);
  try {
    return await readPickle(src, { ...options, persistentLoad: storageRef });
  } finally {
    await src.close();
  }
}
