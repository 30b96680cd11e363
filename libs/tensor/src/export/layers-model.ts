/**
 * A built nasx network as a TensorFlow.js `LayersModel` of built-in layers only (Conv2D,
 * BatchNormalization, ReLU, ZeroPadding2D, AveragePooling2D, Add, Rescaling, Activation,
 * GlobalAveragePooling2D, Dense, Permute; for network-level ops also DepthwiseConv2D, Reshape, Multiply), its weights copied from the network's variables. The model is built from the
 * builder's own {@link NetworkGraph}, the description its forward pass runs, so export and
 * training cannot drift apart. A user loads it with plain `tf.loadLayersModel` (tfjs, tfjs-node, a
 * browser): no custom layer, no nasx code.
 *
 * Where tfjs-layers and nasx/PyTorch differ, the mapping keeps nasx's semantics:
 * - symmetric PyTorch padding: tfjs's `same` where it is the same (stride 1, odd kernel),
 *   otherwise `ZeroPadding2D(p)` + `valid` (tfjs's `same` pads bottom/right only at stride 2);
 * - average pooling: `AveragePooling2D` runs `tf.avgPool` as nasx does, averaging over in-bounds
 *   pixels only (PyTorch's `count_include_pad=False`);
 * - batch norm: inference mode with the running statistics and PyTorch's eps 1e-5 (Keras momentum
 *   0.9 = PyTorch's 0.1, relevant only if the model is trained further);
 * - a node with only `none` inputs (zero): `Rescaling(scale 0)`, x·0 like PyTorch's `Zero` op;
 * - a tensor summed twice (x + x through two skip edges): the repeat through a linear `Activation`;
 * - layout: nasx networks take NCHW; the model starts with `Permute([2, 3, 1])` so it takes the same
 *   input, or takes NHWC images directly with `inputLayout: 'nhwc'`.
 * The output is the logits (no softmax), as `Network.forward`'s.
 */
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { TENSOR_PACKAGE } from '../backend/backend';
import { findNetworkBuilder } from '../network/builders';
import type { ConvPad, Network, NetworkBuilder, NetworkOps, TapKind, Window } from '../network/network';
import { BN_EPSILON, BN_MOMENTUM, windowPair } from '../nn/layers';

/** Input layout of an exported model: nasx's NCHW (the task contract's), or NHWC images. */
export type InputLayout = 'nchw' | 'nhwc';

/** Options of {@link toLayersModel}. */
export interface LayersModelOptions {
  /** `nchw` (default): the model takes what `Network.forward` takes; `nhwc`: `[N, H, W, C]` images. */
  readonly inputLayout?: InputLayout;
  /** Extra network builders (a plugin's own space), as for `buildNetwork`. */
  readonly builders?: readonly NetworkBuilder[];
  /** Name of the model (default `nasx-<space>`). */
  readonly name?: string;
}

/** A network as a `LayersModel`, and which of its parameters the model holds. */
export interface ExportedLayersModel {
  /** The model; dispose it when done. */
  readonly model: tfl.LayersModel;
  /** Trainable parameters copied into the model. */
  readonly parameters: number;
  /**
   * Parameters of the network that no computation uses (NB201: edges into a node that reaches the
   * output only through `none`), left out of the model; `parameters + unusedParameters = paramCount`.
   */
  readonly unusedParameters: number;
}

type Sym = tfl.SymbolicTensor;

/** Builds the Keras graph while the network's description is walked; copies weights as it goes. */
class LayersGraphOps implements NetworkOps<Sym> {
  private readonly names = new Set<string>();
  readonly used = new Set<string>();

  constructor(private readonly net: Network) {}

  private unique(name: string): string {
    // Two ops of one name would make the model's weight names ambiguous: a builder bug.
    if (this.names.has(name))
      throw new Error(`${TENSOR_PACKAGE}: the ${this.net.arch.space} network description names two ops "${name}" (a network builder bug)`);
    this.names.add(name);
    return name;
  }

