/**
 * `UnsortedSegmentSum` and `GatherV2` for the wasm, onednn and cpu backends, each one pass over
 * the data in JavaScript.
 *
 * Message passing on graphs (`@nasx/tensor`'s GNN builder) gathers rows by node ids and sums
 * rows into nodes, and the gradient of every gather is a segment sum. tfjs-backend-cpu computes a
 * segment sum as one masked reduction per segment (O(segments × rows × width): minutes per epoch
 * on Pubmed's 19,717 nodes), tfjs-backend-wasm has no kernel for it at all, and wasm's gather
 * takes 34 ms to copy 49,216 rows of 16 floats (Cora's sparse features), about 40× a plain copy.
 * These read their inputs in place (the wasm heap, or the cpu backend's arrays), visit each row
 * once in order, so results are the same on every backend. Segment ids outside
 * `[0, numSegments)` are dropped, as TensorFlow does; a gather index out of range is an error.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Backends whose kernels are replaced (onednn shares wasm's tensors). */
export const SEGMENT_SUM_BACKENDS = ['wasm', 'onednn', 'cpu'] as const;

const MARK = Symbol.for('nasx.tensor.segmentKernel');
type Marked = tf.KernelConfig & { [MARK]?: boolean };
type Values = Float32Array | Int32Array | Uint8Array;

interface HeapBackend extends tf.KernelBackend {
  makeOutput?(shape: number[], dtype: tf.DataType, memoryOffset?: number, values?: tf.backend_util.BackendValues): tf.TensorInfo;
  typedArrayFromHeap?(info: tf.TensorInfo): tf.backend_util.TypedArray;
  makeTensorInfo?(shape: number[], dtype: tf.DataType, values?: tf.backend_util.BackendValues): tf.TensorInfo;
}

function arrayFor(dtype: tf.DataType, size: number): Values {
  return dtype === 'int32' ? new Int32Array(size) : dtype === 'bool' ? new Uint8Array(size) : new Float32Array(size);
}

/**
 * Runs `compute(inputs, output)` on views of the inputs and of a new output tensor: on wasm the
 * output is allocated first (an allocation can grow the heap and detach older views), then every
 * view is taken; on cpu the inputs are the backend's own arrays and the output a new array.
 */
function withArrays(
  backend: HeapBackend,
  inputs: readonly tf.TensorInfo[],
  shape: number[],
  dtype: tf.DataType,
  compute: (ins: Values[], out: Values) => void,
): tf.TensorInfo {
  if (backend.makeOutput && backend.typedArrayFromHeap) {
    const out = backend.makeOutput(shape, dtype);
    const ins = inputs.map((t) => backend.typedArrayFromHeap!(t) as Values);
    const view = backend.typedArrayFromHeap(out) as Values;
    view.fill(0);
    compute(ins, view);
    return out;
  }
  const ins = inputs.map((t) => backend.readSync(t.dataId) as Values);
  const out = arrayFor(dtype, tf.util.sizeFromShape(shape));
  compute(ins, out);
  return backend.makeTensorInfo!(shape, dtype, out);
}

/** Sums the rows of `x` (`[rows, inner]`, flattened) into `segments` segments by `ids`, into `out` (zeroed). */
export function segmentSumValues(x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, segments: number, out: Values): void {
  const rows = ids.length;
  for (let r = 0; r < rows; r++) {
    const s = ids[r]!;
    if (s < 0 || s >= segments) continue;
    const from = r * inner;
    const to = s * inner;
    for (let k = 0; k < inner; k++) out[to + k] = out[to + k]! + x[from + k]!;
  }
}

function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, segmentIds } = args.inputs as { x: tf.TensorInfo; segmentIds: tf.TensorInfo };
  const numSegments = (args.attrs as unknown as tf.UnsortedSegmentSumAttrs).numSegments;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(segmentIds.shape.length);
  const inner = tf.util.sizeFromShape(innerShape);
  const dtype = x.dtype === 'int32' ? 'int32' : 'float32';
  return withArrays(args.backend as HeapBackend, [x, segmentIds], [numSegments, ...innerShape], dtype, ([xv, ids], out) => {
    segmentSumValues(xv!, (ids as Int32Array).subarray(0, rows), inner, numSegments, out);
  });
}

function gatherV2(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  if (batchDims) {
    // Not used by nasx; tfjs's own kernel (wasm's serves onednn, which shares its tensors).
    const native = natives.get(`${tf.GatherV2}/${(args.backend as HeapBackend).makeOutput ? 'wasm' : 'cpu'}`);
    if (!native) throw new Error('@nasx/tensor: gather with batchDims has no kernel on this backend');
    return native.kernelFunc(args as never) as tf.TensorInfo;
  }
  const a = tf.util.parseAxisParam(axis, x.shape)[0]!;
  const outer = tf.util.sizeFromShape(x.shape.slice(0, a));
  const dim = x.shape[a]!;
  const inner = tf.util.sizeFromShape(x.shape.slice(a + 1));
  const n = tf.util.sizeFromShape(indices.shape);
  const shape = [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)];
  return withArrays(args.backend as HeapBackend, [x, indices], shape, x.dtype, ([xv, idx], out) => {
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < n; i++) {
        const j = idx![i]!;
        if (j < 0 || j >= dim) throw new Error(`@nasx/tensor: gather index ${j} is outside [0, ${dim})`);
        const from = (o * dim + j) * inner;
        const to = (o * n + i) * inner;
        if (inner > 64) out.set(xv!.subarray(from, from + inner), to);
        else for (let k = 0; k < inner; k++) out[to + k] = xv![from + k]!;
      }
    }
  });
}

/** The kernels the backends had before, by `<kernel>/<backend>` (gather with batchDims uses them). */
const natives = new Map<string, tf.KernelConfig>();

/**
 * Registers the kernels for those of {@link SEGMENT_SUM_BACKENDS} that are registered backends.
 * Idempotent; `initTensorBackend` calls it after each activation (the onednn backend copies wasm's
 * kernels, these included, when it is registered).
 */
export function registerSegmentKernels(): void {
  for (const backendName of SEGMENT_SUM_BACKENDS) {
    if (!tf.findBackendFactory(backendName)) continue;
    for (const [kernelName, kernelFunc] of [
      [tf.UnsortedSegmentSum, unsortedSegmentSum],
      [tf.GatherV2, gatherV2],
    ] as const) {
      const current = tf.getKernel(kernelName, backendName) as Marked | undefined;
      if (current?.[MARK]) continue;
      if (current) {
        natives.set(`${kernelName}/${backendName}`, current);
        tf.unregisterKernel(kernelName, backendName);
      }
      tf.registerKernel(Object.assign({ kernelName, backendName, kernelFunc: kernelFunc as tf.KernelFunc }, { [MARK]: true }));
    }
  }
}
