import { testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { buildSupernet } from '../supernet/supernet-registry';
import type { Supernet } from '../supernet/supernet';
import { tf } from '../tf';
import { SgdOptimizer } from '../train/sgd.optimizer';
import { crossEntropySum } from '../train/losses';
import { archGradient, archWeights, decodeArgmax, mixedLoss, unrolledArchGradient, weightStep, type DartsBatch } from './darts';

/** A small skeleton: 4 channels, 1 cell per stage, 8×8 inputs, 3 classes. */
const TINY = { numClasses: 3, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 } } as const;

function batchOf(n: number, seed: number): DartsBatch {
  return {
    x: tf.tensor4d(testValues(n * 192, seed), [n, 3, 8, 8]),
    y: tf.tensor1d(
      Array.from({ length: n }, (_, i) => (i * 7 + seed) % 3),
      'int32',
    ),
  };
}

const loss = (sn: Supernet, alpha: tf.Tensor2D, b: DartsBatch): number => tf.tidy(() => mixedLoss(sn, alpha, b).dataSync()[0]!);

describe('DARTS over the NB201 supernet', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('the relaxation with one-hot weights is the path (evaluation and training mode); weights [6, 5] only', () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 3 });
    const { x } = batchOf(4, 1);
    try {
      for (const path of [
        [3, 2, 4, 1, 3, 2],
        [1, 0, 3, 0, 0, 4],
        [0, 0, 0, 0, 0, 0],
      ]) {
        const oneHot = tf.cast(tf.oneHot(tf.tensor1d(path, 'int32'), 5), 'float32') as tf.Tensor2D;
        for (const training of [false, true]) {
          const a = sn.forward(x, path, { training, bnMomentum: 0 });
          const b = sn.forwardMixed!(x, oneHot, { training, bnMomentum: 0 });
          const diff = tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;
          expect(diff).toBeLessThan(1e-5);
          tf.dispose([a, b]);
        }
        oneHot.dispose();
      }
      expect(() => sn.forwardMixed!(x, tf.zeros([6, 4]) as tf.Tensor2D, { training: false })).toThrow(/weights \[6, 5\]/);
    } finally {
      sn.dispose();
      x.dispose();
    }
  });

  it('second-order gradient on a tiny smooth space: matches finite differences of L_val(w − ξ∇L_train(w, α), α), where first order does not', () => {
    // 3 decisions × 4 choices; choice o of decision d maps h to tanh(h·W[d, o]); a linear head to 3 classes.
    const [D, K, F] = [3, 4, 5];
    const W = tf.variable(tf.tensor4d(testValues(D * K * F * F, 21), [D, K, F, F]), true, 'tiny-W');
    const V = tf.variable(tf.tensor2d(testValues(F * 3, 22), [F, 3]), true, 'tiny-V');
    const alpha = tf.variable(tf.tensor2d(testValues(D * K, 23), [D, K]), true, 'tiny-alpha');
    const batch = (seed: number) => ({
      x: tf.tensor2d(testValues(8 * F, seed), [8, F]),
      y: tf.tensor1d(
        Array.from({ length: 8 }, (_, i) => (i + seed) % 3),
        'int32',
      ),
    });
    type B = ReturnType<typeof batch>;
    const lossOf = (a: tf.Tensor2D, b: B): tf.Scalar =>
      tf.tidy(() => {
        const mix = tf.softmax(a, -1);
        let h: tf.Tensor2D = b.x;
        for (let d = 0; d < D; d++) {
          const terms = Array.from({ length: K }, (_, o) =>
            tf.mul(tf.reshape(tf.slice(mix, [d, o], [1, 1]), []), tf.tanh(tf.matMul(h, tf.reshape(tf.slice(W, [d, o, 0, 0], [1, 1, F, F]), [F, F])))),
          );
          h = tf.addN(terms) as tf.Tensor2D;
        }
        return tf.div(crossEntropySum(tf.matMul(h, V), b.y, 3), 8) as tf.Scalar;
      });
    const [train, val] = [batch(31), batch(37)];
    const xi = 3;
    try {
      const second = unrolledArchGradient(lossOf, [W, V], alpha, train, val, { order: 2, xi });
      const first = unrolledArchGradient(lossOf, [W, V], alpha, train, val, { order: 1, xi });
      const vars: tf.Variable[] = [W, V];
      const saved = vars.map((v) => tf.clone(v));
      /** The bilevel objective L_val(w'(α), α) for a virtual step `step(w, ∇L_train, k)` → w'. */
      const bilevel =
        (step: (w: tf.Tensor, g: tf.Tensor, k: number) => tf.Tensor) =>
        (a: tf.Tensor2D): number => {
          const { grads, value } = tf.variableGrads(() => lossOf(a, train), vars);
          value.dispose();
          tf.tidy(() => vars.forEach((w, k) => w.assign(step(saved[k]!, grads[w.name]!, k))));
          tf.dispose(Object.values(grads));
          const out = tf.tidy(() => lossOf(a, val).dataSync()[0]!);
          tf.tidy(() => vars.forEach((w, k) => w.assign(saved[k]!)));
          return out;
        };
      /** Relative ℓ2 distance of each gradient from the central differences of `f` over every entry of α. */
      const h = 0.01;
      const fdErrors = (f: (a: tf.Tensor2D) => number, grads: ArrayLike<number>[]): number[] => {
        const err = grads.map(() => 0);
        let scale = 0;
        for (let i = 0; i < D * K; i++) {
          const step = (s: number) =>
            tf.tidy(() => tf.add(alpha, tf.mul(tf.reshape(tf.oneHot(tf.tensor1d([i], 'int32'), D * K), [D, K]), s * h)) as tf.Tensor2D);
          const [ap, am] = [step(1), step(-1)];
          const fd = (f(ap) - f(am)) / (2 * h);
          tf.dispose([ap, am]);
          grads.forEach((g, j) => (err[j]! += (g[i]! - fd) ** 2));
          scale += fd ** 2;
        }
        return err.map((e) => Math.sqrt(e / scale));
      };
      const g2 = second.grad.dataSync();
      const [err2, err1] = fdErrors(
        bilevel((w, g) => tf.sub(w, tf.mul(g, xi))),
        [g2, first.grad.dataSync()],
      );
      // The unrolled term matters at ξ = 3, and the approximation captures it; the weights are restored.
      expect(err1).toBeGreaterThan(0.2);
      expect(err2).toBeLessThan(0.01); // measured: 0.27 and 0.0004
      expect(Array.from(W.dataSync())).toEqual(Array.from(saved[0]!.dataSync()));
      tf.dispose([second.grad, first.grad]);

      // The virtual step as SGD takes it, w' = w − ξ (μ·b + ∇L_train + λ w): the same check against its own bilevel objective.
      const buffers = vars.map((v, k) => tf.mul(tf.tensor(testValues(v.size, 40 + k), v.shape), 0.5));
      const virtual = { momentum: 0.9, weightDecay: 0.01, buffers };
      const sgdLike = unrolledArchGradient(lossOf, vars, alpha, train, val, { order: 2, xi, virtual });
      const gv = sgdLike.grad.dataSync();
      const [errV] = fdErrors(
        bilevel((w, g, k) => tf.sub(w, tf.mul(tf.add(tf.add(g, tf.mul(w, 0.01)), tf.mul(buffers[k]!, 0.9)), xi))),
        [gv],
      );
      expect(errV).toBeLessThan(0.01);
      expect(gv.some((v, i) => Math.abs(v - g2[i]!) > 1e-3)).toBe(true); // the momentum and decay terms change it
      tf.dispose([...saved, ...buffers, sgdLike.grad]);
    } finally {
      tf.dispose([W, V, alpha, train.x, train.y, val.x, val.y]);
    }
  });

  it('on the supernet: the second-order gradient is finite and differs from the first-order one; the weights are left as they were', () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 5 });
    const train = batchOf(6, 2);
    const val = batchOf(6, 9);
    const alpha = tf.variable(tf.tensor2d(testValues(30, 4), [6, 5]), true, 'darts-spec-alpha');
    const names = [...sn.parameters.keys()];
    const before = names.map((n) => sn.parameters.get(n)!.dataSync().slice());
    try {
      const second = archGradient(sn, alpha, train, val, { order: 2, xi: 0.025 });
      const first = archGradient(sn, alpha, train, val, { order: 1, xi: 0.025 });
      names.forEach((n, k) => expect(Array.from(sn.parameters.get(n)!.dataSync())).toEqual(Array.from(before[k]!)));
      const [g2, g1] = [second.grad.dataSync(), first.grad.dataSync()];
      expect(g2.every(Number.isFinite)).toBe(true);
      expect(g2.some((v, i) => Math.abs(v - g1[i]!) > 1e-4)).toBe(true);
      expect(second.valLoss).not.toBeCloseTo(first.valLoss, 4); // taken at w', not w
      tf.dispose([second.grad, first.grad]);
    } finally {
      alpha.dispose();
      sn.dispose();
      tf.dispose([train.x, train.y, val.x, val.y]);
    }
  });

  it('a few-shot sub-supernet: a pinned edge mixes only its choice, its α gets no gradient, decoding keeps it', () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 2 });
    const [train, val] = [batchOf(6, 5), batchOf(6, 6)];
    const alpha = tf.variable(tf.tensor2d(testValues(30, 8), [6, 5]), true, 'darts-spec-alpha3');
    const fixed = [3, undefined, undefined, undefined, undefined, undefined];
    try {
      const w = archWeights(alpha, fixed).arraySync();
      expect(w[0]).toEqual([0, 0, 0, 1, 0]);
      expect(w[1]!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const { grad } = archGradient(sn, alpha, train, val, { order: 2, xi: 0.025, fixed });
      const g = grad.arraySync();
      expect(g[0]!.map(Math.abs)).toEqual([0, 0, 0, 0, 0]);
      expect(g[1]!.some((v) => v !== 0)).toBe(true);
      grad.dispose();
      expect(decodeArgmax(alpha, fixed)[0]).toBe(3);
      // Pinning an edge to its path's op gives that path's loss where every other edge is one-hot too.
      const path = [3, 2, 4, 1, 3, 2];
      const big = tf.tidy(() => tf.mul(tf.oneHot(tf.tensor1d(path, 'int32'), 5), 50)) as tf.Tensor2D;
      const a = mixedLoss(sn, big, train, 0, [3]).dataSync()[0]!;
      const b = tf.tidy(() => crossEntropySum(sn.forward(train.x, path, { training: true, bnMomentum: 0 }), train.y, 3).dataSync()[0]! / 6);
      expect(a).toBeCloseTo(b, 4);
      big.dispose();
    } finally {
      alpha.dispose();
      sn.dispose();
      tf.dispose([train.x, train.y, val.x, val.y]);
    }
  });

  it('alternating weight and architecture steps lower both losses; argmax decoding; no tensor leaks', () => {
    const sn = buildSupernet('nb201', { ...TINY, seed: 1 });
    const train = batchOf(12, 3);
    const val = batchOf(12, 3); // the same images: a task both steps can learn
    const alpha = tf.variable(tf.mul(tf.randomNormal([6, 5], 0, 1, 'float32', 1), 1e-3) as tf.Tensor2D, true, 'darts-spec-alpha2');
    const adam = tf.train.adam(0.05, 0.5, 0.999);
    const sgd = new SgdOptimizer(sn.parameters, { momentum: 0.9, nesterov: false, weightDecay: 3e-4 });
    try {
      const start = [loss(sn, alpha, train), loss(sn, alpha, val)];
      const tensors = tf.memory().numTensors;
      for (let step = 0; step < 8; step++) {
        const { grad } = archGradient(sn, alpha, train, val, { order: 2, xi: 0.05 });
        adam.applyGradients([{ name: alpha.name, tensor: grad }]);
        grad.dispose();
        weightStep(sn, alpha, train, sgd, 0.05);
      }
      const end = [loss(sn, alpha, train), loss(sn, alpha, val)];
      expect(end[0]).toBeLessThan(start[0]! * 0.8);
      expect(end[1]).toBeLessThan(start[1]! * 0.8);
      const ops = decodeArgmax(alpha);
      expect(ops).toHaveLength(6);
      const w = archWeights(alpha);
      const rows = w.arraySync();
      ops.forEach((o, r) => expect(rows[r]![o]).toBe(Math.max(...rows[r]!)));
      w.dispose();
      // Adam's and SGD's state grows once; nothing else is left behind per step.
      expect(tf.memory().numTensors - tensors).toBeLessThan(3 * (sn.parameters.size + 1));
    } finally {
      adam.dispose();
      alpha.dispose();
      sn.dispose();
      tf.dispose([train.x, train.y, val.x, val.y]);
    }
  });
});
