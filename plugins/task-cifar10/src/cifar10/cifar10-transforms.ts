import type { Rng } from '@nasx/contracts';
import type { Normalization } from '@nasx/data';

const SIDE = 32;
const PLANE = SIDE * SIDE;
/** Zero padding of the random crop, in pixels (NB201: `RandomCrop(32, padding=4)`). */
export const CROP_PADDING = 4;

/**
 * The CIFAR-10 channel mean and std the NAS-Bench-201 code normalises with
 * (D-X-Y/AutoDL-Projects `lib/datasets/get_dataset_with_transform.py`, `get_datasets`):
 * mean [125.3, 123.0, 113.9] / 255, std [63.0, 62.1, 66.7] / 255.
 */
export const CIFAR10_NORMALIZATION: Normalization = {
  mean: [125.3 / 255, 123.0 / 255, 113.9 / 255],
  std: [63.0 / 255, 62.1 / 255, 66.7 / 255],
};

/** One random augmentation: mirror or not, and the crop's offset into the padded 40 × 40 image. */
export interface Augmentation {
  readonly flip: boolean;
  /** Row offset, 0 … 2·padding. */
  readonly dy: number;
  /** Column offset, 0 … 2·padding. */
  readonly dx: number;
}

/** Draws one augmentation (flip with probability ½, crop offsets uniform), in the order flip, dy, dx. */
export function drawAugmentation(rng: Rng): Augmentation {
  const flip = rng.next() < 0.5;
  const dy = rng.int(2 * CROP_PADDING + 1);
  const dx = rng.int(2 * CROP_PADDING + 1);
  return { flip, dy, dx };
}

/** Writes image `src` of `images` (3 × 32 × 32 uint8) normalised through `table` into `out` at `offset`. */
export function writeNormalized(images: Uint8Array, src: number, table: Float32Array, out: Float32Array, offset: number): void {
  const base = src * 3 * PLANE;
  for (let c = 0; c < 3; c++) {
    const t = c * 256;
    const from = base + c * PLANE;
    const to = offset + c * PLANE;
    for (let p = 0; p < PLANE; p++) out[to + p] = table[t + images[from + p]!]!;
  }
}

/**
 * Writes image `src` augmented as NB201 trains CIFAR: `RandomHorizontalFlip()` then
 * `RandomCrop(32, padding=4)`, then normalisation. The padding is zeros of the raw image, so
 * padded pixels take the normalised value of 0 (`table[c*256]`), as torchvision's order of
 * transforms gives.
 */
export function writeAugmented(images: Uint8Array, src: number, table: Float32Array, out: Float32Array, offset: number, aug: Augmentation): void {
  const base = src * 3 * PLANE;
  const { flip, dy, dx } = aug;
  for (let c = 0; c < 3; c++) {
    const t = c * 256;
    const fill = table[t]!;
    const from = base + c * PLANE;
    for (let y = 0; y < SIDE; y++) {
      const sy = y + dy - CROP_PADDING;
      const to = offset + c * PLANE + y * SIDE;
      if (sy < 0 || sy >= SIDE) {
        out.fill(fill, to, to + SIDE);
        continue;
      }
      const row = from + sy * SIDE;
      for (let x = 0; x < SIDE; x++) {
        const sx = x + dx - CROP_PADDING;
        // Flip first: the flipped image's column sx is the original's column 31 - sx.
        out[to + x] = sx < 0 || sx >= SIDE ? fill : table[t + images[row + (flip ? SIDE - 1 - sx : sx)]!]!;
      }
    }
  }
}
