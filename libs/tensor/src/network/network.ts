import type { Architecture, Shape } from '@nasx/contracts';
import type * as tf from '@tensorflow/tfjs-core';

/**
 * What an intermediate activation passed to a {@link TapFn} is:
 * - `relu-in` / `relu-out`: the input and output of a ReLU (NASWOT's binary codes read `relu-in > 0`),
 * - `conv-out` / `linear-out`: the output of a convolution (before its batch norm) or of a fully
 *   connected layer,
 * - `cell-out`: the output of a cell or block of the skeleton,
 * - `features`: the globally pooled features before the classifier (`[N, C]`),
 * - `logits`: the classifier output (`[N, classes]`).
 */
export type TapKind = 'relu-in' | 'relu-out' | 'conv-out' | 'linear-out' | 'cell-out' | 'features' | 'logits';

/**
 * Observer of intermediate activations during {@link Network.forward}. `name` is the module path
 * (for NB201 the PyTorch one, e.g. `cells.3.layers.2.op.0` for the ReLU of edge 3 of cell 3).
 * Image activations are NHWC. The tensor belongs to the forward pass: read it (`dataSync`), or
 * derive what you need and `tf.keep` that, inside the callback; it is disposed afterwards.
 * At `conv-out`, `linear-out` and `cell-out` a tap may return a tensor of the same shape to use in
 * its place (SynFlow rescales cell outputs to stay inside float32; Fisher wraps conv and linear
 * outputs in an identity whose gradient it reads); elsewhere the return value is ignored.
 */
export type TapFn = (name: string, tensor: tf.Tensor, kind: TapKind) => unknown;

/** Options of one forward pass. */
export interface ForwardOptions {
  /**
   * Training mode: batch normalisation uses the batch statistics and updates its running
   * statistics (PyTorch's `model.train()`); otherwise it uses the running statistics (`model.eval()`).
   */
  readonly training: boolean;
  /** Called with intermediate activations, see {@link TapFn}. */
  readonly tap?: TapFn;
  /**
   * Build the pass from ops whose gradients are differentiable again, for second-order gradients
   * (GraSP's Hessian-gradient product). Slower: training-mode batch norm is then autodiffed
   * instead of using its closed-form backward pass.
   */
  readonly secondOrder?: boolean;
}

/** How initial weights are drawn (biases and batch-norm parameters: see each scheme). */
export type InitScheme =
  /**
   * PyTorch's defaults, which NAS-Bench-201 trained with (its networks set no init of their own):
   * conv and linear weights and linear biases U(−1/√fanIn, 1/√fanIn) (`kaiming_uniform_(a=√5)`),
   * batch-norm weight 1 and bias 0.
   */
  | 'pytorch'
  /**
   * He et al. 2015, as torchvision's ResNets: conv weights N(0, 2/fanOut) (`kaiming_normal_`,
   * mode `fan_out`, ReLU gain); linear layers and batch norm as in `pytorch`.
   */
  | 'kaiming-normal';

/** One trainable parameter of a {@link NetworkPlan}. */
export interface ParameterSpec {
  /** Unique name (for NB201 the PyTorch `state_dict` key). */
  readonly name: string;
  /** Shape in TensorFlow.js layout: conv `[KH, KW, Cin, Cout]`, linear `[in, out]`, vectors `[C]`. */
  readonly shape: readonly number[];
  /** Role, which decides the initial values. */
  readonly role: 'conv-weight' | 'linear-weight' | 'linear-bias' | 'bn-weight' | 'bn-bias';
  /** Inputs feeding one output (conv: KH·KW·Cin, linear: in). */
  readonly fanIn: number;
  /** Outputs fed by one input (conv: KH·KW·Cout, linear: out). */
  readonly fanOut: number;
}

/** One non-trainable buffer (batch-norm running statistics). */
export interface BufferSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Initial value of every element (running mean 0, running variance 1). */
  readonly fill: number;
}

/**
 * Everything about a network that needs no tensors: its parameters and buffers, their count and
 * the FLOPs. Cheap (microseconds), so estimators can report `params`/`flops` for any architecture.
 */
