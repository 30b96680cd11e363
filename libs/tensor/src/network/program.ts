/**
 * Planning and running a network in one pass. A builder writes its network once against a
 * {@link NetworkProgram}: every call records the parameters, FLOPs and memory of the op from the
 * activation shapes it tracks and, when the program has a {@link NetworkOps} backend, runs the op.
 * Run without a backend it is the plan (`NetworkPlan`, no tensors); run with one it is the forward
 * pass (`NetworkGraph`), so the two cannot disagree. Convolutions with `(k−1)/2` padding (PyTorch's
 * rule; TensorFlow's `same` for odd k) map H to ⌈H/stride⌉, like `same` pooling.
 */
import type { Architecture } from '@nasx/contracts';
import type { IoShape } from './io-shape';
import type { BufferSpec, NetworkOps, NetworkOptions, NetworkPlan, ParameterSpec } from './network';

/** `[height, width, channels]` of an activation (NHWC without the batch). */
export type Hwc = readonly [number, number, number];

/** A value of a program: the backend's value (absent while planning) and its shape. */
export interface ProgramValue<T> {
  readonly t: T | undefined;
  readonly s: Hwc;
}

/** Floats per output element a training step keeps, by op (NB201's calibration: ReLU-conv-BN ≈ 12). */
const MEMORY = { bn: 9, relu: 2, pool: 1, se: 4, sum: 1, concat: 1 } as const;

/** See the file header. */
export class NetworkProgram<T> {
  readonly parameters: ParameterSpec[] = [];
  readonly buffers: BufferSpec[] = [];
  flops = 0;
  /** Estimated floats per sample held at the peak of a training step. */
  memory = 0;

  constructor(private readonly ops: NetworkOps<T> | undefined) {}

  private run(f: (o: NetworkOps<T>) => T): T | undefined {
    return this.ops ? f(this.ops) : undefined;
  }

  /** The network's input of shape `[C, H, W]` (channels first, as tasks give it). */
  input(x: T | undefined, chw: readonly number[]): ProgramValue<T> {
    return { t: x, s: [chw[1]!, chw[2]!, chw[0]!] };
  }

  /** Bias-free k×k convolution to `cout` channels, padding (k−1)/2. */
  conv(name: string, x: ProgramValue<T>, cout: number, k: number, stride: number): ProgramValue<T> {
    const [h, w, cin] = x.s;
    const s: Hwc = [Math.ceil(h / stride), Math.ceil(w / stride), cout];
    this.parameters.push({ name: `${name}.weight`, shape: [k, k, cin, cout], role: 'conv-weight', fanIn: k * k * cin, fanOut: k * k * cout });
    this.flops += s[0] * s[1] * cout * cin * k * k;
    return { t: this.run((o) => o.conv(name, x.t!, stride, (k - 1) / 2)), s };
  }

  /** Bias-free depthwise k×k convolution, `same` padding. */
  depthwise(name: string, x: ProgramValue<T>, k: number, stride: number): ProgramValue<T> {
    const [h, w, c] = x.s;
    const s: Hwc = [Math.ceil(h / stride), Math.ceil(w / stride), c];
    this.parameters.push({ name: `${name}.weight`, shape: [k, k, c, 1], role: 'conv-weight', fanIn: k * k, fanOut: k * k });
    this.flops += s[0] * s[1] * c * k * k;
    return { t: this.run((o) => o.depthwiseConv(name, x.t!, stride, 'same')), s };
  }

  /** `BatchNorm2d` (weight, bias, running statistics). */
  bn(name: string, x: ProgramValue<T>): ProgramValue<T> {
    const c = x.s[2];
    this.parameters.push({ name: `${name}.weight`, shape: [c], role: 'bn-weight', fanIn: 1, fanOut: 1 });
    this.parameters.push({ name: `${name}.bias`, shape: [c], role: 'bn-bias', fanIn: 1, fanOut: 1 });
    this.buffers.push({ name: `${name}.running_mean`, shape: [c], fill: 0 }, { name: `${name}.running_var`, shape: [c], fill: 1 });
    this.memory += MEMORY.bn * x.s[0] * x.s[1] * c;
    return { t: this.run((o) => o.batchNorm(name, x.t!)), s: x.s };
  }

