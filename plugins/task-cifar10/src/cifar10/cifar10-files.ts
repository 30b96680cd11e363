import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, isNasxError, type ErrorLocation } from '@nasx/contracts';

const PKG = '@nasx/task-cifar10';
const ID = 'cifar10';

/** Bytes of one image: 3 planes (R, G, B) of 32 × 32. */
export const CIFAR10_IMAGE_BYTES = 3072;
/** Bytes of one record of the official binary version: 1 label byte, then the image. */
export const CIFAR10_RECORD_BYTES = 3073;
/** Training files of the official binary version (`cifar-10-binary.tar.gz`), in order. */
export const CIFAR10_BINARY_TRAIN_FILES: readonly string[] = [
  'data_batch_1.bin',
  'data_batch_2.bin',
  'data_batch_3.bin',
  'data_batch_4.bin',
  'data_batch_5.bin',
];
/** Test file of the official binary version. */
export const CIFAR10_BINARY_TEST_FILE = 'test_batch.bin';
/** Files of the gzipped sample layout (NCHW uint8 images, uint8 labels; see the README). */
export const CIFAR10_SAMPLE_FILES = {
  trainImages: 'cifar10_train_images_u8.bin.gz',
  trainLabels: 'cifar10_train_labels_u8.bin.gz',
  testImages: 'cifar10_test_images_u8.bin.gz',
  testLabels: 'cifar10_test_labels_u8.bin.gz',
} as const;
/** Sub-folders of the data directory searched after the directory itself, in order. */
export const CIFAR10_SUBDIRS: readonly string[] = ['cifar-10-batches-bin', 'cifar10-sample'];

const BINARY_FILES = [...CIFAR10_BINARY_TRAIN_FILES, CIFAR10_BINARY_TEST_FILE];
const SAMPLE_FILES = Object.values(CIFAR10_SAMPLE_FILES);
const DOWNLOAD = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';
const FIX_MISSING =
  'get the official binary version with "nasx data fetch cifar10 --data-dir <dir>", then ' +
  `set NASX_DATA (or --data-dir, or the config's dataDir) to the folder that holds cifar-10-batches-bin/ (unpack ${DOWNLOAD} there) ` +
  'or cifar10-sample/, or point the task\'s "dataDir" option at it';
const FIX_BROKEN = `replace it with an intact copy (the official files come from ${DOWNLOAD})`;

/** Images (N × 3 × 32 × 32, uint8, channels R, G, B) and their labels (0 … 9). */
export interface Cifar10Images {
  readonly images: Uint8Array;
  readonly labels: Uint8Array;
}

/** The training or the test part of a CIFAR-10 copy. */
export interface Cifar10Part {
  /** Images it holds. */
  readonly count: number;
  /** Absolute paths it reads. */
  readonly files: readonly string[];
  /** The first `limit` images (all by default), in file order. */
  read(limit?: number): Cifar10Images;
}

/** A CIFAR-10 copy found in a data directory. */
export interface Cifar10Source {
  /** `binary`: the official binary version; `sample`: the gzipped NCHW layout. */
  readonly layout: 'binary' | 'sample';
  /** The folder the files are in. */
  readonly dir: string;
  readonly train: Cifar10Part;
  readonly test: Cifar10Part;
}

