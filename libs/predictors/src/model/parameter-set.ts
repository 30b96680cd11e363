import { tf } from '@nasx/tensor';
import { predictorError } from '../predictor-error';
import { SeededRandom } from '@nasx/tensor';

/**
 * How a parameter starts:
 * - `glorot-uniform`: U(±√(6/(fanIn + fanOut))) (Glorot & Bengio 2010; `xavier_uniform_`, what the
 *   reference GCN predictor uses);
 * - `pytorch-uniform`: U(±1/√fanIn), PyTorch's default for `Linear` and `Conv2d` weights and biases;
 * - `zeros`, `ones`.
 */
export type ParameterInit =
  { readonly kind: 'glorot-uniform' | 'pytorch-uniform'; readonly fanIn: number; readonly fanOut: number } | { readonly kind: 'zeros' | 'ones' };

/** A tensor in the saved state of a predictor: float32 values, little-endian, base64. */
export interface SavedTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: string;
}

let instances = 0;

/**
 * The variables of one predictor network: trainable parameters and non-trainable buffers (batch
 * norm running statistics), by name, seeded by (seed, name) so that a parameter's initial values
 * depend on nothing else. Saves to and loads from plain JSON.
 */
export class ParameterSet {
  /** Trainable parameters by name. */
  readonly parameters = new Map<string, tf.Variable>();
  /** Non-trainable buffers by name. */
  readonly buffers = new Map<string, tf.Variable>();
  /** tfjs variable names are global: a prefix per set keeps several predictors apart. */
  private readonly prefix = `nasx-predictor/${++instances}/`;
  private disposed = false;

  constructor(readonly seed: number) {}

  /** Adds a trainable parameter. */
  add(name: string, shape: readonly number[], init: ParameterInit): tf.Variable {
    const n = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(n);
    const rng = new SeededRandom(this.seed, name);
    switch (init.kind) {
      case 'glorot-uniform':
        rng.fillUniform(values, Math.sqrt(6 / (init.fanIn + init.fanOut)));
        break;
      case 'pytorch-uniform':
        rng.fillUniform(values, 1 / Math.sqrt(init.fanIn));
        break;
      case 'ones':
        values.fill(1);
        break;
      case 'zeros':
        break;
    }
    return this.put(this.parameters, name, shape, values, true);
  }

  /** Adds a non-trainable buffer filled with `fill`. */
  addBuffer(name: string, shape: readonly number[], fill: number): tf.Variable {
    return this.put(this.buffers, name, shape, new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill), false);
  }

  private put(into: Map<string, tf.Variable>, name: string, shape: readonly number[], values: Float32Array, trainable: boolean): tf.Variable {
    if (this.parameters.has(name) || this.buffers.has(name)) throw new Error(`@nasx/predictors: variable "${name}" added twice (a model bug)`);
    const v = tf.tidy(() => tf.variable(tf.tensor(values, shape as number[]), trainable, this.prefix + name));
    into.set(name, v);
    return v;
  }

  /** A trainable parameter by name (a missing one is a model bug). */
  get(name: string): tf.Variable {
    const v = this.parameters.get(name) ?? this.buffers.get(name);
    if (!v) throw new Error(`@nasx/predictors: no variable "${name}" (a model bug)`);
    return v;
  }

  /** Trainable parameters. */
  trainable(): tf.Variable[] {
    return [...this.parameters.values()];
  }

  /** Number of trainable values. */
  get count(): number {
    let n = 0;
    for (const v of this.parameters.values()) n += v.size;
    return n;
  }

  /** The name a variable has inside this set (without the global prefix). */
  localName(v: tf.Variable): string {
    return v.name.startsWith(this.prefix) ? v.name.slice(this.prefix.length) : v.name;
  }

  /** Every variable's values, parameters then buffers, for the saved state. */
  save(): { parameters: SavedTensor[]; buffers: SavedTensor[] } {
    const dump = (m: Map<string, tf.Variable>): SavedTensor[] =>
      [...m].map(([name, v]) => ({ name, shape: v.shape, data: encodeFloat32(v.dataSync() as Float32Array) }));
    return { parameters: dump(this.parameters), buffers: dump(this.buffers) };
  }

  /**
   * Assigns saved values to the variables of the same names and shapes. A missing, extra or
   * misshapen variable is a `data` error (the state belongs to another model or options).
   */
  load(saved: { parameters: readonly SavedTensor[]; buffers: readonly SavedTensor[] }): void {
    for (const [kind, into, list] of [
      ['parameter', this.parameters, saved.parameters],
      ['buffer', this.buffers, saved.buffers],
    ] as const) {
      const byName = new Map(list.map((t) => [t.name, t]));
      if (byName.size !== into.size || [...into.keys()].some((k) => !byName.has(k))) {
        throw predictorError(
          'data',
          `the saved predictor's ${kind}s (${[...byName.keys()].join(', ')}) do not match the model's (${[...into.keys()].join(', ')})`,
          'delete the saved predictor state so that it is fitted again',
        );
      }
      for (const [name, v] of into) {
        const t = byName.get(name)!;
        const values = decodeFloat32(t.data);
        if (t.shape.length !== v.shape.length || t.shape.some((d, i) => d !== v.shape[i]) || values.length !== v.size) {
          throw predictorError(
            'data',
            `the saved predictor's ${kind} "${name}" has shape [${t.shape.join(', ')}], the model's [${v.shape.join(', ')}]`,
            'delete the saved predictor state so that it is fitted again',
          );
        }
        tf.tidy(() => v.assign(tf.tensor(values, v.shape)));
      }
    }
  }

  /** Frees every variable. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of this.parameters.values()) v.dispose();
    for (const v of this.buffers.values()) v.dispose();
  }
}

/** Float32 values as base64 (little-endian, the layout of every platform Node runs on). */
export function encodeFloat32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

/** The inverse of {@link encodeFloat32}. */
export function decodeFloat32(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 4 !== 0)
    throw predictorError(
      'data',
      'a saved predictor tensor is not a whole number of float32 values',
      'delete the saved predictor state so that it is fitted again',
    );
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
