import { initTensorBackend } from '../backend/backend';
import { tf } from '../tf';
import { lossSum, pixelCrossEntropySum, trainLoss } from './losses';

describe('pixel cross-entropy (segmentation)', () => {
  beforeAll(async () => {
    await initTensorBackend('cpu');
  });

  it('per sample, the mean cross-entropy over its labelled pixels; void pixels (label ≥ K) add nothing', () => {
    // 2 samples, K = 3 classes, P = 2 pixels; logits channel-first [N, K·P].
    const logits = [
      [2, 0, 0, 1, -1, 0.5],
      [0.3, 0.2, -0.4, 0.1, 1.5, -2],
    ];
    const labels = [
      [0, 11], // pixel 1 is void
      [2, 1],
    ];
    const ce = (sample: number[], pixel: number, label: number): number => {
      const z = [0, 1, 2].map((c) => sample[c * 2 + pixel]!);
      const lse = Math.log(z.reduce((s, v) => s + Math.exp(v), 0));
      return lse - z[label]!;
    };
    const expected = ce(logits[0]!, 0, 0) / 1 + (ce(logits[1]!, 0, 2) + ce(logits[1]!, 1, 1)) / 2;
    const out = tf.tensor2d(logits);
    const y = tf.tensor2d(labels);
    for (const second of [false, true]) {
      const v = pixelCrossEntropySum(out, y, 3, second);
      expect(v.dataSync()[0]).toBeCloseTo(expected, 5);
      v.dispose();
    }
    const viaTrainer = lossSum(trainLoss('pixel-cross-entropy'), out, y, 3);
    expect(viaTrainer.dataSync()[0]).toBeCloseTo(expected, 5);
    // A sample with no labelled pixel contributes 0; a gradient flows only through labelled pixels.
    const allVoid = tf.tensor2d([[11, 11]]);
    const first = tf.tensor2d([logits[0]!]);
    const g = tf.grad((o: tf.Tensor) => pixelCrossEntropySum(o as tf.Tensor2D, allVoid, 3))(first);
    expect(Array.from(g.dataSync(), Math.abs)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(() => pixelCrossEntropySum(out, tf.tensor2d([[0, 1, 2]]), 3)).toThrow(/not 3 maps of the targets' 3 pixels/);
    tf.dispose([out, y, viaTrainer, allVoid, first, g]);
  });
});
