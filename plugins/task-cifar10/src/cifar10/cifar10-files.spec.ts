import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isNasxError, type NasxError } from '@nasx/contracts';
import { tempDir, syntheticLabel, syntheticPixel, writeSyntheticBinary, writeSyntheticSample } from './__fixtures__/synthetic-cifar10';
import { CIFAR10_BINARY_TEST_FILE, CIFAR10_BINARY_TRAIN_FILES, CIFAR10_SAMPLE_FILES, locateCifar10 } from './cifar10-files';

function dataError(f: () => unknown): NasxError {
  let error: unknown;
  try {
    f();
  } catch (e) {
    error = e;
  }
  if (!isNasxError(error)) throw new Error(`expected a NasxError, got ${String(error)}`);
  expect(error.kind).toBe('data');
  expect(error.where.pkg).toBe('@nasx/task-cifar10');
  return error;
}

describe('locateCifar10 and reading (synthetic files)', () => {
  let root: string;
  beforeEach(() => {
    root = tempDir();
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reads the official binary layout byte for byte, from cifar-10-batches-bin/ or the folder itself', () => {
    for (const subdir of ['cifar-10-batches-bin', '']) {
      const dir = path.join(root, subdir || 'flat');
      writeSyntheticBinary(dir, { perFile: 3, test: 4, subdir });
      const src = locateCifar10(dir);
      expect(src.layout).toBe('binary');
      expect(src.dir).toBe(subdir ? path.join(dir, subdir) : dir);
      expect([src.train.count, src.test.count]).toEqual([15, 4]);
      expect(src.train.files.map((f) => path.basename(f))).toEqual(CIFAR10_BINARY_TRAIN_FILES);
      const train = src.train.read();
      for (let g = 0; g < 15; g++) {
        expect(train.labels[g]).toBe(syntheticLabel(g));
        for (const b of [0, 1023, 1024, 2048, 3071]) expect(train.images[g * 3072 + b]).toBe(syntheticPixel(g, b));
      }
      const test = src.test.read(2);
      expect(test.labels).toEqual(Uint8Array.from([syntheticLabel(0, true), syntheticLabel(1, true)]));
      expect(test.images.length).toBe(2 * 3072);
    }
  });

  it('reads the gzipped sample layout to the same bytes', () => {
    writeSyntheticSample(root, { train: 12, test: 5 });
    const src = locateCifar10(root);
    expect(src.layout).toBe('sample');
    expect([src.train.count, src.test.count]).toEqual([12, 5]);
    const train = src.train.read(10);
    expect(train.labels.length).toBe(10);
    for (let g = 0; g < 10; g++) for (const b of [0, 1500, 3071]) expect(train.images[g * 3072 + b]).toBe(syntheticPixel(g, b));
  });

  it('prefers the official binary version over the sample when the data folder has both', () => {
    writeSyntheticSample(root);
    writeSyntheticBinary(root);
    expect(locateCifar10(root).layout).toBe('binary');
  });

  it('reads only the binary files a limit needs', () => {
    const dir = writeSyntheticBinary(root, { perFile: 4 });
    const last = path.join(dir, CIFAR10_BINARY_TRAIN_FILES[4]!);
    const bytes = fs.readFileSync(last);
    bytes[0] = 200; // a broken label in the fifth file
    fs.writeFileSync(last, bytes);
    const src = locateCifar10(root);
    expect(src.train.read(16).labels.length).toBe(16);
    expect(dataError(() => src.train.read(17)).message).toMatch(/data_batch_5\.bin: record 0 \(byte 0\) has label 200/);
  });

  it('without a data directory: says where CIFAR-10 is looked for and how to configure it', () => {
    const e = dataError(() => locateCifar10(undefined));
    expect(e.message).toMatch(/no data directory is configured/);
    expect(e.message).toContain('data_batch_1.bin');
    expect(e.message).toContain(CIFAR10_SAMPLE_FILES.trainImages);
    expect(e.fix).toMatch(/NASX_DATA.*--data-dir.*"dataDir" option/);
  });

  it('a missing directory or one without the files: names the directory, the folders and files looked for, and the fix', () => {
    const gone = path.join(root, 'nope');
    const e1 = dataError(() => locateCifar10(gone));
    expect(e1.message).toContain(`the data directory ${gone} does not exist`);
    expect(e1.where.file).toBe(gone);
    const e2 = dataError(() => locateCifar10(root));
    expect(e2.message).toContain(`no CIFAR-10 files in ${root}, ${path.join(root, 'cifar-10-batches-bin')}, ${path.join(root, 'cifar10-sample')}`);
    for (const f of [...CIFAR10_BINARY_TRAIN_FILES, CIFAR10_BINARY_TEST_FILE, ...Object.values(CIFAR10_SAMPLE_FILES)]) expect(e2.message).toContain(f);
    expect(e2.fix).toMatch(/NASX_DATA/);
    expect(e2.fix).toContain('cifar-10-binary.tar.gz');
  });

  it('an incomplete layout: names the folder and the missing files', () => {
    const dir = writeSyntheticBinary(root);
    fs.rmSync(path.join(dir, 'data_batch_3.bin'));
    fs.rmSync(path.join(dir, 'test_batch.bin'));
    const e = dataError(() => locateCifar10(root));
    expect(e.message).toContain(
      `${dir} holds data_batch_1.bin, data_batch_2.bin, data_batch_4.bin, data_batch_5.bin but lacks data_batch_3.bin, test_batch.bin`,
    );
    expect(e.where.file).toBe(path.join(dir, 'data_batch_3.bin'));
    const s = writeSyntheticSample(root, { subdir: 'other' });
    fs.rmSync(path.join(s, CIFAR10_SAMPLE_FILES.testLabels));
    expect(dataError(() => locateCifar10(s)).message).toContain(`lacks ${CIFAR10_SAMPLE_FILES.testLabels}`);
  });

  it('a truncated or wrong-size binary file: names the file', () => {
    const dir = writeSyntheticBinary(root);
    const file = path.join(dir, 'data_batch_2.bin');
    fs.truncateSync(file, 6 * 3073 - 100);
    const e = dataError(() => locateCifar10(root));
    expect(e.message).toContain(`${file} has ${6 * 3073 - 100} bytes, not a whole number of 3073-byte CIFAR-10 records`);
    expect(e.where.file).toBe(file);
    fs.writeFileSync(file, Buffer.alloc(0));
    expect(dataError(() => locateCifar10(root)).message).toContain(`${file} has 0 bytes`);
  });

  it('a truncated or wrong-size sample file: names the file', () => {
    const dir = writeSyntheticSample(root, { train: 10, test: 4 });
    const images = path.join(dir, CIFAR10_SAMPLE_FILES.trainImages);
    const gz = fs.readFileSync(images);
    fs.writeFileSync(images, gz.subarray(0, gz.length - 40));
    const src = locateCifar10(root);
    const e = dataError(() => src.train.read());
    expect(e.message).toContain(`${images} is not a complete gzip file`);
    fs.writeFileSync(images, zlib.gzipSync(Buffer.alloc(9 * 3072)));
    expect(dataError(() => locateCifar10(root).train.read()).message).toContain(`${images} decompresses to ${9 * 3072} bytes; 10 images of 3,072 bytes`);
    const labels = path.join(dir, CIFAR10_SAMPLE_FILES.testLabels);
    fs.writeFileSync(labels, zlib.gzipSync(Buffer.from([1, 2, 10, 3])));
    expect(dataError(() => locateCifar10(root)).message).toContain(`${labels}: label 2 is 10`);
  });
});
