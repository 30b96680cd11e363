import { NasxError } from '@nasx/contracts';

/** `3x32x32` → [3, 32, 32]. */
export function parseShape(value: string): number[] {
  const dims = value.split(/[x×,]/).map((d) => Number(d.trim()));
  if (dims.length < 1 || dims.some((d) => !Number.isSafeInteger(d) || d < 1)) {
    throw new NasxError('usage', `--input "${value}" is not a shape`, { fix: 'give the input shape channels first, e.g. 3x224x224 or 3x32x32' });
  }
  return dims;
}
