import { NasxError } from '@nasx/contracts';
import { assertTensorBackend, tf } from '@nasx/tensor';
import { PREDICTORS_PACKAGE } from '../predictor-error';
import { isRankingLoss, l1Loss, mseLoss, pairSigns, pairwiseRankingLoss } from './losses';
import type { EncodedBatch, PredictorNetwork, PredictorTraining } from './predictor-model';
import { SeededRandom } from '@nasx/tensor';

/** Per-epoch report of {@link trainPredictorNetwork}. */
export interface EpochReport {
  /** 1-based. */
  readonly epoch: number;
  readonly epochs: number;
  /** Mean training loss over the epoch's batches. */
  readonly loss: number;
  readonly learningRate: number;
}

/** Options of one training run besides the {@link PredictorTraining} settings. */
export interface TrainRunOptions {
  /** Seed of the batch order and dropout masks. */
  readonly seed: number;
  /** Stops between batches with a `run` error when aborted. */
  readonly signal?: AbortSignal;
  /** Called after each epoch. */
  readonly onEpoch?: (report: EpochReport) => void;
}

/** The learning rate of an epoch (0-based): constant, or PyTorch's `CosineAnnealingLR` with T_max = epochs, η_min = 0. */
export function learningRateOf(training: Pick<PredictorTraining, 'learningRate' | 'schedule' | 'epochs'>, epoch: number): number {
  if (training.schedule === 'constant') return training.learningRate;
  return (training.learningRate * (1 + Math.cos((Math.PI * epoch) / training.epochs))) / 2;
}

/** Tensors `[size, ...shape]` of every input of a batch (the caller disposes them). */
export function batchTensors(batch: EncodedBatch): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  for (const [name, input] of Object.entries(batch.inputs)) out[name] = tf.tensor(input.data, [batch.size, ...input.shape]);
  return out;
}

/**
 * One optimiser step with L2 weight decay added to the gradient (PyTorch Adam's `weight_decay`).
 * Every variable gets a gradient, zeros where unused: tfjs's Adam keys its moments by position.
 * Call inside `tf.tidy`.
 */
export function applyGradientStep(
  optimizer: tf.Optimizer,
  variables: readonly tf.Variable[],
  grads: { readonly [name: string]: tf.Tensor },
  weightDecay: number,
): void {
  const ordered: Record<string, tf.Tensor> = {};
  for (const v of variables) {
    const g = grads[v.name] ?? tf.zerosLike(v);
    ordered[v.name] = weightDecay > 0 ? tf.add(g, tf.mul(v, weightDecay)) : g;
  }
  optimizer.applyGradients(ordered as Parameters<typeof optimizer.applyGradients>[0]);
}

/**
 * Trains a predictor network on encoded graphs and their targets with Adam (`tf.train.adam`,
 * β = (0.9, 0.999), ε = 1e-8 as PyTorch), mini-batches in a seeded random order each epoch, and
 * the configured loss: `mse` or `l1` on the targets as given (the caller standardises them), or a
 * pairwise ranking loss within each batch. Frees every tensor it made; the network's variables
 * hold the result. Returns the last epoch's mean loss.
 */
export async function trainPredictorNetwork(
  network: PredictorNetwork,
  batch: EncodedBatch,
  targets: Float32Array,
  training: PredictorTraining,
  run: TrainRunOptions,
): Promise<number> {
  assertTensorBackend('training a predictor');
  const n = batch.size;
  if (targets.length !== n) throw new Error(`@nasx/predictors: ${n} encoded graphs but ${targets.length} targets`);
  const batchSize = Math.max(1, Math.min(training.batchSize, n));
  // drop_last never drops the only batch; a ranking loss skips a 1-sample batch (it has no pairs).
  const dropLast = training.dropLast ?? false;
  const rng = new SeededRandom(run.seed, 'batches');
  const inputs = batchTensors(batch);
  const y = tf.tensor1d(targets);
  const variables = network.parameters.trainable();
  const optimizer = tf.train.adam(training.learningRate, 0.9, 0.999, 1e-8);
  let last = NaN;
  try {
    for (let epoch = 0; epoch < training.epochs; epoch++) {
      const lr = learningRateOf(training, epoch);
      // tfjs's Adam reads its learning rate at every step; this is how a schedule reaches it.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const order = rng.permutation(n);
      let sum = 0;
      let batches = 0;
      for (let start = 0; start < n; start += batchSize) {
        const end = Math.min(n, start + batchSize);
        if (end - start < batchSize && dropLast && start > 0) break;
        if (end - start < 2 && isRankingLoss(training.loss)) continue;
        if (run.signal?.aborted)
          throw new NasxError('run', 'predictor training was cancelled', {
            pkg: PREDICTORS_PACKAGE,
            fix: 'let the preparation finish, or resume the run later',
          });
        const idx = order.subarray(start, end);
        const dropoutSeed = rng.uint32();
        const signs = isRankingLoss(training.loss) ? pairSigns(Array.from(idx, (i) => targets[i]!)) : undefined;
        const lossValue = tf.tidy(() => {
          const index = tf.tensor1d(idx, 'int32');
          const xb: Record<string, tf.Tensor> = {};
          for (const [name, t] of Object.entries(inputs)) xb[name] = tf.gather(t, index);
          const yb = tf.gather(y, index) as tf.Tensor1D;
          const signTensor = signs ? tf.tensor2d(signs.signs, [idx.length, idx.length]) : undefined;
          const { value, grads } = tf.variableGrads(() => {
            const scores = network.forward(xb, { training: true, dropoutSeed });
            if (!signTensor) return training.loss === 'l1' ? l1Loss(scores, yb) : mseLoss(scores, yb);
            return pairwiseRankingLoss(scores, signTensor, signs!.pairs, training.loss === 'pairwise-hinge' ? 'hinge' : 'logistic');
          }, variables);
          applyGradientStep(optimizer, variables, grads, training.weightDecay);
          return value;
        });
        sum += (await lossValue.data())[0]!;
        lossValue.dispose();
        batches++;
      }
      last = batches > 0 ? sum / batches : NaN;
      run.onEpoch?.({ epoch: epoch + 1, epochs: training.epochs, loss: last, learningRate: lr });
    }
  } finally {
    optimizer.dispose();
    tf.dispose([...Object.values(inputs), y]);
  }
  return last;
}

/** Scores of every sample of a batch, in chunks of `chunk` samples (inference mode). */
export function predictScores(network: PredictorNetwork, batch: EncodedBatch, chunk = 1024): Float32Array {
  assertTensorBackend('predicting with a predictor');
  const out = new Float32Array(batch.size);
  for (let start = 0; start < batch.size; start += chunk) {
    const end = Math.min(batch.size, start + chunk);
    const scores = tf.tidy(() => {
      const xb: Record<string, tf.Tensor> = {};
      for (const [name, input] of Object.entries(batch.inputs)) {
        const per = input.shape.reduce((a, b) => a * b, 1);
        xb[name] = tf.tensor(input.data.subarray(start * per, end * per), [end - start, ...input.shape]);
      }
      return network.forward(xb, { training: false });
    });
    out.set(scores.dataSync() as Float32Array, start);
    scores.dispose();
  }
  return out;
}
