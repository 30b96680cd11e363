/**
 * Wide ResNet (Zagoruyko & Komodakis 2016), the baseline NAS-Bench-360 (Tu et al. 2022) trains on
 * every task, built as its code builds it (`backbone/backbone_pt.py` `Backbone_Pt` for point
 * outputs, `backbone/backbone_grid_wrn.py` `Backbone` for dense ones; `BasicBlock` after
 * xternalz/WideResNet-pytorch):
 *
 *   conv3×3(Cin→16); 3 groups of n = (depth − 4)/6 pre-activation basic blocks with 16k, 32k, 64k
 *   channels (k = widen); BN + ReLU; then global average pooling and a linear classifier (point
 *   head, groups at strides 1, 2, 2), or a per-position linear layer (dense head, every stride 1).
 *
 * A basic block is BN-ReLU-conv3×3(stride)-BN-ReLU-conv3×3 plus the input, or, when the channel
 * count changes, a 1×1 convolution (stride) of the activated input. Convolutions are bias-free with
 * He-normal weights (fan-out), as the reference initialises them (`init: 'kaiming-normal'` is the
 * default here). Sequences `[C, L]` are built with 1-D (1×3) convolutions; NAS-Bench-360's own 1-D
 * baseline is a ResNet-1D, so a 1-D WRN is this library's baseline rather than the paper's.
 * WRN-16-4 (depth 16, widen 4) is the paper's default; the genotype is `{ depth, widen }`.
 */
import { NasxError, type Architecture, type Json } from '@nasx/contracts';
import { TENSOR_PACKAGE } from '../backend/backend';
import { MEMORY_UNITS, PlanAccumulator } from '../nb201/nb201.network';
import { createGraphNetwork } from '../network/functional-network';
import { ioShapeOf } from '../network/io-shape';
import type { Network, NetworkBuilder, NetworkGraph, NetworkOps, NetworkOptions, NetworkPlan } from '../network/network';

/** Space id of Wide ResNet architectures. */
export const WRN_SPACE = 'wrn';

/** The WRN architecture `{ depth, widen }` (default WRN-16-4, NAS-Bench-360's baseline). */
export function wrnArchitecture(depth = 16, widen = 4): Architecture {
  return { space: WRN_SPACE, genotype: { depth, widen }, key: `wrn-${depth}-${widen}` };
}

function fail(arch: Architecture, problem: string, fix: string): NasxError {
  return new NasxError('architecture', `cannot build Wide ResNet ${arch.key}: ${problem}`, { pkg: TENSOR_PACKAGE, contribution: WRN_SPACE, fix });
}

function settings(arch: Architecture): { depth: number; widen: number } {
  if (arch.space !== WRN_SPACE) throw fail(arch, `it belongs to space "${arch.space}"`, `pass wrnArchitecture(depth, widen) (space "${WRN_SPACE}")`);
  const g = arch.genotype as { depth?: Json; widen?: Json } | null;
  const depth = g && typeof g === 'object' && !Array.isArray(g) ? g.depth : undefined;
  const widen = g && typeof g === 'object' && !Array.isArray(g) ? g.widen : undefined;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 10 || (depth - 4) % 6 !== 0) {
    throw fail(arch, `depth ${JSON.stringify(depth)} is not 6n + 4 with n ≥ 1`, 'use depth 16 (WRN-16-k), 22, 28 or 40');
  }
  if (typeof widen !== 'number' || !Number.isInteger(widen) || widen < 1)
    throw fail(arch, `widen ${JSON.stringify(widen)} is not a positive integer`, 'use widen 4 (WRN-16-4)');
  return { depth, widen };
}

/** Block structure: per group its input/output channels and stride. */
function groups(depth: number, widen: number, dense: boolean) {
  const n = (depth - 4) / 6;
  const ch = [16, 16 * widen, 32 * widen, 64 * widen];
  const strides = dense ? [1, 1, 1] : [1, 2, 2];
  return [0, 1, 2].map((g) => ({ name: `block${g + 1}`, cin: ch[g]!, cout: ch[g + 1]!, stride: strides[g]!, n }));
}

