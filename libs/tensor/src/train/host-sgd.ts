import * as tf from '@tensorflow/tfjs-core';
import type { SgdOptions } from './sgd.optimizer';

/**
 * {@link SgdOptimizer}'s update (PyTorch's `torch.optim.SGD`, dampening 0) with gradient clipping
 * by global norm, computed on the host for networks of thousands of small weight tensors. The
 * Auto-DeepLab supernet has 5,611 at B = 3, L = 4, F = 4: there a per-tensor update costs about 9
 * kernels each (decay, momentum, step, and the norm and clipping), and the kernels' fixed overhead outweighs the work.
 * Here each tensor costs one read of its gradient and weights and one write of its new weights.
 * The momentum buffers live on the host.
 */
export class HostSgdOptimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly buffers = new Map<string, Float32Array>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    options: Omit<SgdOptions, 'decays'> = {},
  ) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? true;
    this.weightDecay = options.weightDecay ?? 5e-4;
  }

  /**
   * One update with learning rate `lr`, the gradients (by parameter name, not disposed here) first
   * scaled to a global norm of at most `clip` (0: no clipping). Returns the norm before clipping.
   */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number, clip = 0): number {
    const values = new Map<string, Float32Array>();
    let sq = 0;
    for (const [name, g] of grads) {
      if (!this.params.has(name)) throw new Error(`@nasx/tensor: gradient for unknown parameter ${name}`);
      const v = g.dataSync() as Float32Array;
      for (let i = 0; i < v.length; i++) sq += v[i]! * v[i]!;
      values.set(name, v);
    }
    const norm = Math.sqrt(sq);
    const scale = clip > 0 && norm > clip ? clip / (norm + 1e-6) : 1;
    const [mu, wd] = [this.momentum, this.weightDecay];
    for (const [name, g] of values) {
      const variable = this.params.get(name)!;
      const w = Float32Array.from(variable.dataSync() as Float32Array);
      let buf = this.buffers.get(name);
      const first = buf === undefined;
      if (mu !== 0 && !buf) this.buffers.set(name, (buf = new Float32Array(w.length)));
      for (let i = 0; i < w.length; i++) {
        const gi = g[i]! * scale + wd * w[i]!;
        let d = gi;
        if (buf) {
          buf[i] = first ? gi : mu * buf[i]! + gi;
          d = this.nesterov ? gi + mu * buf[i]! : buf[i]!;
        }
        w[i] = w[i]! - lr * d;
      }
      tf.tidy(() => variable.assign(tf.tensor(w, variable.shape, 'float32')));
    }
    return norm;
  }

  /** The settings: momentum factor and weight decay. */
  get settings(): { readonly momentum: number; readonly weightDecay: number } {
    return { momentum: this.momentum, weightDecay: this.weightDecay };
  }

  /** The momentum buffers by parameter name (copies), for a checkpoint. */
  momentumBuffers(): Map<string, Float32Array> {
    return new Map([...this.buffers].map(([n, b]) => [n, Float32Array.from(b)]));
  }

  /** Sets momentum buffers by parameter name (a resumed schedule); sizes are checked. */
  loadMomentumBuffers(values: ReadonlyMap<string, ArrayLike<number>>): void {
    if (this.momentum === 0) return;
    for (const [name, value] of values) {
      const w = this.params.get(name);
      if (!w) throw new Error(`@nasx/tensor: momentum buffer for unknown parameter ${name}`);
      if (value.length !== w.size) throw new Error(`@nasx/tensor: momentum buffer of ${name} has ${value.length} values, the parameter ${w.size}`);
      this.buffers.set(name, Float32Array.from(value));
    }
  }
}
