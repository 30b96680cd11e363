import type { BufferSpec, InitScheme, ParameterSpec } from '../network/network';
import { SeededRandom } from './seeded-random';

/** The initialisation schemes {@link NetworkOptions.init} accepts. */
export const INIT_SCHEMES: readonly InitScheme[] = ['pytorch', 'kaiming-normal'];

/**
 * Initial values of one parameter, drawn from a stream seeded by (`seed`, parameter name), so they
 * depend on nothing else. See {@link InitScheme} for the distributions (PyTorch's defaults are a
 * uniform `kaiming_uniform_(a=√5)`, i.e. U(±1/√fanIn), not a Kaiming normal).
 */
export function initialValues(spec: ParameterSpec, seed: number, scheme: InitScheme): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  switch (spec.role) {
    case 'bn-weight':
      return out.fill(1);
    case 'bn-bias':
      return out;
    case 'conv-weight':
      if (scheme === 'kaiming-normal') {
        return new SeededRandom(seed, spec.name).fillNormal(out, Math.sqrt(2 / spec.fanOut));
      }
      return uniform(out, seed, spec.name, 1 / Math.sqrt(spec.fanIn));
    case 'linear-weight':
    case 'linear-bias':
      return uniform(out, seed, spec.name, 1 / Math.sqrt(spec.fanIn));
  }
}

/** Initial values of a buffer (a constant). */
export function bufferValues(spec: BufferSpec): Float32Array {
  return new Float32Array(spec.shape.reduce((a, b) => a * b, 1)).fill(spec.fill);
}

function uniform(out: Float32Array, seed: number, name: string, bound: number): Float32Array {
  return new SeededRandom(seed, name).fillUniform(out, bound);
}
