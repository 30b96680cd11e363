import { loadOnednn, ONEDNN_INSTALL_HINT } from '@nasx/tensor-onednn';
import { tf } from '../tf';

/**
 * `describe` that runs only where the oneDNN addon is built (`@nasx/tensor-onednn`); elsewhere one
 * skipped test whose name says why and how to build it, so the skip shows in the report (the
 * pattern of `describeWithSharedData`).
 */
export function describeWithOnednn(name: string, body: () => void): void {
  const loaded = loadOnednn();
  if (loaded.ok) {
    describe(name, body);
  } else {
    describe(name, () => {
      it.skip(`needs the oneDNN addon, which is not available here (${loaded.reason}); to run these checks: ${ONEDNN_INSTALL_HINT}`, () => undefined);
    });
  }
}

/** Runs `fn` with tfjs switched to `backend` (registered by initTensorBackend), then switches back. */
export async function onBackend<R>(backend: 'cpu' | 'wasm' | 'onednn', fn: () => R | Promise<R>): Promise<R> {
  const before = tf.getBackend();
  // tfjs-backend-cpu prints a "use tfjs-node" banner on first use in Node; tests opt in to cpu.
  tf.env().set('PROD', true); // (IS_TEST would also enable tfjs's kernel leak checks, which flag its own customGrad ops)
  await tf.setBackend(backend);
  try {
    return await fn();
  } finally {
    await tf.setBackend(before);
  }
}

/** Deterministic pseudo-random floats in [-1, 1) (mulberry32), distinct enough to avoid ties, for test inputs. */
export function testValues(n: number, seed = 1): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 0x9e3779b9) >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** Largest |a − b| / (abs + rel·|b|) over two arrays: ≤ 1 means "close". */
export function closeness(a: ArrayLike<number>, b: ArrayLike<number>, abs: number, rel: number): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / (abs + rel * Math.abs(b[i]!)));
  return worst;
}
