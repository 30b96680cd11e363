import { NasxError, type ArrayBatchPart, type Batch } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import { TENSOR_PACKAGE } from '../backend/backend';

/** A batch as tensors: inputs as NCHW float32 and the targets. */
export interface ClassificationTensors {
  /**
   * `[N, C, H, W]`, float32 (values as the task delivered them; uint8/int32 are cast, not scaled).
   * A sequence batch `[N, C, L]` comes as `[N, C, 1, L]`, the height-1 image networks take.
   */
  readonly x: tf.Tensor4D;
  /** Class ids `[N]`, int32. */
  readonly y: tf.Tensor1D;
}

/** A batch with value targets: inputs as for {@link ClassificationTensors}, targets float32 `[N, D]`. */
export interface ValueTensors {
  readonly x: tf.Tensor4D;
  readonly y: tf.Tensor2D;
}

function fail(problem: string, targets: 'classes' | 'values'): NasxError {
  return new NasxError('data', `batch: ${problem}`, {
    pkg: TENSOR_PACKAGE,
    fix:
      targets === 'classes'
        ? 'a classification task must deliver x as [N, C, H, W] (or [N, C, L]) and y as [N] (or [N, 1]) class ids, per the Task contract (task.contract.ts)'
        : "a task with value targets must deliver x as [N, C, H, W] (or [N, C, L]) and y as [N, …] with the task's outputShape per sample, per the Task contract (task.contract.ts)",
  });
}

function size(part: ArrayBatchPart): number {
  return part.shape.reduce((a, b) => a * b, 1);
}

/**
 * Wraps a task's {@link Batch} (framework-free typed arrays, batch first) into tensors for a
 * network: class ids for classification (`targets: 'classes'`, the default) or float32 values
 * flattened per sample (`'values'`: multi-label, regression, dense outputs). The caller disposes
 * both tensors (or calls it inside `tf.tidy`).
 */
export function toTensors(batch: Batch, targets: 'values'): ValueTensors;
export function toTensors(batch: Batch, targets: 'classes' | 'values'): ClassificationTensors | ValueTensors;
export function toTensors(batch: Batch, targets?: 'classes'): ClassificationTensors;
export function toTensors(batch: Batch, targets: 'classes' | 'values' = 'classes'): ClassificationTensors | ValueTensors {
  const { x, y } = batch;
  if (batch.mask) throw fail('masked batches (transductive graph tasks) are not image or sequence batches', targets);
  if (x.shape.length !== 4 && x.shape.length !== 3) throw fail(`x has shape [${x.shape.join(', ')}], expected [N, C, H, W] or [N, C, L]`, targets);
  if (x.data.length !== size(x)) throw fail(`x holds ${x.data.length} values for shape [${x.shape.join(', ')}]`, targets);
  const n = x.shape[0]!;
  const shape = (x.shape.length === 3 ? [n, x.shape[1]!, 1, x.shape[2]!] : x.shape) as [number, number, number, number];
  const input = () =>
    x.dtype === 'float32' ? tf.tensor4d(x.data as Float32Array, shape, 'float32') : tf.cast(tf.tensor4d(Int32Array.from(x.data), shape, 'int32'), 'float32');
  if (targets === 'values') {
    if (y.shape[0] !== n || y.data.length !== size(y) || y.shape.length < 1) throw fail(`y has shape [${y.shape.join(', ')}] for ${n} inputs`, targets);
    const d = n === 0 ? 0 : y.data.length / n;
    return tf.tidy(() => ({
      x: input(),
      y: tf.tensor2d(y.data instanceof Float32Array ? y.data : Float32Array.from(y.data), [n, d], 'float32'),
    }));
  }
  if (!(y.shape.length === 1 || (y.shape.length === 2 && y.shape[1] === 1)) || y.shape[0] !== n || y.data.length !== n) {
    throw fail(`y has shape [${y.shape.join(', ')}] for ${n} inputs, expected [${n}] class ids`, targets);
  }
  return tf.tidy(() => ({ x: input(), y: tf.tensor1d(y.data instanceof Int32Array ? y.data : Int32Array.from(y.data), 'int32') }));
}
