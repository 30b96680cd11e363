import { initTensorBackend, tf } from '@nasx/tensor';
import { mseLoss, pairSigns, pairwiseRankingLoss } from './losses';
import { dropout, matMul, propagate } from './nn';
import { SeededRandom } from '@nasx/tensor';

const rand = (shape: number[], seed: number) => tf.tensor(new SeededRandom(seed).fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), 1), shape);

/** Central finite difference of a scalar function of one tensor, element by element. */
function numericGrad(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor, eps = 1e-2): Float32Array {
  const base = x.dataSync() as Float32Array;
  const out = new Float32Array(base.length);
  for (let i = 0; i < base.length; i++) {
    const at = (d: number) => {
      const v = Float32Array.from(base);
      v[i]! += d;
      return tf.tidy(() => f(tf.tensor(v, x.shape)).dataSync()[0]!);
    };
    out[i] = (at(eps) - at(-eps)) / (2 * eps);
  }
  return out;
}

describe('predictor layers and losses', () => {
  beforeAll(async () => {
    await initTensorBackend();
  });

  it('matMul and propagate have the gradients of tf.matMul (2-D and batched), propagate none for its data operand', () => {
    tf.tidy(() => {
      for (const [a, b] of [
        [rand([5, 4], 1), rand([4, 3], 2)],
        [rand([2, 5, 4], 3), rand([2, 4, 3], 4)],
      ] as const) {
        const w = rand([a.shape[0]!, ...(a.rank === 3 ? [5, 3] : [3])], 5);
        const loss = (mm: (x: tf.Tensor, y: tf.Tensor) => tf.Tensor) => (x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.relu(mm(x, y)), w));
        const ours = tf.grads(loss((x, y) => matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
        const reference = tf.grads(loss((x, y) => tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D)))([a, b]);
        for (let k = 0; k < 2; k++) expect(Array.from(ours[k]!.dataSync())).toEqual(Array.from(reference[k]!.dataSync()).map((v) => expect.closeTo(v, 5)));
        if (a.rank === 3) {
          const [dp, dx] = tf.grads(loss((x, y) => propagate(x as tf.Tensor3D, y as tf.Tensor3D)))([a, b]);
          expect(dp!.dataSync().every((v) => v === 0)).toBe(true);
          expect(Array.from(dx!.dataSync())).toEqual(Array.from(reference[1]!.dataSync()).map((v) => expect.closeTo(v, 5)));
        }
      }
    });
  });

  it('the pairwise ranking loss is φ(sign(y_i − y_j)(s_i − s_j)) averaged over untied pairs, with finite-difference gradients', () => {
    const y = [3, 1, 2, 2];
    const { signs, pairs } = pairSigns(y);
    expect(pairs).toBe(10); // 12 ordered pairs off the diagonal, minus the tie (2, 2) both ways
    const s = [0.5, -0.2, 0.1, 0.3];
    let logistic = 0;
    let hinge = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        if (y[i] === y[j]) continue;
        const z = Math.sign(y[i]! - y[j]!) * (s[i]! - s[j]!);
        logistic += Math.log1p(Math.exp(-z)) / pairs;
        hinge += Math.max(0, 1 - z) / pairs;
      }
    }
    tf.tidy(() => {
      const st = tf.tensor2d(signs, [4, 4]);
      const f = (form: 'logistic' | 'hinge') => (x: tf.Tensor) => pairwiseRankingLoss(x as tf.Tensor1D, st, pairs, form);
      expect(f('logistic')(tf.tensor1d(s)).dataSync()[0]).toBeCloseTo(logistic, 5);
      expect(f('hinge')(tf.tensor1d(s)).dataSync()[0]).toBeCloseTo(hinge, 5);
      const g = tf.grad(f('logistic'))(tf.tensor1d(s)).dataSync();
      const fd = numericGrad(f('logistic'), tf.tensor1d(s));
      for (let i = 0; i < 4; i++) expect(g[i]).toBeCloseTo(fd[i]!, 3);
      // Raising the best architecture's score lowers the loss; raising the worst one's raises it.
      expect(g[0]).toBeLessThan(0);
      expect(g[1]).toBeGreaterThan(0);
      expect(mseLoss(tf.tensor1d([1, 2]), tf.tensor1d([0, 0])).dataSync()[0]).toBeCloseTo(2.5, 6);
    });
  });

  it('dropout is seeded and keeps the expectation', () => {
    tf.tidy(() => {
      const x = tf.ones([2000]);
      const a = dropout(x, 0.25, new SeededRandom(1, 'd')).dataSync();
      const b = dropout(x, 0.25, new SeededRandom(1, 'd')).dataSync();
      expect(Array.from(a)).toEqual(Array.from(b));
      const zeros = Array.from(a).filter((v) => v === 0).length;
      expect(zeros / 2000).toBeCloseTo(0.25, 1);
      for (const v of a) if (v !== 0) expect(v).toBeCloseTo(4 / 3, 5);
    });
  });
});