function planWrn(arch: Architecture, options: NetworkOptions): NetworkPlan {
  const { depth, widen } = settings(arch);
  const io = ioShapeOf(options, (problem, fix) => fail(arch, problem, fix));
  if (!io.dense && (io.width % 4 !== 0 || (io.dims === 2 && io.height % 4 !== 0))) {
    throw fail(arch, `input shape [${options.inputShape.join(', ')}] does not halve twice evenly`, 'use spatial sizes divisible by 4 (e.g. [3, 32, 32])');
  }
  const p = new PlanAccumulator(io.dims);
  let pixels = io.height * io.width;
  p.conv('conv1', io.channels, 16, 3, pixels);
  p.memory += MEMORY_UNITS.stem * pixels * 16;
  for (const g of groups(depth, widen, io.dense)) {
    for (let i = 0; i < g.n; i++) {
      const name = `${g.name}.layer.${i}`;
      const cin = i === 0 ? g.cin : g.cout;
      const stride = i === 0 ? g.stride : 1;
      const out = stride === 1 ? pixels : io.dims === 1 ? pixels / 2 : pixels / 4;
      p.batchNorm(`${name}.bn1`, cin);
      p.conv(`${name}.conv1`, cin, g.cout, 3, out);
      p.batchNorm(`${name}.bn2`, g.cout);
      p.conv(`${name}.conv2`, g.cout, g.cout, 3, out);
      if (cin !== g.cout) p.conv(`${name}.convShortcut`, cin, g.cout, 1, out);
      p.memory += 2 * MEMORY_UNITS.reluConvBn * out * g.cout + MEMORY_UNITS.shortcut * out * g.cout;
      pixels = out;
    }
  }
  const c = 64 * widen;
  p.batchNorm('bn1', c);
  p.memory += MEMORY_UNITS.lastact * pixels * c;
  if (io.dense) p.pixelLinear('fc', c, io.outChannels, pixels);
  else p.linear('fc', c, io.outChannels);
  return {
    space: WRN_SPACE,
    archKey: arch.key,
    inputShape: [...options.inputShape],
    numClasses: io.outChannels,
    outputShape: io.outputShape,
    parameters: p.parameters,
    buffers: p.buffers,
    paramCount: p.parameters.reduce((n, s) => n + s.shape.reduce((a, b) => a * b, 1), 0),
    flops: p.flops,
    trainingBytesPerSample: 4 * p.memory,
  };
}

/** The pre-activation basic block (`BasicBlock.forward`). */
function basicBlock<T>(L: NetworkOps<T>, name: string, x: T, changes: boolean, stride: number): T {
  const act = L.relu(`${name}.relu1`, L.batchNorm(`${name}.bn1`, x));
  const h = L.relu(`${name}.relu2`, L.batchNorm(`${name}.bn2`, L.conv(`${name}.conv1`, act, stride, 1)));
  const out = L.conv(`${name}.conv2`, h, 1, 1);
  const shortcut = changes ? L.conv(`${name}.convShortcut`, act, stride, 'valid') : x;
  return L.sum(`${name}.add`, [shortcut, out], x);
}

function wrnGraph(arch: Architecture, options: NetworkOptions): NetworkGraph {
  const { depth, widen } = settings(arch);
  const io = ioShapeOf(options, (problem, fix) => fail(arch, problem, fix));
  return <T>(x: T, L: NetworkOps<T>): T => {
    let h = L.conv('conv1', x, 1, 1);
    for (const g of groups(depth, widen, io.dense)) {
      for (let i = 0; i < g.n; i++) {
        const name = `${g.name}.layer.${i}`;
        const cin = i === 0 ? g.cin : g.cout;
        h = L.tap(name, basicBlock(L, name, h, cin !== g.cout, i === 0 ? g.stride : 1), 'cell-out');
      }
    }
    const act = L.relu('relu', L.batchNorm('bn1', h));
    if (io.dense) {
      const out = L.pixelLinear('fc', act);
      L.tap('fc', out, 'logits');
      return out;
    }
    const features = L.globalAvgPool('pool', act);
    L.tap('pool', features, 'features');
    const logits = L.linear('fc', features);
    L.tap('fc', logits, 'logits');
    return logits;
  };
}

/** The Wide ResNet {@link NetworkBuilder} (space `wrn`), He-normal initialisation unless `init` says otherwise. */
export const wrnNetworkBuilder: NetworkBuilder = {
  space: WRN_SPACE,
  description: "Wide ResNet (WRN-d-k), NAS-Bench-360's baseline: point or dense head, 2-D images or 1-D sequences",
  plan: planWrn,
  build(arch: Architecture, options: NetworkOptions): Network {
    const opts = { ...options, init: options.init ?? 'kaiming-normal' };
    return createGraphNetwork(arch, planWrn(arch, opts), opts, wrnGraph(arch, opts));
  },
  graph: wrnGraph,
};