export interface NetworkPlan {
  /** Search-space id of the architecture. */
  readonly space: string;
  /** `Architecture.key` it was planned for. */
  readonly archKey: string;
  /** Per-sample input shape, channels first: `[3, 32, 32]` (images) or `[12, 1000]` (sequences). */
  readonly inputShape: Shape;
  /** Classes (point heads) or output channels (dense heads): `outputShape[0]`. */
  readonly numClasses: number;
  /**
   * Per-sample output shape, channels first: `[classes]` for a point head, `[channels, H, W]` or
   * `[channels, L]` for a dense head that keeps the input's spatial size. `forward` returns it
   * flattened, `[N, prod(outputShape)]`.
   */
  readonly outputShape: Shape;
  readonly parameters: readonly ParameterSpec[];
  readonly buffers: readonly BufferSpec[];
  /** Number of trainable parameters (PyTorch's `sum(p.numel() for p in model.parameters())`). */
  readonly paramCount: number;
  /**
   * Multiply-accumulates of one forward pass for one sample, counted as NAS-Bench-201 counts its
   * `flops` field (xautodl `get_model_infos`): conv and linear layers (plus linear biases), one per
   * multiply-add — ×1, not ×2 — and no batch norm, pooling, ReLU or additions. So `flops / 1e6`
   * equals the benchmark's value (7.78305 for the smallest CIFAR-10 cell).
   */
  readonly flops: number;
  /**
   * Estimated peak backend memory, in bytes per sample, of a training step (forward + backward);
   * the trainer sizes micro-batches with it. An estimate calibrated on the wasm backend, not a bound.
   */
  readonly trainingBytesPerSample: number;
}

/** A built network: named variables and a functional forward pass. */
export interface Network {
  readonly arch: Architecture;
  readonly plan: NetworkPlan;
  /** The options it was built with (seed, init, macro…), for export and provenance. */
  readonly options: NetworkOptions;
  /** Trainable parameters by name (`tf.Variable`s, trainable). */
  readonly parameters: ReadonlyMap<string, tf.Variable>;
  /** Batch-norm running statistics by name (`tf.Variable`s, not trainable). */
  readonly buffers: ReadonlyMap<string, tf.Variable>;
  /** Same as `plan.paramCount`, counted from the allocated variables. */
  readonly paramCount: number;
  /** Same as `plan.flops`. */
  readonly flops: number;
  /**
   * Outputs `[N, prod(outputShape)]` — logits `[N, classes]` for a point head, the channel-first
   * output map flattened for a dense head — for a batch in the task contract's layout: images
   * `[N, C, H, W]`, sequences `[N, C, L]` (or `[N, C, 1, L]`). It is transposed once to NHWC inside
   * (a sequence is a height-1 image). Intermediates are freed; the caller disposes the result.
   * Differentiable: call it inside `tf.grad`/`tf.variableGrads`.
   */
  forward(x: tf.Tensor, options: ForwardOptions): tf.Tensor2D;
  /** Frees every variable. The network cannot be used afterwards. */
  dispose(): void;
  readonly disposed: boolean;
}

/** Options for building a network for a task. */
export interface NetworkOptions {
  /** Classes of the classifier head (the output channels of a dense head). */
  readonly numClasses: number;
  /**
   * Per-sample input shape, channels first (the task's `inputShape`): `[C, H, W]` images, or
   * `[C, L]` sequences, which builders that support them build with 1-D (`1×k`) kernels.
   */
  readonly inputShape: Shape;
  /**
   * Per-sample output shape (the task's `outputShape`). Default `[numClasses]`, a point head
   * (global pooling and a classifier). `[K, H, W]` / `[K, L]` with the input's spatial size asks
   * for a dense head: no down-sampling and a per-position linear layer to K channels (how
   * NAS-Bench-360 adapts its backbones to dense prediction).
   */
  readonly outputShape?: Shape;
  /** Seed of the initial weights (default 0): same seed, same weights. */
  readonly seed?: number;
  /** Weight initialisation (default `pytorch`, what NAS-Bench-201 used). */
  readonly init?: InitScheme;
  /**
   * Skeleton settings a builder documents (NB201: `channels`, default 16, and `cellsPerStage`,
   * default 5). Smaller skeletons train faster for low-fidelity estimates and tests.
   */
  readonly macro?: { readonly [name: string]: number };
}

/**
 * Padding of a convolution: PyTorch's symmetric `padding=p` (a number), or tfjs's `same`/`valid`.
 * A number pads the axes the kernel spans: a `1×k` kernel (a 1-D convolution over a sequence held
 * as a height-1 image) pads the length only, as PyTorch's `Conv1d(padding=p)`.
 */
export type ConvPad = number | 'same' | 'valid';

/** A pooling window or stride: square (`3`) or `[height, width]` (`[1, 3]` over a sequence). */
export type Window = number | readonly [number, number];

/**
 * The operations a network's forward pass is written in, over activations of type `T` (NHWC
 * images, or `[N, C]` features). One description of a network then runs two ways: eagerly on
 * tensors for training and inference (`Layers`), and symbolically to build a TensorFlow.js
 * `LayersModel` of built-in layers for export (`toLayersModel`). Parameters are found by name as in
 * {@link ParameterSpec} (`<name>.weight`, …); other names label the op (unique per network).
 */
