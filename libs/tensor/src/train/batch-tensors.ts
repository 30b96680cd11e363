import { NasxError, type ArrayBatchPart, type Batch } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';

/** A classification batch as tensors: NCHW float32 inputs and int32 class ids. */
export interface ClassificationTensors {
  /** `[N, C, H, W]`, float32 (values as the task delivered them; uint8/int32 are cast, not scaled). */
  readonly x: tf.Tensor4D;
  /** `[N]` class ids, int32. */
  readonly y: tf.Tensor1D;
}

function fail(problem: string): NasxError {
  return new NasxError('data', `batch: ${problem}`, {
    pkg: TENSOR_PACKAGE,
    fix: 'a classification task must deliver x as [N, C, H, W] and y as [N] (or [N, 1]) class ids, per the Task contract (task.contract.ts)',
  });
}

function size(part: ArrayBatchPart): number {
  return part.shape.reduce((a, b) => a * b, 1);
}

/**
 * Wraps a task's {@link Batch} (framework-free typed arrays, batch first) into tensors for a
 * classification network. The caller disposes both tensors (or calls it inside `tf.tidy`).
 */
export function toTensors(batch: Batch): ClassificationTensors {
  const { x, y } = batch;
  if (batch.mask) throw fail('masked batches (transductive graph tasks) are not image classification batches');
  if (x.shape.length !== 4) throw fail(`x has shape [${x.shape.join(', ')}], expected 4 dimensions [N, C, H, W]`);
  if (x.data.length !== size(x)) throw fail(`x holds ${x.data.length} values for shape [${x.shape.join(', ')}]`);
  const n = x.shape[0]!;
  if (!(y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) || y.shape[0] !== n || y.data.length !== n) {
    throw fail(`y has shape [${y.shape.join(', ')}] for ${n} inputs, expected [${n}] class ids`);
  }
  const shape = x.shape as [number, number, number, number];
  return tf.tidy(() => ({
    x: x.dtype === 'float32' ? tf.tensor4d(x.data as Float32Array, shape, 'float32') : tf.cast(tf.tensor4d(Int32Array.from(x.data), shape, 'int32'), 'float32'),
    y: tf.tensor1d(y.data instanceof Int32Array ? y.data : Int32Array.from(y.data), 'int32'),
  }));
}