  private variable(name: string): tf.Variable {
    const v = this.net.parameters.get(name) ?? this.net.buffers.get(name);
    if (!v) throw new Error(`${TENSOR_PACKAGE}: "${name}" is not a variable of the ${this.net.arch.space} network (a network builder bug)`);
    this.used.add(name);
    return v;
  }

  /** Applies `layer` and sets its weights (in the layer's `weights` order) to copies of `values`. */
  private apply(layer: tfl.layers.Layer, x: Sym | Sym[], values: tf.Tensor[] = []): Sym {
    const y = layer.apply(x) as Sym;
    if (values.length) layer.setWeights(values);
    return y;
  }

  conv(name: string, x: Sym, stride: number, pad: ConvPad): Sym {
    const kernel = this.variable(`${name}.weight`);
    const [kh, kw, , filters] = kernel.shape as [number, number, number, number];
    let padding: 'same' | 'valid';
    // A 1×k kernel (a 1-D convolution over a height-1 sequence) pads the length only.
    const [ph, pw] = typeof pad === 'number' && kh === 1 && kw > 1 ? [0, pad] : [pad, pad];
    if (typeof pad === 'string') padding = pad;
    else if (pad === 0) padding = 'valid';
    else if (stride === 1 && kh === 2 * (ph as number) + 1 && kw === 2 * (pw as number) + 1)
      padding = 'same'; // tfjs's 'same' is symmetric here
    else {
      const p: [[number, number], [number, number]] = [
        [ph as number, ph as number],
        [pw as number, pw as number],
      ];
      x = this.apply(tfl.layers.zeroPadding2d({ padding: p, name: this.unique(`${name}.pad`) }), x);
      padding = 'valid';
    }
    const layer = tfl.layers.conv2d({ filters, kernelSize: [kh, kw], strides: stride, padding, useBias: false, name: this.unique(name) });
    return this.apply(layer, x, [kernel]);
  }

  batchNorm(name: string, x: Sym): Sym {
    const layer = tfl.layers.batchNormalization({ axis: -1, epsilon: BN_EPSILON, momentum: 1 - BN_MOMENTUM, name: this.unique(name) });
    // tfjs-layers orders them gamma, beta, moving mean, moving variance.
    const values = ['weight', 'bias', 'running_mean', 'running_var'].map((w) => this.variable(`${name}.${w}`));
    return this.apply(layer, x, values);
  }

  convBatchNorm(convName: string, bnName: string, x: Sym, stride: number, pad: ConvPad, depthwise = false): Sym {
    return this.batchNorm(bnName, depthwise ? this.depthwiseConv(convName, x, stride, pad) : this.conv(convName, x, stride, pad));
  }

  relu(name: string, x: Sym): Sym {
    return this.apply(tfl.layers.reLU({ name: this.unique(name) }), x);
  }

  linear(name: string, x: Sym): Sym {
    const kernel = this.variable(`${name}.weight`);
    const layer = tfl.layers.dense({ units: kernel.shape[1]!, useBias: true, name: this.unique(name) });
    return this.apply(layer, x, [kernel, this.variable(`${name}.bias`)]);
  }

  avgPool(name: string, x: Sym, size: Window, stride: Window, pad: 'same' | 'valid'): Sym {
    const layer = tfl.layers.averagePooling2d({ poolSize: windowPair(size), strides: windowPair(stride), padding: pad, name: this.unique(name) });
    return this.apply(layer, x);
  }

  maxPool(name: string, x: Sym, size: Window, stride: Window, pad: 'same' | 'valid'): Sym {
    const layer = tfl.layers.maxPooling2d({ poolSize: windowPair(size), strides: windowPair(stride), padding: pad, name: this.unique(name) });
    return this.apply(layer, x);
  }

