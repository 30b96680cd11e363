/** Per-channel mean and standard deviation of pixel values scaled to [0, 1]. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * Per-channel mean and (population) standard deviation of 8-bit images scaled to [0, 1], over
 * the images at `positions` of a store of `channels × planeSize`-byte images (CHW). Exact:
 * computed from per-channel histograms.
 */
export function channelStats(pixels: Uint8Array, channels: number, planeSize: number, positions: ArrayLike<number>): Normalization {
  const hist = new Float64Array(channels * 256);
  const imageLength = channels * planeSize;
  for (let j = 0; j < positions.length; j++) {
    const base = positions[j]! * imageLength;
    for (let c = 0; c < channels; c++) {
      const h = c * 256;
      const from = base + c * planeSize;
      for (let p = 0; p < planeSize; p++) hist[h + pixels[from + p]!]!++;
    }
  }
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < channels; c++) {
    let n = 0;
    let s = 0;
    let s2 = 0;
    for (let k = 0; k < 256; k++) {
      const w = hist[c * 256 + k]!;
      const v = k / 255;
      n += w;
      s += w * v;
      s2 += w * v * v;
    }
    const m = n ? s / n : 0;
    mean.push(m);
    std.push(n ? Math.sqrt(Math.max(0, s2 / n - m * m)) : 0);
  }
  return { mean, std };
}

/** Lookup table `c*256 + byte → (byte/255 − mean[c]) / std[c]`; a zero std counts as 1. */
export function normalizationTable(norm: Normalization): Float32Array {
  const channels = norm.mean.length;
  const table = new Float32Array(channels * 256);
  for (let c = 0; c < channels; c++) {
    const m = norm.mean[c]!;
    const s = norm.std[c]! || 1;
    for (let k = 0; k < 256; k++) table[c * 256 + k] = (k / 255 - m) / s;
  }
  return table;
}

/** Mean 0 and std 1 for every channel: values stay in [0, 1]. */
export function noNormalization(channels: number): Normalization {
  return { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
}
