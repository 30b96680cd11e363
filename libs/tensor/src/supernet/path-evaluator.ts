import { NasxError, type DataSplit, type Rng } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';
import { toTensors, type ClassificationTensors } from '../train/batch-tensors';
import { correctCount, crossEntropySum } from '../train/train';
import type { Supernet, SupernetPath } from './supernet';

/** Options of {@link createPathEvaluator}. */
export interface PathEvaluatorOptions {
  /** The split whose batches recalibrate batch norm (the training split). */
  readonly calibration: DataSplit;
  /**
   * Training batches that recalibrate the path's batch-norm statistics before it is evaluated
   * (their exact mean, PyTorch's `momentum=None`). 0: evaluate with each validation batch's own
   * statistics (`track_running_stats=False`, as the few-shot NAS authors evaluated).
   */
  readonly calibrationBatches: number;
  /** The split a path's accuracy is measured on. */
  readonly validation: DataSplit;
  readonly batchSize: number;
  /** Draws the calibration batches (once: every path sees the same ones). */
  readonly rng: Rng;
}

/** The accuracy of one path. */
export interface PathEvaluation {
  /** Top-1 accuracy on the validation samples, %. */
  readonly accuracy: number;
  /** Mean cross-entropy. */
  readonly loss: number;
  readonly n: number;
}

/** Evaluates paths of a supernet on batches held in memory as tensors. */
export interface PathEvaluator {
  readonly validationSize: number;
  /** Recalibrates the path's batch norm, then measures it. Synchronous: no other path can interleave. */
  evaluate(supernet: Supernet, path: SupernetPath): PathEvaluation;
  dispose(): void;
}

async function collect(split: DataSplit, batchSize: number, limit: number, rng: Rng | undefined): Promise<ClassificationTensors[]> {
  const out: ClassificationTensors[] = [];
  let n = 0;
  for await (const b of split.batches({ batchSize, ...(rng ? { rng } : {}) })) {
    if (n >= limit) break;
    const take = Math.min(b.x.shape[0]!, limit - n);
    const t = toTensors(b);
    if (take < t.x.shape[0]) {
      out.push(tf.tidy(() => ({ x: tf.slice(t.x, 0, take), y: tf.slice(t.y, 0, take) })));
      tf.dispose([t.x, t.y]);
    } else out.push(t);
    n += take;
  }
  return out;
}

/**
 * Loads the calibration and validation batches once and evaluates paths on them: the path's
 * batch-norm statistics recalibrated on the calibration batches (the weight-sharing papers' "BN
 * recalibration"; its running statistics are shared by every path through the same op, so each
 * evaluation sets them afresh), then top-1 accuracy in evaluation mode.
 */
export async function createPathEvaluator(options: PathEvaluatorOptions): Promise<PathEvaluator> {
  const { calibrationBatches: K, batchSize } = options;
  if (!Number.isInteger(K) || K < 0) {
    throw new NasxError('usage', `calibrationBatches must be a non-negative integer, got ${K}`, {
      pkg: TENSOR_PACKAGE,
      fix: 'use e.g. 4, or 0 for batch statistics',
    });
  }
  const calibration = K > 0 ? await collect(options.calibration, batchSize, K * batchSize, options.rng) : [];
  const validation = await collect(options.validation, batchSize, Infinity, undefined);
  const validationSize = validation.reduce((n, b) => n + b.x.shape[0], 0);
  if (validationSize === 0) {
    tf.dispose(calibration.flatMap((b) => [b.x, b.y]));
    throw new NasxError('data', 'the validation split is empty', { pkg: TENSOR_PACKAGE, fix: 'check the task’s data directory and split sizes' });
  }
  return {
    validationSize,
    evaluate(supernet: Supernet, path: SupernetPath): PathEvaluation {
      calibration.forEach((b, k) => tf.dispose(supernet.forward(b.x, path, { training: true, bnMomentum: 1 / (k + 1) })));
      const sums = tf.tidy(() => {
        let loss: tf.Tensor = tf.scalar(0);
        let hits: tf.Tensor = tf.scalar(0);
        for (const b of validation) {
          const logits = K > 0 ? supernet.forward(b.x, path, { training: false }) : supernet.forward(b.x, path, { training: true, bnMomentum: 0 });
          loss = tf.add(loss, crossEntropySum(logits, b.y, supernet.numClasses));
          hits = tf.add(hits, correctCount(logits, b.y));
        }
        return tf.stack([loss, hits]);
      });
      const [loss, hits] = sums.dataSync() as Float32Array;
      sums.dispose();
      return { accuracy: (100 * hits!) / validationSize, loss: loss! / validationSize, n: validationSize };
    },
    dispose(): void {
      tf.dispose([...calibration, ...validation].flatMap((b) => [b.x, b.y]));
      calibration.length = 0;
      validation.length = 0;
    },
  };
}
