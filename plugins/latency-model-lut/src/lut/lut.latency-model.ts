import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  defineLatencyModel,
  operatorKey,
  type ArchGraph,
  type ArchGraphNode,
  type Architecture,
  type LatencyDevice,
  type LatencyModel,
  type NetworkOpAttrs,
  type SearchSpace,
} from '@nasx/contracts';
import { BUILTIN_TABLES, readOperatorTable, resolveTable, type LoadedTable } from './lut-layouts';
import { OperatorIndex, fieldsOfNode } from './operator-index';
import { lutSchema, type LutOptions } from './lut.schema';

const PKG = '@nasx/latency-model-lut';
const ID = 'lut';

/** Ops that cost nothing by definition; every other node of a graph must be in the table. */
const FREE_OPS = new Set(['input', 'output']);

/** Latencies of architectures already summed, by key; cleared when it grows past this. */
const CACHE_LIMIT = 100_000;

/**
 * The latency of a network as the sum of its operators' latencies in a lookup table, as MnasNet
 * (Tan et al. 2019), FBNet (Wu et al. 2019) and ProxylessNAS (Cai et al. 2019, eq. 4: the expected
 * latency of a network is the sum over its layers) estimate it. Reads network-level `ArchGraph`s
 * (`space.toGraph(arch)`, or a graph passed directly) whose op nodes carry `NetworkOpAttrs`.
 */
export class LutLatencyModel implements LatencyModel {
  readonly id = ID;
  readonly devices: readonly string[];
  readonly provenance: string;
  private readonly index = new OperatorIndex();
  private readonly refused: ReadonlyMap<string, string>;
  private readonly byArch = new Map<string, number>();
  private readonly byNode = new WeakMap<ArchGraphNode, number>();

  constructor(
    private readonly space: SearchSpace | undefined,
    private readonly table: LoadedTable,
    private readonly device: string,
  ) {
    // The device answered for first: the kernel takes devices[0] when the config names none.
    this.devices = [device, ...table.devices.filter((d) => d !== device)];
    for (const [key, { ms, node }] of table.byDevice.get(device) ?? []) {
      if (!this.index.set(key, ms, node)) {
        throw new NasxError('data', `latency model "${ID}": ${table.file} has the key "${key}", which is not an operator key as nasx writes it`, {
          file: table.file,
          pkg: PKG,
          contribution: ID,
          fix: 'use a table written by nasx latency profile, unedited',
        });
      }
    }
    this.refused = table.refused.get(device) ?? new Map();
    this.provenance = table.provenance.get(device) ?? table.file;
  }

  /** Number of operators the table knows for the device. */
  get size(): number {
    return this.index.size;
  }

  predict(target: Architecture | ArchGraph, device: string): number {
    this.checkDevice(device);
    if ('genotype' in target) {
      const cached = this.byArch.get(target.key);
      if (cached !== undefined && target.space === this.space?.id) return cached;
      const ms = this.sum(this.graphOf(target));
      if (this.byArch.size >= CACHE_LIMIT) this.byArch.clear();
      if (target.space === this.space?.id) this.byArch.set(target.key, ms);
      return ms;
    }
    return this.sum(target);
  }

  predictMany(targets: readonly (Architecture | ArchGraph)[], device: string): number[] {
    this.checkDevice(device);
    return targets.map((t) => this.predict(t, device));
  }

  private checkDevice(device: string): void {
    if (device !== this.device) {
      throw new NasxError('config', `latency model "${ID}" was created for device "${this.device}" of ${this.table.file}, not "${device}"`, {
        pkg: PKG,
        contribution: ID,
        fix: 'add another latency entry with that device',
      });
    }
  }

  private graphOf(arch: Architecture): ArchGraph {
    if (!this.space || arch.space !== this.space.id) {
      throw new NasxError('architecture', `latency model "${ID}": an architecture of space "${arch.space}" in a run of space "${this.space?.id ?? '(none)'}"`, {
        pkg: PKG,
        contribution: ID,
        fix: 'pass its ArchGraph, or use the model in a run of that space',
      });
    }
    return this.space.toGraph(arch);
  }