  concat(name: string, terms: readonly Sym[]): Sym {
    if (terms.length === 1) return terms[0]!;
    // As in sum(): a tensor entering one merge layer twice gets its own identity copy.
    const inputs = terms.map((t, i) =>
      terms.indexOf(t) === i ? t : this.apply(tfl.layers.activation({ activation: 'linear', name: this.unique(`${name}.repeat${i}`) }), t),
    );
    return this.apply(tfl.layers.concatenate({ axis: -1, name: this.unique(name) }), inputs);
  }

  truncate(name: string, x: Sym, channels: number): Sym {
    // No built-in slicing layer: a fixed 1×1 convolution whose kernel is [I; 0] keeps the first channels.
    const have = x.shape[x.shape.length - 1]!;
    const kernel = tf.tidy(() => tf.reshape(tf.concat([tf.eye(channels), tf.zeros([have - channels, channels])], 0), [1, 1, have, channels]));
    const layer = tfl.layers.conv2d({ filters: channels, kernelSize: 1, useBias: false, trainable: false, name: this.unique(name) });
    const y = this.apply(layer, x, [kernel]);
    kernel.dispose();
    return y;
  }

  sum(name: string, terms: readonly Sym[], like: Sym, channels?: number): Sym {
    if (terms.length === 1) return terms[0]!;
    if (terms.length === 0) {
      const zero = this.apply(tfl.layers.rescaling({ scale: 0, offset: 0, name: this.unique(name) }), like);
      const have = like.shape[like.shape.length - 1]!;
      if (channels === undefined || channels === have) return zero;
      // Zeros with another channel count: a 1×1 convolution of zero weights (x·0 = 0 as in PyTorch's `Zero`).
      const widen = tfl.layers.conv2d({ filters: channels, kernelSize: 1, useBias: false, kernelInitializer: 'zeros', name: this.unique(`${name}.channels`) });
      return this.apply(widen, zero);
    }
    // A tensor that enters one merge layer twice (NB201's skip edges: node 2 = node 0 + node 1 =
    // x + x) makes tfjs-layers' executor free it after its first use; an identity layer gives each
    // repeat its own tensor, and the sum keeps its order.
    const inputs = terms.map((t, i) =>
      terms.indexOf(t) === i ? t : this.apply(tfl.layers.activation({ activation: 'linear', name: this.unique(`${name}.repeat${i}`) }), t),
    );
    return this.apply(tfl.layers.add({ name: this.unique(name) }), inputs);
  }

  globalAvgPool(name: string, x: Sym): Sym {
    return this.apply(tfl.layers.globalAveragePooling2d({ name: this.unique(name) }), x);
  }

  pixelLinear(name: string, x: Sym): Sym {
    const weight = this.variable(`${name}.weight`);
    const [c, k] = weight.shape as [number, number];
    const kernel = tf.reshape(weight, [1, 1, c, k]);
    const conv = tfl.layers.conv2d({ filters: k, kernelSize: 1, useBias: true, name: this.unique(name) });
    const y = this.apply(conv, x, [kernel, this.variable(`${name}.bias`)]);
    kernel.dispose();
    // Channel-first and flattened, as Network.forward returns a dense output.
    const chw = this.apply(tfl.layers.permute({ dims: [3, 1, 2], name: this.unique(`${name}.to_nchw`) }), y);
    return this.apply(tfl.layers.flatten({ name: this.unique(`${name}.flatten`) }), chw);
  }

  tap(_name: string, x: Sym, _kind: TapKind): Sym {
    return x;
  }

  depthwiseConv(name: string, x: Sym, stride: number, pad: ConvPad): Sym {
    const kernel = this.variable(`${name}.weight`);
    const [kh, kw] = kernel.shape as [number, number, number, number];
    if (typeof pad !== 'string')
      throw new Error(`${TENSOR_PACKAGE}: depthwise convolutions export with 'same' or 'valid' padding only (a network builder bug)`);
    const layer = tfl.layers.depthwiseConv2d({
      kernelSize: [kh, kw],
      strides: stride,
      padding: pad,
      depthMultiplier: 1,
      useBias: false,
      name: this.unique(name),
    });
    return this.apply(layer, x, [kernel]);
  }

