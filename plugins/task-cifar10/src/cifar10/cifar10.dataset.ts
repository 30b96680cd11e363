import * as fs from 'node:fs';
import { NasxError, defineDataset } from '@nasx/contracts';
import { CIFAR10_BINARY_TEST_FILE, CIFAR10_BINARY_TRAIN_FILES, CIFAR10_RECORD_BYTES } from './cifar10-files';
import { extractTarGz } from './tar-gz.extract';

/** The official binary release (Krizhevsky 2009), https://www.cs.toronto.edu/~kriz/cifar.html. */
export const CIFAR10_ARCHIVE = 'cifar-10-binary.tar.gz';
const FOLDER = 'cifar-10-batches-bin';
const FILES = [...CIFAR10_BINARY_TRAIN_FILES, CIFAR10_BINARY_TEST_FILE, 'batches.meta.txt'];

/**
 * `nasx data fetch cifar10`: the CIFAR-10 binary version, checked against the md5 its page
 * publishes, unpacked into `cifar-10-batches-bin/` (the layout the task reads).
 */
export const cifar10Dataset = defineDataset({
  id: 'cifar10',
  title: 'CIFAR-10 (binary version)',
  description: 'The official CIFAR-10 binary release (60,000 32×32 images, 10 classes), unpacked into cifar-10-batches-bin/ for the cifar10 task.',
  upstream: [
    {
      name: CIFAR10_ARCHIVE,
      urls: [`https://www.cs.toronto.edu/~kriz/${CIFAR10_ARCHIVE}`],
      checksum: { algorithm: 'md5', hex: 'c32a1d4ab5d03f1284b67883e8d87530', source: 'https://www.cs.toronto.edu/~kriz/cifar.html' },
      license: 'no license stated; the page asks users to cite the tech report',
      citation: 'Alex Krizhevsky. Learning Multiple Layers of Features from Tiny Images. Technical report, University of Toronto, 2009.',
    },
  ],
  produces: FILES.map((f) => `${FOLDER}/${f}`),
  convert: async (ctx) => {
    const archive = ctx.input(CIFAR10_ARCHIVE);
    const total = fs.statSync(archive).size;
    const outputs = new Map(FILES.map((f) => [`${FOLDER}/${f}`, ctx.output(`${FOLDER}/${f}`)]));
    const written = await extractTarGz(archive, outputs, { signal: ctx.signal, onProgress: (d) => ctx.progress(d, total, 'unpacking') });
    const missing = [...outputs.keys()].filter((f) => !written.has(f));
    if (missing.length) {
      throw new NasxError('data', `${archive} has no ${missing.join(', ')}: not the CIFAR-10 binary version`, {
        file: archive,
        fix: `fetch ${CIFAR10_ARCHIVE} again (nasx data fetch cifar10 --force)`,
      });
    }
    for (const f of [...CIFAR10_BINARY_TRAIN_FILES, CIFAR10_BINARY_TEST_FILE]) {
      const size = fs.statSync(outputs.get(`${FOLDER}/${f}`)!).size;
      if (size === 0 || size % CIFAR10_RECORD_BYTES !== 0) {
        throw new NasxError('data', `${archive}: ${FOLDER}/${f} has ${size} bytes, not a whole number of ${CIFAR10_RECORD_BYTES}-byte records`, {
          file: archive,
          fix: `fetch ${CIFAR10_ARCHIVE} again (nasx data fetch cifar10 --force)`,
        });
      }
    }
  },
});
