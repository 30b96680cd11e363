import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/** Pixel byte `byte` (0 … 3071, CHW) of synthetic image `g` (global index in its part). */
export function syntheticPixel(g: number, byte: number): number {
  return (g * 37 + byte * 7 + (byte >> 10) * 50) & 255;
}

/** Label of synthetic image `g`: 0 … 9 in turn, shifted for the test part. */
export function syntheticLabel(g: number, test = false): number {
  return (g + (test ? 3 : 0)) % 10;
}

function record(g: number, test: boolean): Buffer {
  const r = Buffer.alloc(3073);
  r[0] = syntheticLabel(g, test);
  for (let b = 0; b < 3072; b++) r[1 + b] = syntheticPixel(g, b);
  return r;
}

/**
 * Writes a tiny CIFAR-10 in the official binary layout: `data_batch_1..5.bin` with `perFile`
 * records each and `test_batch.bin` with `test` records, into `dir/<subdir>` (or `dir` itself when
 * `subdir` is empty). Returns the folder written.
 */
export function writeSyntheticBinary(dir: string, { perFile = 6, test = 8, subdir = 'cifar-10-batches-bin' } = {}): string {
  const out = subdir ? path.join(dir, subdir) : dir;
  fs.mkdirSync(out, { recursive: true });
  for (let f = 0; f < 5; f++) {
    const recs = Array.from({ length: perFile }, (_, r) => record(f * perFile + r, false));
    fs.writeFileSync(path.join(out, `data_batch_${f + 1}.bin`), Buffer.concat(recs));
  }
  fs.writeFileSync(path.join(out, 'test_batch.bin'), Buffer.concat(Array.from({ length: test }, (_, r) => record(r, true))));
  return out;
}

/** The same images in the gzipped sample layout (`cifar10_{train,test}_{images,labels}_u8.bin.gz`). */
export function writeSyntheticSample(dir: string, { train = 30, test = 8, subdir = 'cifar10-sample' } = {}): string {
  const out = subdir ? path.join(dir, subdir) : dir;
  fs.mkdirSync(out, { recursive: true });
  const write = (name: string, n: number, isTest: boolean) => {
    const images = Buffer.alloc(n * 3072);
    const labels = Buffer.alloc(n);
    for (let g = 0; g < n; g++) {
      labels[g] = syntheticLabel(g, isTest);
      for (let b = 0; b < 3072; b++) images[g * 3072 + b] = syntheticPixel(g, b);
    }
    fs.writeFileSync(path.join(out, `cifar10_${name}_images_u8.bin.gz`), zlib.gzipSync(images));
    fs.writeFileSync(path.join(out, `cifar10_${name}_labels_u8.bin.gz`), zlib.gzipSync(labels));
  };
  write('train', train, false);
  write('test', test, true);
  return out;
}

/** A fresh temporary folder (remove it with `fs.rmSync(dir, { recursive: true, force: true })`). */
export function tempDir(prefix = 'nasx-cifar10-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}