  activation(name: string, x: Sym, kind: 'relu6' | 'swish' | 'sigmoid'): Sym {
    return this.apply(tfl.layers.activation({ activation: kind, name: this.unique(name) }), x);
  }

  squeezeExcite(name: string, x: Sym): Sym {
    const channels = x.shape[x.shape.length - 1]!;
    const pooled = this.apply(tfl.layers.globalAveragePooling2d({ name: this.unique(`${name}.pool`) }), x);
    const square = this.apply(tfl.layers.reshape({ targetShape: [1, 1, channels], name: this.unique(`${name}.reshape`) }), pooled);
    const pointwise = (n: string, t: Sym, activation: 'relu' | 'sigmoid') => {
      const kernel = this.variable(`${n}.weight`);
      const layer = tfl.layers.conv2d({ filters: kernel.shape[3]!, kernelSize: 1, useBias: true, activation, name: this.unique(n) });
      return this.apply(layer, t, [kernel, this.variable(`${n}.bias`)]);
    };
    const gate = pointwise(`${name}.expand`, pointwise(`${name}.reduce`, square, 'relu'), 'sigmoid');
    return this.apply(tfl.layers.multiply({ name: this.unique(`${name}.scale`) }), [x, gate]);
  }
}

/**
 * The network as a TensorFlow.js `LayersModel` of built-in layers, with copies of its current
 * weights (fresh or trained) and batch-norm running statistics. Its `predict` equals
 * `net.forward(x, { training: false })` up to float rounding.
 *
 * @example
 * const { model } = toLayersModel(net);
 * const logits = model.predict(x) as tf.Tensor2D;   // x: [N, C, H, W], as for net.forward
 */
export function toLayersModel(net: Network, options: LayersModelOptions = {}): ExportedLayersModel {
  if (net.disposed)
    throw new NasxError('usage', `network ${net.arch.key} was disposed`, { pkg: TENSOR_PACKAGE, fix: 'export the network before disposing it' });
  const builder = findNetworkBuilder(net.arch.space, options.builders);
  if (!builder.graph) {
    throw new NasxError('architecture', `the network builder of space "${net.arch.space}" cannot describe its network for export`, {
      pkg: TENSOR_PACKAGE,
      fix: 'implement NetworkBuilder.graph (the forward pass over NetworkOps) in that builder; NB201 is an example',
    });
  }
  const layout = options.inputLayout ?? 'nchw';
  if (layout !== 'nchw' && layout !== 'nhwc') {
    throw new NasxError('usage', `unknown input layout "${String(layout)}"`, { pkg: TENSOR_PACKAGE, fix: 'use "nchw" (nasx networks) or "nhwc" (images)' });
  }
  const graph = builder.graph(net.arch, net.options);
  // A sequence [C, L] is a height-1 image [C, 1, L] inside.
  const [c, h, w] = (net.plan.inputShape.length === 2 ? [net.plan.inputShape[0], 1, net.plan.inputShape[1]] : net.plan.inputShape) as [number, number, number];
  const ops = new LayersGraphOps(net);
  const input = tfl.input({ shape: layout === 'nchw' ? [c, h, w] : [h, w, c], name: 'input' });
  const nhwc = layout === 'nchw' ? (tfl.layers.permute({ dims: [2, 3, 1], name: 'nchw_to_nhwc' }).apply(input) as Sym) : input;
  const output = graph<Sym>(nhwc, ops);
  const model = tfl.model({ inputs: input, outputs: output, name: options.name ?? `nasx-${net.arch.space}` });
  let parameters = 0;
  for (const [name, v] of net.parameters) if (ops.used.has(name)) parameters += v.size;
  return { model, parameters, unusedParameters: net.paramCount - parameters };
}
