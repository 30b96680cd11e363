import { describeWithOnednn, onBackend, testValues } from '../__fixtures__/backends';
import { tf } from '../tf';
import { initTensorBackend } from './backend';

/** Reference: y[s] = Σ rows r with ids[r] = s (ids out of range dropped), in float64. */
function segmentSum(x: Float32Array, ids: number[], inner: number, segments: number): number[] {
  const out = new Array<number>(segments * inner).fill(0);
  ids.forEach((s, r) => {
    if (s < 0 || s >= segments) return;
    for (let k = 0; k < inner; k++) out[s * inner + k]! += x[r * inner + k]!;
  });
  return out;
}

const ids = [3, 0, 3, 7, -1, 1, 0, 3];

async function check(backend: 'cpu' | 'wasm' | 'onednn'): Promise<void> {
  await onBackend(backend, () => {
    const x = testValues(8 * 5, 4);
    const got = tf.tidy(() => tf.unsortedSegmentSum(tf.tensor2d(x, [8, 5]), tf.tensor1d(ids, 'int32'), 5).arraySync() as number[][]);
    const want = segmentSum(x, ids, 5, 5);
    expect(got.flat().map((v) => Number(v.toFixed(5)))).toEqual(want.map((v) => Number(v.toFixed(5))));
    // int32 values and a rank-3 input: the segment is the first axis, the rest is carried.
    const xi = tf.tensor3d(
      Int32Array.from({ length: 8 * 2 * 2 }, (_, i) => i),
      [8, 2, 2],
      'int32',
    );
    const gi = tf.unsortedSegmentSum(xi, tf.tensor1d(ids, 'int32'), 4);
    expect(gi.dtype).toBe('int32');
    expect(gi.shape).toEqual([4, 2, 2]);
    expect(Array.from(gi.dataSync())).toEqual(segmentSum(Float32Array.from(xi.dataSync()), ids, 4, 4));
    tf.dispose([xi, gi]);

    const table = tf.tensor2d(testValues(6 * 3, 5), [6, 3]);
    const idx = tf.tensor1d([5, 0, 0, 2], 'int32');
    expect(tf.gather(table, idx).arraySync()).toEqual([5, 0, 0, 2].map((i) => (table.arraySync() as number[][])[i]));
    // Along axis 1 and with 2-D indices: y[i, j, k] = x[i, idx[j, k]].
    const idx2 = tf.tensor2d([2, 0, 1, 1], [2, 2], 'int32');
    const g1 = tf.gather(table, idx2, 1).arraySync() as unknown as number[][][];
    const rows = table.arraySync() as number[][];
    expect(g1).toEqual(
      rows.map((r) => [
        [r[2], r[0]],
        [r[1], r[1]],
      ]),
    );
    expect(() => tf.gather(table, tf.tensor1d([6], 'int32'))).toThrow(/outside \[0, 6\)/);
    tf.dispose([table, idx, idx2]);
  });
}

describe('UnsortedSegmentSum and GatherV2 kernels', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('sum rows into segments and gather rows on wasm as a float64 reference does', () => check('wasm'));
  it('do the same on the cpu backend (which computed one masked reduction per segment before)', () => check('cpu'));
});

describeWithOnednn('UnsortedSegmentSum and GatherV2 kernels on onednn', () => {
  beforeAll(async () => {
    await initTensorBackend('onednn');
  });
  it('sum and gather as the reference does', () => check('onednn'));
});
