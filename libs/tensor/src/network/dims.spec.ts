/**
 * Networks beyond 2-D classification (NAS-Bench-360's tasks): sequences built with 1-D
 * convolutions, dense heads that keep the spatial size, the Wide ResNet baseline, and the losses
 * the trainer gained for them.
 */
import { isNasxError, type Architecture, type Batch, type DataSplit } from '@nasx/contracts';
import { loadOnednn } from '@nasx/tensor-onednn';
import { closeness, onBackend, testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { NB201_SPACE } from '../nb201/nb201.network';
import { Layers } from '../nn/layers';
import { tf } from '../tf';
import { toTensors } from '../train/batch-tensors';
import { lossSum } from '../train/losses';
import { evaluateNetwork, predictNetwork, trainNetwork } from '../train/train';
import { wrnArchitecture } from '../wrn/wrn.network';
import { buildNetwork, planNetwork } from './builders';
import { toLayersModel } from '../export/layers-model';

const nb201 = (ops: number[]): Architecture => ({ space: NB201_SPACE, genotype: { ops }, key: ops.join('') });
// NB201 cells by arch string: the best CIFAR-10 cell, a mixed one, and the all-`none` cell.
const CONV = nb201([3, 3, 3, 1, 3, 3]); // |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|
const MIXED = nb201([4, 1, 0, 2, 4, 1]); // |avg_pool_3x3~0|+|skip_connect~0|none~1|+|nor_conv_1x1~0|avg_pool_3x3~1|skip_connect~2|
const NONE = nb201([0, 0, 0, 0, 0, 0]);

/** A split over fixed arrays (no shuffling needed for these checks). */
function arraySplit(x: Float32Array, xShape: number[], y: Float32Array | Int32Array, yShape: number[]): DataSplit {
  const n = xShape[0]!;
  const per = x.length / n;
  const perY = y.length / n;
  return {
    size: n,
    async *batches({ batchSize, limit }) {
      let count = 0;
      for (let start = 0; start < n && (limit === undefined || count < limit); start += batchSize, count++) {
        const m = Math.min(batchSize, n - start);
        const batch: Batch = {
          x: { data: x.subarray(start * per, (start + m) * per), shape: [m, ...xShape.slice(1)], dtype: 'float32' },
          y: { data: y.subarray(start * perY, (start + m) * perY), shape: [m, ...yShape.slice(1)], dtype: y instanceof Int32Array ? 'int32' : 'float32' },
        };
        yield batch;
      }
    },
  };
}

describe('dimension-generic networks', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  describe('parameter counts equal NAS-Bench-360’s PyTorch networks (rtu715/NAS-Bench-360 @587bb09)', () => {
    // Counted with `sum(p.numel() for p in model.parameters())` on the upstream modules.
    it('WRN-16-4, point head, CIFAR-100 (`Backbone_Pt(16, 100, 4)`): 2,772,020', () => {
      expect(planNetwork(wrnArchitecture(16, 4), { numClasses: 100, inputShape: [3, 32, 32] }).paramCount).toBe(2772020);
    });

    it('WRN-16-4, dense head, Darcy 3 → 1 channel (`Backbone(16, 1, 4, 3)`: 2,748,888 less its unused `in_layer` BN (6) and `out_conv` (2,305))', () => {
      const plan = planNetwork(wrnArchitecture(16, 4), { numClasses: 1, inputShape: [3, 85, 85], outputShape: [1, 85, 85] });
      expect(plan.paramCount).toBe(2748888 - 6 - 2305);
      expect(plan.outputShape).toEqual([1, 85, 85]);
    });

    it('dense NB201 (darcyflow `TinyNetwork(16, 5, genotype, 1)`): 1,403,889, 36,913 and 657 parameters', () => {
      const dense = { numClasses: 1, inputShape: [3, 85, 85], outputShape: [1, 85, 85] };
      expect([CONV, MIXED, NONE].map((a) => planNetwork(a, dense).paramCount)).toEqual([1403889, 36913, 657]);
    });
  });

  describe('sequences [C, L]: 1-D convolutions', () => {
    it('plans every convolution as a 1×k kernel with k·Cin·Cout weights (the 2-D network’s k²·Cin·Cout over k)', () => {
      const seq = planNetwork(CONV, { numClasses: 4, inputShape: [1, 1000] });
      const img = planNetwork(CONV, { numClasses: 4, inputShape: [1, 32, 32] });
      const convs = seq.parameters.filter((p) => p.role === 'conv-weight');
      expect(convs.length).toBeGreaterThan(0);
      expect(convs.every((p) => p.shape[0] === 1)).toBe(true);
      const shrink = img.parameters.reduce(
        (n, p) => n + (p.role === 'conv-weight' ? (p.shape[0]! * p.shape[1]! * p.shape[2]! * p.shape[3]!) / p.shape[0]! : p.shape.reduce((a, b) => a * b, 1)),
        0,
      );
      expect(seq.paramCount).toBe(shrink);
    });

    it('a 1×k convolution with padding p equals tf.conv1d with that padding, at stride 1 and 2, forward and backward, on every backend', async () => {
      const backends: ('cpu' | 'wasm' | 'onednn')[] = ['cpu', 'wasm', ...(loadOnednn().ok ? (['onednn'] as const) : [])];
      if (backends.includes('onednn')) await initTensorBackend('onednn');
      await initTensorBackend('wasm');
      const run = () => {
        const k = 3;
        const x = tf.tensor3d(testValues(2 * 11 * 3, 1), [2, 11, 3]); // [N, L, C]
        const w = tf.tensor3d(testValues(k * 3 * 5, 2), [k, 3, 5]);
        const params = new Map([['c.weight', tf.variable(tf.reshape(w, [1, k, 3, 5]))]]);
        const L = new Layers(params, new Map(), false);
        const out: number[][][] = [];
        for (const stride of [1, 2]) {
          const ours = (xs: tf.Tensor) => tf.sum(tf.square(L.conv('c', tf.reshape(xs, [2, 1, 11, 3]), stride, 1)));
          const ref = (xs: tf.Tensor) => {
            const padded = tf.pad(xs as tf.Tensor3D, [
              [0, 0],
              [1, 1],
              [0, 0],
            ]);
            return tf.sum(tf.square(tf.conv1d(padded, w, stride, 'valid')));
          };
          out.push([[...ours(x).dataSync()], [...tf.grad(ours)(x).dataSync()], [...ref(x).dataSync()], [...tf.grad(ref)(x).dataSync()]]);
        }
        params.get('c.weight')!.dispose();
        tf.dispose([x, w]);
        return out;
      };
      for (const backend of backends) {
        for (const [value, grad, refValue, refGrad] of await onBackend(backend, run)) {
          expect(closeness(value!, refValue!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
          expect(closeness(grad!, refGrad!, 1e-4, 1e-4)).toBeLessThanOrEqual(1);
        }
      }
    });

    it('NB201 and WRN take [N, C, L] batches and give [N, classes] logits', () => {
      for (const arch of [MIXED, wrnArchitecture(10, 1)]) {
        const net = buildNetwork(arch, {
          numClasses: 4,
          inputShape: [2, 64],
          seed: 1,
          macro: arch.space === 'wrn' ? undefined : { channels: 4, cellsPerStage: 1 },
        });
        const out = net.forward(tf.tensor3d(testValues(3 * 2 * 64, 3), [3, 2, 64]), { training: false });
        expect(out.shape).toEqual([3, 4]);
        net.dispose();
      }
    });

    it('a point head zero-pads a size not divisible by 4 (FSD50K’s 101 frames) inside the network: the same as the padded input to the network of the padded size', () => {
      for (const arch of [MIXED, wrnArchitecture(10, 1)]) {
        const macro = arch.space === 'wrn' ? undefined : { channels: 4, cellsPerStage: 1 };
        for (const [shape, paddedShape] of [
          [
            [2, 66],
            [2, 68],
          ],
          [
            [1, 6, 101],
            [1, 8, 104],
          ],
        ] as const) {
          const net = buildNetwork(arch, { numClasses: 3, inputShape: shape, seed: 4, macro });
          const ref = buildNetwork(arch, { numClasses: 3, inputShape: paddedShape, seed: 4, macro });
          expect(net.plan.inputShape).toEqual(shape);
          expect(planNetwork(arch, { numClasses: 3, inputShape: shape, macro }).flops).toBe(ref.flops);
          const size = (shape as readonly number[]).reduce((a, b) => a * b, 1);
          const x = tf.tensor(testValues(2 * size, 5), [2, ...shape]);
          const pads = shape.map((d, i) => [0, paddedShape[i]! - d] as [number, number]);
          const xp = tf.pad(x, [[0, 0], ...pads]);
          const [a, b] = [net.forward(x, { training: false }), ref.forward(xp, { training: false })];
          expect(closeness([...a.dataSync()], [...b.dataSync()], 1e-5, 1e-5)).toBeLessThanOrEqual(1);
          tf.dispose([x, xp, a, b]);
          net.dispose();
          ref.dispose();
        }
      }
    });
  });

  describe('dense outputs', () => {
    it('keep the spatial size, return [N, K·H·W] channel-first, and export to a LayersModel that agrees', () => {
      for (const arch of [CONV, MIXED, wrnArchitecture(10, 1)]) {
        const options = {
          numClasses: 2,
          inputShape: [3, 6, 5],
          outputShape: [2, 6, 5],
          seed: 2,
          macro: arch.space === 'wrn' ? undefined : { channels: 4, cellsPerStage: 1 },
        };
        const net = buildNetwork(arch, options);
        const x = tf.tensor4d(testValues(2 * 3 * 6 * 5, 4), [2, 3, 6, 5]);
        const out = net.forward(x, { training: false });
        expect(out.shape).toEqual([2, 2 * 6 * 5]);
        const { model } = toLayersModel(net);
        const exported = model.predict(x) as tf.Tensor;
        const a = out.dataSync();
        const b = exported.dataSync();
        expect(b.length).toBe(a.length);
        for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4 * (1 + Math.abs(a[i]!)));
        model.dispose();
        net.dispose();
      }
    });

    it('the all-none dense cell changes channels with zeros, as xautodl’s `Zero(C_in ≠ C_out)`', () => {
      const net = buildNetwork(NONE, { numClasses: 1, inputShape: [3, 4, 4], outputShape: [1, 4, 4], seed: 0, macro: { channels: 4, cellsPerStage: 1 } });
      const out = net.forward(tf.tensor4d(testValues(3 * 16, 5), [1, 3, 4, 4]), { training: false });
      // Every cell outputs zeros, so the head sees BN(0) → ReLU(β) = 0 with fresh BN: the bias alone.
      const bias = net.parameters.get('classifier.bias')!.dataSync()[0]!;
      expect(Array.from(out.dataSync()).every((v) => Math.abs(v - bias) < 1e-6)).toBe(true);
      net.dispose();
    });

    it('refuses an output map of another size, and a dense task for a point-only space', () => {
      const messages: string[] = [];
      for (const f of [
        () => planNetwork(CONV, { numClasses: 1, inputShape: [3, 8, 8], outputShape: [1, 4, 4] }),
        () => planNetwork(CONV, { numClasses: 2, inputShape: [3, 8, 8], outputShape: [1, 8, 8] }),
      ]) {
        try {
          f();
        } catch (e) {
          if (isNasxError(e)) messages.push(e.message);
        }
      }
      expect(messages).toHaveLength(2);
      expect(messages[0]).toMatch(/does not keep the input's spatial size/);
      expect(messages[1]).toMatch(/does not start with numClasses/);
    });
  });

  describe('losses', () => {
    it('each loss equals its formula on a hand-sized case', () => {
      const out = tf.tensor2d([
        [0.5, -1, 2],
        [0, 1, -0.5],
      ]);
      const y = tf.tensor2d([
        [1, 0, 1],
        [0, 0, 1],
      ]);
      const bce = (x: number, t: number) => Math.max(x, 0) - x * t + Math.log1p(Math.exp(-Math.abs(x)));
      const o = [0.5, -1, 2, 0, 1, -0.5];
      const t = [1, 0, 1, 0, 0, 1];
      const expectBce = (bce(o[0]!, t[0]!) + bce(o[1]!, t[1]!) + bce(o[2]!, t[2]!)) / 3 + (bce(o[3]!, t[3]!) + bce(o[4]!, t[4]!) + bce(o[5]!, t[5]!)) / 3;
      expect(lossSum('binary-cross-entropy', out, y, 3).dataSync()[0]).toBeCloseTo(expectBce, 5);
      const se = o.map((v, i) => (v - t[i]!) ** 2);
      expect(lossSum('mse', out, y, 3).dataSync()[0]).toBeCloseTo((se[0]! + se[1]! + se[2]!) / 3 + (se[3]! + se[4]! + se[5]!) / 3, 5);
      const ae = o.map((v, i) => Math.abs(v - t[i]!));
      expect(lossSum('l1', out, y, 3).dataSync()[0]).toBeCloseTo((ae[0]! + ae[1]! + ae[2]!) / 3 + (ae[3]! + ae[4]! + ae[5]!) / 3, 5);
      const rel = Math.sqrt(se[0]! + se[1]! + se[2]!) / Math.sqrt(2) + Math.sqrt(se[3]! + se[4]! + se[5]!) / 1;
      expect(lossSum('relative-l2', out, y, 3).dataSync()[0]).toBeCloseTo(rel, 5);
    });

    it('dense regression (relative ℓ2) and multi-label (BCE) train: the loss falls, predictions come back in sample order', async () => {
      // A 1-D dense task: y = a smoothed copy of x, which a few convolutions can learn.
      const n = 32;
      const len = 16;
      const x = testValues(n * len, 7);
      const y = new Float32Array(n * len);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < len; j++) {
          const at = (k: number) => x[i * len + Math.min(len - 1, Math.max(0, k))]!;
          y[i * len + j] = 1 + (at(j - 1) + at(j) + at(j + 1)) / 3;
        }
      const split = arraySplit(x, [n, 1, len], y, [n, 1, len]);
      const net = buildNetwork(CONV, { numClasses: 1, inputShape: [1, len], outputShape: [1, len], seed: 3, macro: { channels: 4, cellsPerStage: 1 } });
      const before = await evaluateNetwork(net, split, { loss: 'relative-l2' });
      await trainNetwork(net, split, { epochs: 30, batchSize: 16, loss: 'relative-l2', learningRate: 0.05, weightDecay: 0 });
      const after = await evaluateNetwork(net, split, { loss: 'relative-l2' });
      expect(Number.isNaN(after.accuracy)).toBe(true);
      expect(after.loss).toBeLessThan(0.5 * before.loss);
      const pred = await predictNetwork(net, split, { loss: 'relative-l2', batchSize: 5 });
      expect([pred.samples, pred.outputSize, pred.outputs.length]).toEqual([n, len, n * len]);
      expect(Array.from(pred.targets)).toEqual(Array.from(y));
      net.dispose();

      // Multi-label: 3 labels, label k on when feature k of the sequence's mean is positive.
      const ml = new Float32Array(n * 3);
      const xs = testValues(n * 3 * len, 8);
      for (let i = 0; i < n; i++)
        for (let k = 0; k < 3; k++) {
          let s = 0;
          for (let j = 0; j < len; j++) s += xs[(i * 3 + k) * len + j]!;
          ml[i * 3 + k] = s > 0 ? 1 : 0;
        }
      const mlSplit = arraySplit(xs, [n, 3, len], ml, [n, 3]);
      const wrn = buildNetwork(wrnArchitecture(10, 1), { numClasses: 3, inputShape: [3, len], seed: 4 });
      const b0 = await evaluateNetwork(wrn, mlSplit, { loss: 'binary-cross-entropy' });
      await trainNetwork(wrn, mlSplit, { epochs: 20, batchSize: 16, loss: 'binary-cross-entropy', learningRate: 0.05 });
      const b1 = await evaluateNetwork(wrn, mlSplit, { loss: 'binary-cross-entropy' });
      expect(b1.loss).toBeLessThan(0.7 * b0.loss);
      wrn.dispose();
    });

    it('value targets go through toTensors as [N, D] float32; data-parallel training refuses them with a clear message', async () => {
      const batch: Batch = {
        x: { data: new Float32Array(2 * 4), shape: [2, 1, 4], dtype: 'float32' },
        y: { data: new Uint8Array([1, 0, 0, 1, 1, 1]), shape: [2, 3], dtype: 'uint8' },
      };
      const { x, y } = toTensors(batch, 'values');
      expect([x.shape, y.shape, y.dtype]).toEqual([[2, 1, 1, 4], [2, 3], 'float32']);
      tf.dispose([x, y]);
      const net = buildNetwork(MIXED, { numClasses: 1, inputShape: [1, 8], outputShape: [1, 8], macro: { channels: 2, cellsPerStage: 1 } });
      const split = arraySplit(new Float32Array(16), [2, 1, 8], new Float32Array(16), [2, 1, 8]);
      await expect(trainNetwork(net, split, { loss: 'mse', replicas: 2 })).rejects.toThrow(/cross-entropy on class ids only/);
      net.dispose();
    });
  });
});
