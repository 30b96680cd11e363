/**
 * Full-batch, transductive training of a {@link GnnNetwork} on one graph, as GCN (Kipf & Welling,
 * ICLR 2017) and GAT (Veličković et al., ICLR 2018) train on Cora, Citeseer and Pubmed: Adam on
 * the cross-entropy of the labelled training nodes plus an L2 penalty, one step per epoch, the
 * validation split evaluated after every step, and one of their early-stopping rules.
 */
import { tf } from '../tf';
import type { GnnNetwork } from './gnn.network';
import type { GraphTensors } from './graph-tensors';

/**
 * - `none`: train every epoch; the last weights are the result.
 * - `window` (GCN): stop once the validation loss exceeds the mean of the `patience` epochs
 *   before it; the last weights are the result.
 * - `patience` (GAT): stop after `patience` epochs in which neither the validation accuracy nor
 *   the validation loss improved on its best; the result is the last weights at which both were
 *   at their best.
 */
export type GraphEarlyStopping = 'none' | 'window' | 'patience';

export interface TrainGraphOptions {
  readonly epochs: number;
  readonly learningRate: number;
  /** L2 coefficient λ of the penalty λ·Σ‖w‖²/2 (PyTorch Adam's `weight_decay`). */
  readonly weightDecay: number;
  /** Which parameters the penalty covers: all (GAT), or the first layer's only (GCN). */
  readonly weightDecayScope?: 'all' | 'first-layer';
  readonly dropout: number;
  readonly earlyStopping?: GraphEarlyStopping;
  readonly patience?: number;
  /** Seed of the dropout masks (one stream per epoch). */
  readonly seed: number;
  readonly signal?: AbortSignal;
  readonly onEpoch?: (record: GraphEpochRecord) => void;
}

export interface GraphEpochRecord {
  readonly epoch: number;
  readonly trainLoss: number;
  readonly valLoss: number;
  readonly valAcc: number;
}

export interface GraphSplitScores {
  readonly loss: number;
  /** Top-1 accuracy in percent. */
  readonly accuracy: number;
}

export interface TrainGraphResult {
  readonly epochs: number;
  /** Epoch (1-based) whose weights the result holds. */
  readonly selectedEpoch: number;
  readonly stoppedEarly: boolean;
  readonly trainLoss: number;
  readonly train: GraphSplitScores;
  readonly validation: GraphSplitScores;
  readonly test: GraphSplitScores;
}

/** Mean cross-entropy and accuracy of `logits` (`[N, C]`, row-major) on `nodes`. */
export function scoreNodes(logits: Float32Array, classes: number, labels: Int32Array, nodes: Int32Array): GraphSplitScores {
  let loss = 0;
  let correct = 0;
  for (const i of nodes) {
    let max = -Infinity;
    let arg = 0;
    for (let c = 0; c < classes; c++) {
      const v = logits[i * classes + c]!;
      if (v > max) {
        max = v;
        arg = c;
      }
    }
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[i * classes + c]! - max);
    loss += Math.log(sum) + max - logits[i * classes + labels[i]!]!;
    if (arg === labels[i]) correct++;
  }
  return { loss: nodes.length ? loss / nodes.length : NaN, accuracy: nodes.length ? (100 * correct) / nodes.length : NaN };
}

/** Mean softmax cross-entropy of `logits` rows `nodes` against `labels` (differentiable). */
function crossEntropy(logits: tf.Tensor2D, nodes: tf.Tensor1D, targets: tf.Tensor2D): tf.Scalar {
  const z = tf.gather(logits, nodes);
  const logProbs = tf.sub(z, tf.logSumExp(z, 1, true));
  return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, targets), 1)));
}

