import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Batch, BatchOptions, DataSplit } from '@nasx/contracts';
import { testValues } from './backends';

/** An in-memory image classification split (NCHW float32 + class ids), as a task would deliver it. */
export function arraySplit(x: Float32Array, sampleShape: readonly [number, number, number], y: Int32Array): DataSplit {
  const per = sampleShape[0] * sampleShape[1] * sampleShape[2];
  const size = y.length;
  return {
    size,
    async *batches(options: BatchOptions): AsyncIterable<Batch> {
      const order = options.rng ? options.rng.shuffle(Array.from({ length: size }, (_, i) => i)) : Array.from({ length: size }, (_, i) => i);
      let emitted = 0;
      for (let start = 0; start < size; start += options.batchSize) {
        const idx = order.slice(start, start + options.batchSize);
        if (options.dropLast && idx.length < options.batchSize) break;
        if (options.limit !== undefined && emitted >= options.limit) break;
        const xb = new Float32Array(idx.length * per);
        idx.forEach((s, i) => xb.set(x.subarray(s * per, (s + 1) * per), i * per));
        yield {
          x: { data: xb, shape: [idx.length, ...sampleShape], dtype: 'float32' },
          y: { data: Int32Array.from(idx.map((s) => y[s]!)), shape: [idx.length], dtype: 'int32' },
          indices: Int32Array.from(idx),
        };
        emitted++;
      }
    },
  };
}

/**
 * A learnable toy problem: 3×8×8 noise images where class k ∈ 0..3 brightens quadrant k. A small
 * convnet separates it in a few dozen steps; chance is 25%.
 */
export function quadrantSplit(n: number, seed: number): DataSplit {
  const noise = testValues(n * 192, seed);
  const labels = testValues(n, seed + 1000);
  const x = new Float32Array(n * 192);
  const y = new Int32Array(n);
  for (let s = 0; s < n; s++) {
    const k = Math.floor((labels[s]! + 1) * 2) % 4;
    y[s] = k;
    for (let c = 0; c < 3; c++) {
      for (let h = 0; h < 8; h++) {
        for (let w = 0; w < 8; w++) {
          const i = s * 192 + c * 64 + h * 8 + w;
          const inQuadrant = (h < 4 ? 0 : 2) + (w < 4 ? 0 : 1) === k;
          x[i] = noise[i]! + (inQuadrant ? 1 : 0);
        }
      }
    }
  }
  return arraySplit(x, [3, 8, 8], y);
}

/**
 * The CIFAR-10 sample (see its PROVENANCE.md): the first `count` images, scaled to [0, 1],
 * normalised per channel and, with `size` 16, averaged over 2×2 blocks (to keep tests fast).
 */
export function cifar10SampleSplit(dataDir: string, which: 'train' | 'test', count: number, size: 32 | 16 = 32): DataSplit {
  const dir = path.join(dataDir, 'cifar10-sample');
  const header = JSON.parse(fs.readFileSync(path.join(dir, 'cifar10_header.json'), 'utf8')) as {
    files: Record<string, { images: string; labels: string; channel_mean: number[]; channel_std: number[] }>;
  };
  const f = header.files[which]!;
  const images = new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(dir, f.images))));
  const labels = new Uint8Array(zlib.gunzipSync(fs.readFileSync(path.join(dir, f.labels))));
  const step = 32 / size;
  const x = new Float32Array(count * 3 * size * size);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) {
      for (let h = 0; h < size; h++) {
        for (let w = 0; w < size; w++) {
          let v = 0;
          for (let dh = 0; dh < step; dh++) for (let dw = 0; dw < step; dw++) v += images[i * 3072 + c * 1024 + (h * step + dh) * 32 + w * step + dw]!;
          x[((i * 3 + c) * size + h) * size + w] = (v / (step * step * 255) - f.channel_mean[c]!) / f.channel_std[c]!;
        }
      }
    }
  }
  return arraySplit(x, [3, size, size], Int32Array.from(labels.subarray(0, count)));
}