  /** Σ over the op nodes of the table's latency; a node missing from the table is an error naming it. */
  private sum(graph: ArchGraph): number {
    if (graph.level !== 'network') {
      throw new NasxError(
        'architecture',
        `latency model "${ID}" sums the operators of a whole network, and space "${graph.space}" gives a ${graph.level}-level graph (one cell, no input sizes)`,
        { pkg: PKG, contribution: ID, fix: 'use a space with network-level graphs (e.g. mnas), or the table latency model for NAS-Bench-201' },
      );
    }
    let ms = 0;
    const nodes = graph.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const node = nodes[i]!;
      if (node.op === 'input' || node.op === 'output') continue;
      // A frozen node is one a space interns and shares between its graphs (mnas does): its
      // latency is remembered, so pricing a network is a map lookup per node.
      const frozen = Object.isFrozen(node);
      let found = frozen ? this.byNode.get(node) : undefined;
      if (found === undefined) {
        found = this.index.findNode(node.op, node.attrs as Partial<NetworkOpAttrs> | undefined);
        if (found === undefined) throw this.missing(graph, node);
        if (frozen) this.byNode.set(node, found);
      }
      ms += found;
    }
    return ms;
  }

  /**
   * Fails unless the table has every operator of a space (its `operators()`), so a run on a table
   * that does not cover the space stops before its first trial, not at the first network that
   * needs a missing row.
   */
  checkCovers(spaceId: string, operators: readonly ArchGraphNode[]): void {
    const missing = [
      ...new Set(
        operators
          .filter((n) => !FREE_OPS.has(n.op))
          .flatMap((n) => {
            const fields = fieldsOfNode(n);
            return fields !== undefined && this.index.find(fields) !== undefined ? [] : [operatorKey(n)];
          }),
      ),
    ];
    if (missing.length === 0) return;
    const total = new Set(operators.filter((n) => !FREE_OPS.has(n.op)).map((n) => operatorKey(n))).size;
    throw new NasxError(
      'data',
      `latency model "${ID}": ${this.table.file} (device ${this.device}) lacks ${missing.length} of the ${total} operators of space "${spaceId}", e.g. "${missing[0]}"${missing.length > 1 ? ` and "${missing[1]}"` : ''}`,
      {
        file: this.table.file,
        pkg: PKG,
        contribution: ID,
        pointer: '/options/table',
        fix: `profile the space on the device with nasx latency profile --space ${spaceId} -o <file> (with the space's input shape), and set table: <file>`,
      },
    );
  }

  private missing(graph: ArchGraph, node: ArchGraphNode): NasxError {
    // operatorKey explains a node without input shape itself.
    const key = operatorKey(node);
    const why = this.refused.get(key);
    return new NasxError(
      'architecture',
      `latency model "${ID}": operator "${key}" (node ${node.id} of a ${graph.space} network) ${why ? `is refused from the table: ${why}` : 'is not in the table'} ${this.table.file} (device ${this.device}, ${this.index.size} operators)`,
      {
        file: this.table.file,
        pkg: PKG,
        contribution: ID,
        fix: `profile the device's operators of the space with nasx latency profile --space ${graph.space} -o <file>, and set table: <file>`,
      },
    );
  }
}

/** Reads the table an options object names (see {@link resolveTable}) and picks its device. */
export function createLutModel(options: LutOptions, deps: { space?: SearchSpace; dataDir?: string; configDir: string }): LutLatencyModel {
  const table = readOperatorTable(resolveTable(options.table, deps.dataDir, deps.configDir), options.device);
  let device = options.device;
  if (device === undefined) {
    if (table.devices.length !== 1) {
      throw new NasxError('config', `latency model "${ID}": ${table.file} has the devices ${table.devices.join(', ')}; say which`, {
        pkg: PKG,
        contribution: ID,
        pointer: '/options',
        fix: `set device to one of: ${table.devices.join(', ')}`,
      });
    }
    device = table.devices[0]!;
  }
  if (!table.devices.includes(device)) {
    throw new NasxError('config', `latency model "${ID}": unknown device "${device}" for ${table.file}`, {
      pkg: PKG,
      contribution: ID,
      pointer: '/options/device',
      fix: `set device to one of: ${table.devices.join(', ')} (or profile this device with nasx latency profile)`,
    });
  }
  const model = new LutLatencyModel(deps.space, table, device);
  if (deps.space?.operators) model.checkCovers(deps.space.id, deps.space.operators());
  return model;
}

/** Folders of the data directory searched for tables written by `nasx latency profile`. */
export const PROFILED_TABLE_DIRS = ['.', 'latency-tables'];

/**
 * The devices of the tables in a data directory: the built-in TF-NAS and ProxylessNAS tables, and
 * nasx tables (`# device:` first) in its top folder and `latency-tables/`.
 */
export function listLutDevices(dataDir: string | undefined): LatencyDevice[] {
  if (!dataDir) return [];
  const out: LatencyDevice[] = [];
  for (const [name, rel] of Object.entries(BUILTIN_TABLES)) {
    const file = path.join(dataDir, rel);
    if (!fs.existsSync(file)) continue;
    // Keeping no device's rows: only the names.
    const t = readOperatorTable(file, '');
    for (const d of t.devices) out.push({ device: d, options: { table: name, device: d }, source: t.provenance.get(d) ?? rel });
  }
  for (const sub of PROFILED_TABLE_DIRS) {
    const dir = path.join(dataDir, sub);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) continue;
    for (const f of fs.readdirSync(dir).sort()) {
      const file = path.join(dir, f);
      if (!/\.csv$/.test(f) || !fs.statSync(file).isFile()) continue;
      const fd = fs.openSync(file, 'r');
      const head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
      fs.closeSync(fd);
      if (head.toString('utf8') !== '# ') continue;
      try {
        const t = readOperatorTable(file);
        const rel = path.relative(dataDir, file);
        for (const d of t.devices) out.push({ device: d, options: { table: rel, device: d }, source: t.provenance.get(d) ?? rel });
      } catch {
        // A file that only looks like a table is not a device.
      }
    }
  }
  return out;
}

/** The `lut` latency-model contribution. */
export const lutLatencyModel = defineLatencyModel<LutOptions>({
  id: ID,
  title: 'Operator lookup table (sum of per-operator latencies)',
  description:
    "Latency of a network as the sum of its operators' latencies in a lookup table, keyed by op type, input size, channels, kernel, stride, expansion and SE (MnasNet, FBNet, ProxylessNAS): tables written by nasx latency profile, or the TF-NAS and ProxylessNAS tables in the data directory.",
  optionsSchema: lutSchema,
  listDevices: ({ dataDir }) => listLutDevices(dataDir),
  create: (options, { space, dataDir, configDir }) => createLutModel(options, { space, dataDir, configDir }),
});
