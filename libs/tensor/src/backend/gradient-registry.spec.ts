import { NASX_GRADIENTS, initTensorBackend, tf } from '../index';

// tfjs-layers (which the exporter loads with @nasx/tensor) registers tfjs-core's own gradients
// when its CommonJS build is imported. On wasm/cpu nasx's must win: tfjs's AvgPool gradient
// divides by the full 3×3 window at the borders, where NB201's average excludes padding, so
// training through avg_pool_3x3 went wrong the day tfjs-layers became a dependency.
describe('gradient registry', () => {
  it("holds nasx's gradients after tfjs-layers is loaded and the backend initialised", async () => {
    require('@tensorflow/tfjs-layers'); // eslint-disable-line @typescript-eslint/no-require-imports -- load order is the point of the test
    await initTensorBackend();
    for (const g of NASX_GRADIENTS) expect({ kernel: g.kernelName, ours: tf.getGradient(g.kernelName) === g }).toEqual({ kernel: g.kernelName, ours: true });
  });

  it('gives the true derivative of a padded 3×3 average pool (count_include_pad=False) at the border', async () => {
    await initTensorBackend();
    const x = tf.ones([1, 3, 3, 1]);
    const dx = tf.grad((v: tf.Tensor) => tf.sum(tf.avgPool(v as tf.Tensor4D, 3, 1, 'same')))(x);
    // Corner input feeds 4 windows of 4, 6, 6 and 9 in-bounds pixels: 1/4 + 1/6 + 1/6 + 1/9.
    expect(dx.dataSync()[0]).toBeCloseTo(1 / 4 + 1 / 6 + 1 / 6 + 1 / 9, 6);
  });
});