function cifarError(message: string, where: ErrorLocation & { fix?: string; cause?: unknown }): NasxError {
  return new NasxError('data', message, { pkg: PKG, contribution: ID, ...where });
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

const exists = (dir: string, f: string): boolean => fs.existsSync(path.join(dir, f));

/**
 * Finds CIFAR-10 under `dataDir`: in the directory itself, then `cifar-10-batches-bin/`, then
 * `cifar10-sample/`; the first folder holding any file of either layout is used (the official
 * binary version wins over the sample in the same folder). Checks that the layout is complete and
 * that binary files are whole records; reads the sample's labels (a few kB) to count its images.
 * Every problem is a `NasxError('data')` naming the directory or file and the fix.
 */
export function locateCifar10(dataDir: string | undefined): Cifar10Source {
  const wanted = `the official binary version (${BINARY_FILES.join(', ')}) or the gzipped sample (${SAMPLE_FILES.join(', ')})`;
  if (dataDir === undefined || dataDir === '') {
    throw cifarError(`no data directory is configured; CIFAR-10 is read from <data dir>, <data dir>/${CIFAR10_SUBDIRS.join(' or <data dir>/')}, as ${wanted}`, {
      fix: FIX_MISSING,
    });
  }
  const root = path.resolve(dataDir);
  if (!isDir(root)) {
    throw cifarError(`the data directory ${root} does not exist (it should hold ${CIFAR10_SUBDIRS.join('/ or ')}/ with ${wanted})`, {
      file: root,
      fix: FIX_MISSING,
    });
  }
  const candidates = [root, ...CIFAR10_SUBDIRS.map((s) => path.join(root, s))].filter(isDir);
  for (const dir of candidates) {
    if (BINARY_FILES.some((f) => exists(dir, f))) return binarySource(dir);
    if (SAMPLE_FILES.some((f) => exists(dir, f))) return sampleSource(dir);
  }
  const looked = [root, ...CIFAR10_SUBDIRS.map((s) => path.join(root, s))].join(', ');
  throw cifarError(`no CIFAR-10 files in ${looked}: looked for ${wanted}`, { file: root, fix: FIX_MISSING });
}

function requireAll(dir: string, files: readonly string[], layout: string): void {
  const absent = files.filter((f) => !exists(dir, f));
  if (absent.length) {
    const present = files.filter((f) => exists(dir, f));
    throw cifarError(`${dir} holds ${present.join(', ')} but lacks ${absent.join(', ')}; ${layout} needs all of ${files.join(', ')}`, {
      file: path.join(dir, absent[0]!),
      fix: `put the missing files there, or ${FIX_MISSING}`,
    });
  }
}

// ---------------------------------------------------------------- official binary version

/**
 * The official binary version (Krizhevsky 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
 * each file is a sequence of 3,073-byte records, a label byte then 1,024 R, 1,024 G and 1,024 B
 * bytes (row-major 32 × 32). 10,000 records per file in the official archive; any whole number of
 * records is accepted.
 */
function binarySource(dir: string): Cifar10Source {
  requireAll(dir, BINARY_FILES, 'the CIFAR-10 binary version');
  const part = (names: readonly string[]): Cifar10Part => {
    const files = names.map((f) => path.join(dir, f));
    const counts = files.map(recordCount);
    return { count: counts.reduce((a, b) => a + b, 0), files, read: (limit) => readBinary(files, counts, limit) };
  };
  return { layout: 'binary', dir, train: part(CIFAR10_BINARY_TRAIN_FILES), test: part([CIFAR10_BINARY_TEST_FILE]) };
}

function recordCount(file: string): number {
  const size = fs.statSync(file).size;
  if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
    throw cifarError(
      `${file} has ${size} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte CIFAR-10 records (1 label byte + 3,072 pixel bytes): it is truncated, or not a CIFAR-10 binary batch (CIFAR-100 records have 2 label bytes)`,
      { file, fix: FIX_BROKEN },
    );
  }
  return size / CIFAR10_RECORD_BYTES;
}

function readBinary(files: readonly string[], counts: readonly number[], limit: number | undefined): Cifar10Images {
  const total = counts.reduce((a, b) => a + b, 0);
  const n = Math.min(limit ?? total, total);
  const images = new Uint8Array(n * CIFAR10_IMAGE_BYTES);
  const labels = new Uint8Array(n);
  let at = 0;
  for (let f = 0; f < files.length && at < n; f++) {
    const file = files[f]!;
    const k = Math.min(n - at, counts[f]!);
    const buf = readPrefix(file, k * CIFAR10_RECORD_BYTES);
    for (let r = 0; r < k; r++) {
      const start = r * CIFAR10_RECORD_BYTES;
      const label = buf[start]!;
      if (label > 9) {
        throw cifarError(`${file}: record ${r} (byte ${start}) has label ${label}; CIFAR-10 labels are 0 … 9`, { file, fix: FIX_BROKEN });
      }
      labels[at + r] = label;
      images.set(buf.subarray(start + 1, start + CIFAR10_RECORD_BYTES), (at + r) * CIFAR10_IMAGE_BYTES);
    }
    at += k;
  }
  return { images, labels };
}

