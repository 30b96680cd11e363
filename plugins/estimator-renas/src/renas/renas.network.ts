import { ParameterSet, addDense, dense, type ForwardMode, type PredictorNetwork, type RenasFeatureEncoder } from '@nasx/predictors';
import { Layers, tf } from '@nasx/tensor';

/** Shape of the ReNAS predictor's CNN. */
export interface RenasArchitecture {
  /** Output channels of each 3×3 convolution (the authors' code: 38 and 128). */
  readonly channels: readonly number[];
  /** Widths of the hidden fully connected layers (the authors' code: 120 and 84, LeNet's). */
  readonly fc: readonly number[];
}

/**
 * The ReNAS predictor (Xu et al., CVPR 2021, Sec. 3.2; the authors' `LeNet` in
 * huawei-noah/Efficient-Computing `Efficient-NAS/ReNAS/renas.py`): over the N×N×C feature tensor,
 * 3×3 convolutions with padding 1 (no bias), each followed by batch normalisation and ReLU, then
 * the flattened maps through fully connected layers with ReLU to one score. Weights start with
 * PyTorch's defaults; batch norm as PyTorch's `BatchNorm2d` (via `Layers` of `@nasx/tensor`).
 */
export function createRenasNetwork(encoder: RenasFeatureEncoder, arch: RenasArchitecture, seed: number): PredictorNetwork {
  const params = new ParameterSet(seed);
  const N = encoder.maxNodes;
  let c = encoder.channels.length;
  arch.channels.forEach((out, i) => {
    params.add(`conv${i}.weight`, [3, 3, c, out], { kind: 'pytorch-uniform', fanIn: 9 * c, fanOut: 9 * out });
    params.add(`bn${i}.weight`, [out], { kind: 'ones' });
    params.add(`bn${i}.bias`, [out], { kind: 'zeros' });
    params.addBuffer(`bn${i}.running_mean`, [out], 0);
    params.addBuffer(`bn${i}.running_var`, [out], 1);
    c = out;
  });
  let width = N * N * c;
  arch.fc.forEach((out, i) => {
    addDense(params, `fc${i}`, width, out);
    width = out;
  });
  addDense(params, 'out', width, 1);

  return {
    parameters: params,
    forward(inputs, mode: ForwardMode): tf.Tensor1D {
      const x = inputs['tensor'] as tf.Tensor4D;
      const B = x.shape[0];
      const layers = new Layers(params.parameters, params.buffers, mode.training);
      try {
        let h = x;
        arch.channels.forEach((_, i) => {
          h = tf.relu(layers.batchNorm(`bn${i}`, layers.conv(`conv${i}`, h, 1, 1)));
        });
        let z = tf.reshape(h, [B, -1]) as tf.Tensor2D;
        arch.fc.forEach((_, i) => {
          z = tf.relu(dense(params, `fc${i}`, z));
        });
        return tf.reshape(dense(params, 'out', z), [B]);
      } finally {
        layers.release();
      }
    },
  };
}
