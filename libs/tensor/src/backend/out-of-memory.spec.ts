import { isNasxError } from '@nasx/contracts';
import { tf } from '../tf';
import { explainOutOfMemory, initTensorBackend, recoverWasmBackend, wasmHeapBytes } from './backend';

const GIB = 1024 ** 3;

/**
 * Runs the wasm module out of memory the cheap way: one untouched 3.7 GiB block from its own
 * allocator (the pages are never written, so this costs no RAM), then 256 MiB tensors until the
 * module aborts; returns the error.
 */
function exhaustHeap(): unknown {
  const module = (tf.backend() as unknown as { wasm: { _malloc(bytes: number): number } }).wasm;
  expect(module._malloc(Math.round(3.7 * GIB))).toBeGreaterThan(0);
  const kept: tf.Tensor[] = [];
  try {
    for (let i = 0; i < 8; i++) {
      // Reading each one back: a failed allocation is not reported by the allocation itself.
      const t = tf.fill([64 * 1024 * 1024], 1);
      kept.push(t);
      tf.tidy(() => tf.sum(t).dataSync());
    }
  } catch (e) {
    return e;
  }
  throw new Error(`2 GiB more fitted in the wasm heap (${wasmHeapBytes()} bytes)`);
}

describe('a wasm module that runs out of memory', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('is explained as out of memory, then replaced by a fresh module that computes again', async () => {
    const unrelated = new Error('shapes do not match');
    expect(explainOutOfMemory(unrelated, 'x')).toBe(unrelated);
    await expect(recoverWasmBackend(unrelated)).resolves.toBe(false);
    const before = tf.backend();

    const raw = exhaustHeap();
    expect(wasmHeapBytes()!).toBeGreaterThan(3.5 * GIB);
    const e = explainOutOfMemory(raw, 'training gnn:16x64 on pubmed');
    expect(isNasxError(e)).toBe(true);
    expect(e).toMatchObject({ kind: 'run', fix: expect.stringContaining('NASX_BACKEND=cpu') });
    expect((e as Error).message).toMatch(
      /^training gnn:16x64 on pubmed ran out of memory: the wasm backend's WebAssembly heap reached [34]\.\d\d GiB of the 4\.00 GiB a WebAssembly module can address \((Aborted\(\)|memory access out of bounds|Invalid typed array length: \d+)\)$/,
    );

    expect(await recoverWasmBackend(raw)).toBe(true);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.backend()).not.toBe(before);
    expect(wasmHeapBytes()!).toBeLessThan(0.1 * GIB);
    expect(Array.from(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync()))).toEqual([2, 3]);
    // A failure of the fresh module with a small heap is not taken for a lack of memory.
    expect(explainOutOfMemory(raw, 'x')).toBe(raw);
  });
});