  relu(name: string, x: ProgramValue<T>): ProgramValue<T> {
    this.memory += MEMORY.relu * x.s[0] * x.s[1] * x.s[2];
    return { t: this.run((o) => o.relu(name, x.t!)), s: x.s };
  }

  /** Max or average pooling, `same` padding (average over in-bounds pixels). */
  pool(name: string, kind: 'max' | 'avg', x: ProgramValue<T>, size: number, stride: number): ProgramValue<T> {
    const s: Hwc = [Math.ceil(x.s[0] / stride), Math.ceil(x.s[1] / stride), x.s[2]];
    this.memory += MEMORY.pool * s[0] * s[1] * s[2];
    return { t: this.run((o) => (kind === 'max' ? o.maxPool(name, x.t!, size, stride, 'same') : o.avgPool(name, x.t!, size, stride, 'same'))), s };
  }

  /** Squeeze-and-excitation to max(1, ⌊C/4⌋) hidden channels (1×1 convs with bias). */
  se(name: string, x: ProgramValue<T>): ProgramValue<T> {
    const c = x.s[2];
    const hidden = Math.max(1, Math.floor(c / 4));
    for (const [n, cin, cout] of [
      ['reduce', c, hidden],
      ['expand', hidden, c],
    ] as const) {
      this.parameters.push({ name: `${name}.${n}.weight`, shape: [1, 1, cin, cout], role: 'conv-weight', fanIn: cin, fanOut: cout });
      this.parameters.push({ name: `${name}.${n}.bias`, shape: [cout], role: 'linear-bias', fanIn: cin, fanOut: cout });
      this.flops += cin * cout + cout;
    }
    this.memory += MEMORY.se * x.s[0] * x.s[1] * c;
    return { t: this.run((o) => o.squeezeExcite(name, x.t!)), s: x.s };
  }

  /** Element-wise sum of same-shaped terms (one term: itself). */
  sum(name: string, terms: readonly ProgramValue<T>[]): ProgramValue<T> {
    if (terms.length === 1) return terms[0]!;
    const [h, w, c] = terms[0]!.s;
    this.memory += MEMORY.sum * h * w * c;
    return {
      t: this.run((o) =>
        o.sum(
          name,
          terms.map((v) => v.t!),
          terms[0]!.t!,
        ),
      ),
      s: terms[0]!.s,
    };
  }

  /** Channel concatenation (one term: itself). */
  concat(name: string, terms: readonly ProgramValue<T>[]): ProgramValue<T> {
    if (terms.length === 1) return terms[0]!;
    const [h, w] = terms[0]!.s;
    const c = terms.reduce((n, v) => n + v.s[2], 0);
    this.memory += MEMORY.concat * h * w * c;
    return {
      t: this.run((o) =>
        o.concat(
          name,
          terms.map((v) => v.t!),
        ),
      ),
      s: [h, w, c],
    };
  }

  /** The first `channels` channels (itself when it has no more). */
  truncate(name: string, x: ProgramValue<T>, channels: number): ProgramValue<T> {
    if (x.s[2] <= channels) return x;
    return { t: this.run((o) => o.truncate(name, x.t!, channels)), s: [x.s[0], x.s[1], channels] };
  }

  /** Global average pooling then the linear classifier `name` (weight, bias). */
  classifier(poolName: string, name: string, x: ProgramValue<T>, classes: number): ProgramValue<T> {
    const cin = x.s[2];
    const features = this.run((o) => o.globalAvgPool(poolName, x.t!));
    this.parameters.push({ name: `${name}.weight`, shape: [cin, classes], role: 'linear-weight', fanIn: cin, fanOut: classes });
    this.parameters.push({ name: `${name}.bias`, shape: [classes], role: 'linear-bias', fanIn: cin, fanOut: classes });
    this.flops += cin * classes + classes;
    this.memory += 4 * classes;
    return { t: this.run((o) => o.linear(name, features!)), s: [1, 1, classes] };
  }

  /** The {@link NetworkPlan} of what this program recorded (run it without a backend first). */
  toPlan(space: string, arch: Architecture, options: NetworkOptions, io: IoShape): NetworkPlan {
    return {
      space,
      archKey: arch.key,
      inputShape: [...options.inputShape],
      numClasses: io.outChannels,
      outputShape: io.outputShape,
      parameters: this.parameters,
      buffers: this.buffers,
      paramCount: this.parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
      flops: this.flops,
      trainingBytesPerSample: 4 * this.memory,
    };
  }
}
