import { ParameterSet, addDense, dense, type ForwardMode, type PredictorNetwork } from '@nasx/predictors';
import { tf } from '@nasx/tensor';

/**
 * A multi-device latency regressor: a shared MLP trunk over the graph features (two ReLU layers)
 * and one linear output per training device, each predicting that device's standardised
 * log-latency. A training sample is a (cell, device) pair; its `device` input is the device's
 * one-hot row, which picks the sample's output. Sharing the trunk across devices is what makes
 * the outputs a basis for an unseen device (see `LearnedLatencyPredictor`).
 */
export class LatencyNetwork implements PredictorNetwork {
  readonly parameters: ParameterSet;

  constructor(
    readonly inputs: number,
    readonly hidden: number,
    readonly devices: number,
    seed: number,
  ) {
    this.parameters = new ParameterSet(seed);
    addDense(this.parameters, 'trunk.0', inputs, hidden);
    addDense(this.parameters, 'trunk.1', hidden, hidden);
    addDense(this.parameters, 'heads', hidden, devices);
  }

  /** Every device's standardised log-latency, `[B, devices]`. */
  heads(features: tf.Tensor2D): tf.Tensor2D {
    const h1 = tf.relu(dense(this.parameters, 'trunk.0', features));
    const h2 = tf.relu(dense(this.parameters, 'trunk.1', h1));
    return dense(this.parameters, 'heads', h2);
  }

  forward(inputs: { readonly [name: string]: tf.Tensor }, _mode: ForwardMode): tf.Tensor1D {
    return tf.sum(tf.mul(this.heads(inputs['features'] as tf.Tensor2D), inputs['device'] as tf.Tensor2D), 1);
  }
}