export interface NetworkOps<T> {
  /** Bias-free convolution with `<name>.weight` (`[KH, KW, Cin, Cout]`). A number pads symmetrically (PyTorch). */
  conv(name: string, x: T, stride: number, pad: ConvPad): T;
  /** `BatchNorm2d` with `<name>.weight`, `.bias`, `.running_mean`, `.running_var` (eps 1e-5). */
  batchNorm(name: string, x: T): T;
  /**
   * `batchNorm(bnName, conv(convName, x, …))`, or with `depthwise` `batchNorm(bnName,
   * depthwiseConv(…))`, written as one op so that inference can fold the normalisation into the
   * convolution's weights and bias.
   */
  convBatchNorm(convName: string, bnName: string, x: T, stride: number, pad: ConvPad, depthwise?: boolean): T;
  relu(name: string, x: T): T;
  /** `x·W + b` with `<name>.weight` (`[in, out]`) and `<name>.bias`. */
  linear(name: string, x: T): T;
  /**
   * Average pooling over in-bounds pixels only (PyTorch's `count_include_pad=False`), with tfjs's
   * `same` (stride 1, odd size: symmetric) or `valid` padding.
   */
  avgPool(name: string, x: T, size: Window, stride: Window, pad: 'same' | 'valid'): T;
  /** Max pooling with tfjs's `same` (padding never wins the max) or `valid` padding. */
  maxPool(name: string, x: T, size: Window, stride: Window, pad: 'same' | 'valid'): T;
  /** Concatenation along the channel (last) axis, in the order given (DARTS-style cell outputs). */
  concat(name: string, terms: readonly T[]): T;
  /** The first `channels` channels (NAS-Bench-101's `truncate` of a vertex feeding a narrower one). */
  truncate(name: string, x: T, channels: number): T;
  /**
   * Element-wise sum of `terms`; with none, zeros shaped like `like` (NB201's `none` edges), with
   * `channels` channels when given (a `none`-only node of a cell that changes the channel count).
   */
  sum(name: string, terms: readonly T[], like: T, channels?: number): T;
  /** Mean over height and width: `[N, H, W, C]` → `[N, C]`. */
  globalAvgPool(name: string, x: T): T;
  /** Shows an activation to the forward pass's tap (see {@link TapFn}); returns it or the tap's replacement. */
  tap(name: string, x: T, kind: TapKind): T;
  /** Bias-free depthwise convolution (channel multiplier 1) with `<name>.weight` (`[KH, KW, C, 1]`). */
  depthwiseConv(name: string, x: T, stride: number, pad: ConvPad): T;
  /** An element-wise activation other than ReLU (which is {@link relu}, tapped). */
  activation(name: string, x: T, kind: 'relu6' | 'swish' | 'sigmoid'): T;
  /**
   * Squeeze-and-excitation (Hu et al. 2018, as the MnasNet reference): global mean, 1×1 conv with
   * bias `<name>.reduce` (`.weight` `[1, 1, C, hidden]`, `.bias`), ReLU, 1×1 conv with bias
   * `<name>.expand`, sigmoid, times `x`.
   */
  squeezeExcite(name: string, x: T): T;
  /**
   * Dense head: the linear layer `<name>` (`.weight` `[C, K]`, `.bias` `[K]`) applied at every
   * position of `[N, H, W, C]`, returned channel-first and flattened, `[N, K·H·W]` (NAS-Bench-360's
   * per-pixel `Linear` on channels-last features).
   */
  pixelLinear(name: string, x: T): T;
}

/** A network's forward pass as a description over {@link NetworkOps}: NHWC input → logits. */
export type NetworkGraph = <T>(x: T, ops: NetworkOps<T>) => T;

/**
 * Builds the networks of one search space. To support a new space, implement this and pass it
 * to {@link buildNetwork} (`builders` option), or add it to {@link NETWORK_BUILDERS}.
 */
export interface NetworkBuilder {
  /** The `Architecture.space` it builds. */
  readonly space: string;
  /** One line for listings and errors. */
  readonly description: string;
  /** Parameters, FLOPs and memory estimate without allocating tensors. Throws on invalid input. */
  plan(arch: Architecture, options: NetworkOptions): NetworkPlan;
  /** Allocates and initialises the parameters. Needs an initialised backend. */
  build(arch: Architecture, options: NetworkOptions): Network;
  /**
   * The forward pass of `arch`'s network as a {@link NetworkGraph}, the one `build` runs. With it,
   * built networks can be exported as TensorFlow.js `LayersModel`s (`exportNetwork`).
   */
  graph?(arch: Architecture, options: NetworkOptions): NetworkGraph;
}
