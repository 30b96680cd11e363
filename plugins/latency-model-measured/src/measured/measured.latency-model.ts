/**
 * The `measured` latency model: the latency of an architecture on this machine, measured. Each
 * architecture's network is built with `@nasx/tensor` (seeded weights, inference mode), warmed up,
 * then timed over `repeats` forward passes, each ending when the logits have been read back; the
 * median is the latency (MnasNet measured on a phone the same way, Tan et al. 2019, Sec. 3). The
 * device is the local backend, `local-<backend>`, and the backend's description goes with every
 * number (`provenance`). Results are cached per architecture key: a measurement costs seconds.
 */
import {
  NasxError,
  defineLatencyModel,
  operatorKey,
  type ArchGraph,
  type Architecture,
  type LatencyModel,
  type SearchSpace,
  type Shape,
} from '@nasx/contracts';
import {
  SeededRandom,
  buildNetwork,
  chainNetworkBuilder,
  describeTensorBackend,
  initTensorBackend,
  tf,
  type Network,
  type NetworkOptions,
  type TensorBackendInfo,
} from '@nasx/tensor';
import { measuredSchema, type MeasuredOptions } from './measured.schema';

const PKG = '@nasx/latency-model-measured';
const ID = 'measured';

/** NAS-Bench-201's CIFAR-10 shapes, which the published NB201 latency tables were measured at. */
const NB201_SHAPES = { inputShape: [3, 32, 32] as Shape, numClasses: 10 };

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const isGraph = (t: Architecture | ArchGraph): t is ArchGraph => 'nodes' in t && Array.isArray((t as ArchGraph).nodes);

/** The input shape and class count of a network-level graph (its `input` node and last op's output). */
function graphShapes(graph: ArchGraph): { inputShape?: Shape; numClasses?: number } {
  if (graph.level !== 'network') return {};
  const input = graph.nodes.find((n) => n.op === 'input')?.shape;
  const last = [...graph.nodes].reverse().find((n) => n.op !== 'output' && n.op !== 'input');
  return { inputShape: input, numClasses: last?.shape?.length === 1 ? last.shape[0] : undefined };
}

/** Latency measured on the local TensorFlow.js backend (see the file header). */
export class MeasuredLatencyModel implements LatencyModel {
  readonly id = ID;
  readonly devices: readonly string[];
  readonly provenance: string;
  private readonly cache = new Map<string, number>();

  constructor(
    private readonly space: SearchSpace,
    private readonly options: MeasuredOptions,
    readonly backend: TensorBackendInfo,
    backendDescription: string,
  ) {
    this.devices = [`local-${backend.tfBackend}`];
    this.provenance = `${backendDescription}; batch ${options.batch}; ${options.statistic} of ${options.repeats} timed passes after ${options.warmup} warm-up`;
    if (options.device !== undefined && options.device !== this.devices[0]) {
      throw new NasxError('config', `latency model "${ID}": unknown device "${options.device}"`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/options/device',
        fix: `this machine measures on ${this.devices[0]} (the backend in use); set device to it or leave it out, or choose the backend with the backend option`,
      });
    }
  }

  /** Input shape and classes of the networks timed for `target`: options, else the graph's, else NB201's CIFAR-10. */
  shapesFor(target: Architecture | ArchGraph): NetworkOptions {
    const graph = isGraph(target) ? target : this.space.toGraph(target);
    const fromGraph = graph.space === 'nb201' && graph.level === 'cell' ? NB201_SHAPES : graphShapes(graph);
    const inputShape = this.options.inputShape ?? fromGraph.inputShape;
    const numClasses = this.options.numClasses ?? fromGraph.numClasses;
    if (!inputShape || numClasses === undefined) {
      throw new NasxError('config', `latency model "${ID}": the ${graph.space} space's graphs do not give the networks' input shape and classes`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/options',
        fix: 'set the inputShape ([channels, height, width]) and numClasses options',
      });
    }
    return { inputShape: [...inputShape], numClasses, seed: this.options.seed };
  }

  private checkDevice(device: string): void {
    if (device !== this.devices[0]) {
      throw new NasxError('config', `latency model "${ID}": unknown device "${device}"`, {
        pkg: PKG,
        contribution: ID,
        fix: `the measured model knows only ${this.devices[0]} (this machine's backend)`,
      });
    }
  }

  /** Builds the network of an architecture, or of a network-level chain graph. */
  private build(target: Architecture | ArchGraph, shapes: NetworkOptions): Network {
    if (!isGraph(target)) return buildNetwork(target, shapes);
    const builder = chainNetworkBuilder({ space: target.space, description: 'a network-level graph', graph: () => target });
    return builder.build({ space: target.space, genotype: null, key: `graph of ${target.space}` }, shapes);
  }

  private cacheKey(target: Architecture | ArchGraph, shapes: NetworkOptions): string {
    const id = isGraph(target)
      ? `${target.space} graph ${target.nodes
          .filter((n) => n.op !== 'input' && n.op !== 'output')
          .map((n) => operatorKey(n))
          .join(';')}`
      : `${target.space} ${target.key}`;
    return `${id} @${shapes.inputShape.join('x')}/${shapes.numClasses}`;
  }

  /** Latency in ms (median or min of the timed passes) of one forward pass (batch `options.batch`) on the local backend. */
  async predict(target: Architecture | ArchGraph, device: string): Promise<number> {
    this.checkDevice(device);
    if (isGraph(target) && target.level !== 'network') {
      throw new NasxError('architecture', `latency model "${ID}" cannot build a network from a ${target.level}-level graph of ${target.space}`, {
        pkg: PKG,
        contribution: ID,
        fix: 'pass the architecture itself (its space has a network builder), or a network-level graph',
      });
    }
    const arch = isGraph(target) ? target : this.space.validate(target);
    const shapes = this.shapesFor(arch);
    const key = this.cacheKey(arch, shapes);
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const ms = await this.measure(arch, shapes);
    this.cache.set(key, ms);
    return ms;
  }

  private async measure(target: Architecture | ArchGraph, shapes: NetworkOptions): Promise<number> {
    const { batch, warmup, repeats, seed } = this.options;
    const net = this.build(target, shapes);
    const shape = [batch, ...shapes.inputShape] as [number, number, number, number];
    const x = tf.tensor4d(new SeededRandom(seed, 'measured input').fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), 1), shape);
    try {
      const times: number[] = [];
      for (let i = 0; i < warmup + repeats; i++) {
        const start = performance.now();
        const y = net.forward(x, { training: false });
        await y.data();
        const elapsed = performance.now() - start;
        y.dispose();
        if (i >= warmup) times.push(elapsed);
      }
      return this.options.statistic === 'min' ? Math.min(...times) : median(times);
    } finally {
      x.dispose();
      net.dispose();
    }
  }
}

/** Initialises the backend the options ask for and creates the model. */
export async function createMeasuredLatencyModel(options: MeasuredOptions, space: SearchSpace): Promise<MeasuredLatencyModel> {
  const backend = await initTensorBackend(options.backend);
  return new MeasuredLatencyModel(space, options, backend, await describeTensorBackend());
}

/** The `measured` latency-model contribution. */
export const measuredLatencyModel = defineLatencyModel<MeasuredOptions>({
  id: ID,
  title: 'Latency measured on the local backend',
  description:
    "Builds each architecture's network with @nasx/tensor and times inference on the local TensorFlow.js backend (warm-up runs, then the median of timed runs); the device is local-<backend>, the backend is recorded with the numbers.",
  optionsSchema: measuredSchema,
  create: (options, { space }) => createMeasuredLatencyModel(options, space),
});
