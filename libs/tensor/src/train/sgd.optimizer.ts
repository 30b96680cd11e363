import * as tf from '@tensorflow/tfjs-core';

/** Settings of {@link SgdOptimizer}; the defaults are NAS-Bench-201's (its `200E.config`). */
export interface SgdOptions {
  /** Momentum factor (default 0.9). */
  readonly momentum?: number;
  /** Nesterov momentum (default true). */
  readonly nesterov?: boolean;
  /** L2 penalty added to the gradient, `g + λ·w` (default 5e-4). */
  readonly weightDecay?: number;
  /**
   * Which parameters get weight decay (default: all, as NB201 does: it passes
   * `network.parameters()` to `torch.optim.SGD`, BN weights/biases and the classifier bias included).
   */
  readonly decays?: (name: string) => boolean;
}

/**
 * SGD with momentum, Nesterov momentum and weight decay, step for step PyTorch's `torch.optim.SGD`
 * (dampening 0): `g ← ∇ + λ·w`; `b ← g` on the first step, then `b ← μ·b + g`;
 * `d ← g + μ·b` (Nesterov) or `b`; `w ← w − lr·d`. A parameter without a gradient in a step is left
 * alone, as PyTorch skips parameters whose `.grad` is None. (tfjs's `MomentumOptimizer` starts its
 * buffer at 0 and has no weight decay, hence this class.)
 */
export class SgdOptimizer {
  private readonly momentum: number;
  private readonly nesterov: boolean;
  private readonly weightDecay: number;
  private readonly decays: (name: string) => boolean;
  private readonly buffers = new Map<string, tf.Tensor>();

  constructor(
    private readonly params: ReadonlyMap<string, tf.Variable>,
    options: SgdOptions = {},
  ) {
    this.momentum = options.momentum ?? 0.9;
    this.nesterov = options.nesterov ?? true;
    this.weightDecay = options.weightDecay ?? 5e-4;
    this.decays = options.decays ?? (() => true);
  }

  /** Applies one update with learning rate `lr`; `grads` are by parameter name (not disposed here). */
  step(grads: ReadonlyMap<string, tf.Tensor>, lr: number): void {
    for (const [name, grad] of grads) {
      const w = this.params.get(name);
      if (!w) throw new Error(`@nasx/tensor: gradient for unknown parameter ${name}`);
      const previous = this.buffers.get(name);
      const next = tf.tidy(() => {
        const g = this.weightDecay !== 0 && this.decays(name) ? tf.add(grad, tf.mul(w, this.weightDecay)) : grad;
        const buf = this.momentum === 0 ? g : previous ? tf.add(tf.mul(previous, this.momentum), g) : tf.clone(g);
        const d = this.momentum !== 0 && this.nesterov ? tf.add(g, tf.mul(buf, this.momentum)) : buf;
        w.assign(tf.sub(w, tf.mul(d, lr)));
        return this.momentum === 0 ? undefined : tf.keep(buf);
      });
      if (next) {
        previous?.dispose();
        this.buffers.set(name, next);
      }
    }
  }

  /** The settings: momentum factor and weight decay (DARTS's virtual step uses both). */
  get settings(): { readonly momentum: number; readonly weightDecay: number } {
    return { momentum: this.momentum, weightDecay: this.weightDecay };
  }

  /** The current momentum buffer of a parameter (not a copy; undefined before its first step). */
  bufferOf(name: string): tf.Tensor | undefined {
    return this.buffers.get(name);
  }

  /**
   * The momentum buffers by parameter name (copies), for a checkpoint. A parameter that has not
   * had a gradient yet has none; loading a zero buffer for it is the same, since `μ·0 + g = g`.
   */
  momentumBuffers(): Map<string, Float32Array> {
    const out = new Map<string, Float32Array>();
    for (const [name, b] of this.buffers) out.set(name, Float32Array.from(b.dataSync() as Float32Array));
    return out;
  }

  /** Sets momentum buffers by parameter name (a resumed schedule); sizes are checked. */
  loadMomentumBuffers(values: ReadonlyMap<string, ArrayLike<number>>): void {
    if (this.momentum === 0) return;
    for (const [name, value] of values) {
      const w = this.params.get(name);
      if (!w) throw new Error(`@nasx/tensor: momentum buffer for unknown parameter ${name}`);
      if (value.length !== w.size) throw new Error(`@nasx/tensor: momentum buffer of ${name} has ${value.length} values, the parameter ${w.size}`);
      this.buffers.get(name)?.dispose();
      this.buffers.set(name, tf.tensor(Float32Array.from(value), w.shape, 'float32'));
    }
  }

  /** Frees the momentum buffers. */
  dispose(): void {
    for (const b of this.buffers.values()) b.dispose();
    this.buffers.clear();
  }
}
