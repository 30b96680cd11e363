/** Largest seed: seeds are 32-bit (a larger one used to be reduced modulo 2^32 without a word). */
export const MAX_SEED = 0xffffffff;
/** Most worker threads a run may ask for (each holds a TensorFlow.js backend; 100,000 reached 4.3 GB and never started). */
export const MAX_WORKERS = 64;

/**
 * A seeded pseudo-random number generator. All randomness of a run goes through one, handed out by
 * the kernel, so a run is reproducible from its config and seed.
 *
 * @example
 * const rng = deps.rng;            // or ctx.rng
 * const op = rng.pick(OPS);
 * const child = rng.fork('mutation');  // an independent, deterministic stream
 */
export interface Rng {
  /** The seed this stream was created from (after forking: the derived seed). */
  readonly seed: number;
  /** Uniform float in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive). */
  int(maxExclusive: number): number;
  /** One element chosen uniformly; throws on an empty array. */
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in a uniformly random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[];
  /** `k` distinct indices from [0, n) in random order. */
  sampleIndices(n: number, k: number): number[];
  /** Standard normal variate (Box–Muller). */
  normal(): number;
  /** A new independent stream derived deterministically from this stream's seed and `label`. */
  fork(label: string): Rng;
}