export async function trainGraphNetwork(net: GnnNetwork, graph: GraphTensors, options: TrainGraphOptions): Promise<TrainGraphResult> {
  const classes = graph.numClasses;
  const trainNodes = graph.nodes.train;
  if (trainNodes.length === 0) throw new Error('@nasx/tensor: the graph has no training nodes');
  const nodes = tf.tensor1d(trainNodes, 'int32');
  const oneHot = new Float32Array(trainNodes.length * classes);
  trainNodes.forEach((n, k) => (oneHot[k * classes + graph.labels[n]!] = 1));
  const targets = tf.tensor2d(oneHot, [trainNodes.length, classes]);
  const optimizer = tf.train.adam(options.learningRate, 0.9, 0.999, 1e-8);
  const variables = net.params.map((p) => p.variable);
  const decayed = net.params.filter((p) => (options.weightDecayScope === 'first-layer' ? p.layer === 0 : true)).map((p) => p.variable);
  const rule = options.earlyStopping ?? 'none';
  const patience = options.patience ?? (rule === 'window' ? 10 : 100);

  const evaluate = (): { logits: Float32Array } => {
    const logits = net.forward(graph, { training: false });
    const values = logits.dataSync() as Float32Array;
    logits.dispose();
    return { logits: values };
  };

  const valLosses: number[] = [];
  let bestAcc = -Infinity;
  let bestLoss = Infinity;
  let sinceBest = 0;
  let saved: Map<string, { shape: readonly number[]; values: Float32Array }> | null = null;
  let selectedEpoch = 0;
  let stoppedEarly = false;
  let trainLoss = NaN;
  let epoch = 0;
  try {
    for (epoch = 1; epoch <= options.epochs; epoch++) {
      options.signal?.throwIfAborted();
      const seed = (options.seed + epoch * 0x9e3779b1) >>> 0;
      const loss = optimizer.minimize(
        () =>
          tf.tidy(() => {
            const logits = net.forward(graph, { training: true, dropout: options.dropout, seed });
            let l = crossEntropy(logits, nodes, targets);
            if (options.weightDecay > 0 && decayed.length) {
              const l2 = tf.addN(decayed.map((v) => tf.sum(tf.square(v))));
              l = tf.add(l, tf.mul(l2, options.weightDecay / 2));
            }
            return l as tf.Scalar;
          }),
        true,
        variables,
      );
      trainLoss = loss!.dataSync()[0]!;
      loss!.dispose();
      const { logits } = evaluate();
      const val = scoreNodes(logits, classes, graph.labels, graph.nodes.validation);
      options.onEpoch?.({ epoch, trainLoss, valLoss: val.loss, valAcc: val.accuracy });
      if (rule !== 'patience') selectedEpoch = epoch;
      if (rule === 'window') {
        if (valLosses.length >= patience) {
          const recent = valLosses.slice(-patience);
          if (val.loss > recent.reduce((a, b) => a + b, 0) / patience) {
            stoppedEarly = true;
            break;
          }
        }
        valLosses.push(val.loss);
      } else if (rule === 'patience') {
        if (val.accuracy >= bestAcc || val.loss <= bestLoss) {
          if (val.accuracy >= bestAcc && val.loss <= bestLoss) {
            saved = net.weights();
            selectedEpoch = epoch;
          }
          bestAcc = Math.max(bestAcc, val.accuracy);
          bestLoss = Math.min(bestLoss, val.loss);
          sinceBest = 0;
        } else if (++sinceBest >= patience) {
          stoppedEarly = true;
          break;
        }
      }
      // Yield to the event loop now and then, so that a stop request is seen.
      if (epoch % 20 === 0) await new Promise<void>((r) => setImmediate(r));
    }
    if (rule === 'patience' && saved) net.assign(saved);
    else if (rule === 'patience') selectedEpoch = Math.min(epoch, options.epochs);
    const { logits } = evaluate();
    return {
      epochs: Math.min(epoch, options.epochs),
      selectedEpoch,
      stoppedEarly,
      trainLoss,
      train: scoreNodes(logits, classes, graph.labels, graph.nodes.train),
      validation: scoreNodes(logits, classes, graph.labels, graph.nodes.validation),
      test: scoreNodes(logits, classes, graph.labels, graph.nodes.test),
    };
  } finally {
    nodes.dispose();
    targets.dispose();
    optimizer.dispose();
  }
}