/** The first `bytes` bytes of a file (only what a `limit` needs is read). */
function readPrefix(file: string, bytes: number): Uint8Array {
  const buf = new Uint8Array(bytes);
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    let got = 0;
    while (got < bytes) {
      const k = fs.readSync(fd, buf, got, bytes - got, got);
      if (k === 0) break;
      got += k;
    }
    if (got < bytes) {
      throw cifarError(`${file} ended after ${got} bytes, ${bytes} were expected (truncated while being read?)`, { file, fix: FIX_BROKEN });
    }
  } catch (e) {
    if (isNasxError(e)) throw e;
    throw cifarError(`cannot read ${file}: ${(e as Error).message}`, { file, fix: FIX_BROKEN, cause: e });
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return buf;
}

// ---------------------------------------------------------------- gzipped sample layout

/**
 * The gzipped layout of `shared/data/cifar10-sample` (see its PROVENANCE.md): raw uint8 images
 * N × 3 × 32 × 32 (the rows of the original pickles, i.e. the same bytes as the binary records)
 * and N uint8 labels, each file gzipped.
 */
function sampleSource(dir: string): Cifar10Source {
  requireAll(dir, SAMPLE_FILES, 'the gzipped CIFAR-10 sample layout');
  const part = (imagesName: string, labelsName: string): Cifar10Part => {
    const imagesFile = path.join(dir, imagesName);
    const labelsFile = path.join(dir, labelsName);
    const labels = gunzipFile(labelsFile);
    checkLabels(labels, labelsFile);
    return {
      count: labels.length,
      files: [imagesFile, labelsFile],
      read(limit) {
        const n = Math.min(limit ?? labels.length, labels.length);
        const images = gunzipFile(imagesFile);
        if (images.length !== labels.length * CIFAR10_IMAGE_BYTES) {
          throw cifarError(
            `${imagesFile} decompresses to ${images.length} bytes; ${labels.length} images of 3,072 bytes (one per label in ${labelsName}) need ${labels.length * CIFAR10_IMAGE_BYTES}`,
            { file: imagesFile, fix: FIX_BROKEN },
          );
        }
        return { images: images.subarray(0, n * CIFAR10_IMAGE_BYTES), labels: labels.slice(0, n) };
      },
    };
  };
  return {
    layout: 'sample',
    dir,
    train: part(CIFAR10_SAMPLE_FILES.trainImages, CIFAR10_SAMPLE_FILES.trainLabels),
    test: part(CIFAR10_SAMPLE_FILES.testImages, CIFAR10_SAMPLE_FILES.testLabels),
  };
}

function gunzipFile(file: string): Uint8Array {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    throw cifarError(`cannot read ${file}: ${(e as Error).message}`, { file, fix: FIX_BROKEN, cause: e });
  }
  try {
    const out = zlib.gunzipSync(raw);
    return new Uint8Array(out.buffer, out.byteOffset, out.length);
  } catch (e) {
    throw cifarError(`${file} is not a complete gzip file (${(e as Error).message}): truncated or damaged`, { file, fix: FIX_BROKEN, cause: e });
  }
}

function checkLabels(labels: Uint8Array, file: string): void {
  if (labels.length === 0) throw cifarError(`${file} holds no labels`, { file, fix: FIX_BROKEN });
  const bad = labels.findIndex((l) => l > 9);
  if (bad >= 0) throw cifarError(`${file}: label ${bad} is ${labels[bad]}; CIFAR-10 labels are 0 … 9`, { file, fix: FIX_BROKEN });
}
