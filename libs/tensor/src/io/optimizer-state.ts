import * as tf from '@tensorflow/tfjs-core';

/** Prefix of an Adam slot's name in a checkpoint's tensor map. */
const ADAM = 'adam:';

/**
 * The state of a TensorFlow.js Adam optimizer over one variable (its step count and moments) as
 * `adam:<slot>` entries, copied, for a checkpoint beside the variable's own values.
 */
export async function adamState(adam: tf.AdamOptimizer): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const w of await adam.getWeights()) out.set(`${ADAM}${w.name}`, Float32Array.from(w.tensor.dataSync() as Float32Array));
  return out;
}

/**
 * Restores the `adam:` entries of `values` (written by {@link adamState}) into `adam`, which
 * optimises `variable`: its moments take the variable's shape, the step count is a scalar.
 * Entries of other names are ignored; none leaves `adam` as it is.
 */
export async function restoreAdamState(adam: tf.AdamOptimizer, values: ReadonlyMap<string, Float32Array>, variable: tf.Variable): Promise<void> {
  const moments = [...values].filter(([n]) => n.startsWith(ADAM));
  if (moments.length === 0) return;
  const shapes = new Map((await adam.getWeights()).map((w) => [w.name, w.tensor.shape]));
  await adam.setWeights(
    moments.map(([n, v]) => {
      const name = n.slice(ADAM.length);
      return { name, tensor: tf.tensor(v, shapes.get(name) ?? (v.length === 1 ? [] : variable.shape)) };
    }),
  );
}
