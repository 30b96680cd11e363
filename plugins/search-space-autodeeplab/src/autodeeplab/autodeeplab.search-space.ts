/**
 * Auto-DeepLab's hierarchical search space (Liu et al., "Auto-DeepLab: Hierarchical Neural
 * Architecture Search for Semantic Image Segmentation", CVPR 2019, Sec. 3) as a nasx search space:
 * the cell (B blocks, each two operations on two earlier nodes) and the network path (L cells over
 * the down-sampling rates 4, 8, 16, 32). Genotypes, keys and the network builder live in
 * `@nasx/tensor` (`autodeeplab.network.ts`); this file samples, mutates, encodes and writes them.
 *
 * Text form: the blocks, `|`-separated, each `opA~inputA+opB~inputB` (input 0: the cell two layers
 * back, 1: the previous cell, 2 + k: block k), then `@` and the path's rates joined by `-`:
 * `sep_conv_3x3~0+dil_conv_3x3~1|avg_pool_3x3~1+sep_conv_5x5~2@4-8-8-16`.
 */
import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, ArchGraphEdge, ArchGraphNode, Architecture, Rng, SearchSpace } from '@nasx/contracts';
import { ADL_OPS, ADL_RATES, AUTODEEPLAB_SPACE, adlArchitecture, adlGenotype, type AdlGenotype } from '@nasx/tensor';
import { autodeeplabSchema, type AutodeeplabOptions } from './autodeeplab.schema';

export type { AutodeeplabOptions } from './autodeeplab.schema';

const PKG = '@nasx/search-space-autodeeplab';
/** Operations of a network (`none` only exists in the relaxation). */
const OPS = ADL_OPS.length - 1;
const LEVELS = ADL_RATES.length;

/** The graph op of each operation (the shared vocabulary), with its attributes. */
const GRAPH_OPS: Record<string, { op: string; attrs: Record<string, number> }> = {
  max_pool_3x3: { op: 'max_pool', attrs: { kernel: 3 } },
  avg_pool_3x3: { op: 'avg_pool', attrs: { kernel: 3 } },
  skip_connect: { op: 'identity', attrs: {} },
  sep_conv_3x3: { op: 'sep_conv', attrs: { kernel: 3, repeats: 2 } },
  sep_conv_5x5: { op: 'sep_conv', attrs: { kernel: 5, repeats: 2 } },
  dil_conv_3x3: { op: 'dil_conv', attrs: { kernel: 3, dilation: 2 } },
  dil_conv_5x5: { op: 'dil_conv', attrs: { kernel: 5, dilation: 2 } },
};

/** Number of network paths of `layers` cells (the trellis from the stem at level 0). */
export function pathCount(layers: number): number {
  let ways = [1, 0, 0, 0];
  for (let l = 0; l < layers; l++) {
    const next = [0, 0, 0, 0];
    ways.forEach((w, s) => {
      for (const t of [s - 1, s, s + 1]) if (t >= 0 && t < LEVELS) next[t]! += w;
    });
    ways = next;
  }
  return ways.reduce((a, b) => a + b, 0);
}

function textError(problem: string): NasxError {
  return new NasxError('architecture', `autodeeplab architecture text: ${problem}`, {
    pkg: PKG,
    contribution: AUTODEEPLAB_SPACE,
    fix: `write the blocks separated by "|", each "opA~inputA+opB~inputB" with ops from ${ADL_OPS.slice(1).join(', ')}, then "@" and the path's rates joined by "-", e.g. "sep_conv_3x3~0+dil_conv_3x3~1|avg_pool_3x3~1+sep_conv_5x5~2@4-8-8-16"`,
  });
}

/** Parses the text form (see the file header); throws `NasxError('architecture')` naming the part. */
export function parseAutodeeplab(text: string): Architecture {
  const [cellText, pathText, ...rest] = text.trim().replace(/^adl:/, '').split('@');
  if (cellText === undefined || pathText === undefined || rest.length > 0) throw textError(`expected "<cell>@<path>", got "${text.trim()}"`);
  const cell = cellText.split('|').map((block, j) => {
    const pairs = block.trim().split('+');
    if (pairs.length !== 2) throw textError(`block ${j} "${block.trim()}" is not two "op~input" joined by "+"`);
    return pairs.flatMap((pair) => {
      const m = /^([a-z_0-9x]+)~(\d+)$/.exec(pair.trim());
      const op = m ? ADL_OPS.indexOf(m[1] as never) : -1;
      if (!m || op < 1) throw textError(`block ${j}: "${pair.trim()}" is not "op~input" with an op of ${ADL_OPS.slice(1).join(', ')}`);
      return [Number(m[2]), op];
    });
  });
  const path = pathText.split('-').map((r) => {
    const level = ADL_RATES.indexOf(Number(r.trim()) as never);
    if (level < 0) throw textError(`path rate "${r.trim()}" is not one of ${ADL_RATES.join(', ')}`);
    return level;
  });
  return adlArchitecture({ cell, path });
}

/** The text form (the key without its `adl:` prefix). */
export function formatAutodeeplab(arch: Architecture): string {
  return adlArchitecture(adlGenotype(arch)).key.slice('adl:'.length);
}

/** The space at B blocks and L layers (see the file header). */
export class AutodeeplabSearchSpace implements SearchSpace {
  readonly id = AUTODEEPLAB_SPACE;
  readonly blocks: number;
  readonly layers: number;
  /** Cells (unordered input pairs × 7² operations per block) × paths. A float above 2^53 for the paper's B = 5, L = 12. */
  readonly size: number;
  readonly encodingLength: number;
  private readonly decisionList: readonly { readonly name: string; readonly choices: readonly string[] }[];

  constructor(options: Partial<AutodeeplabOptions> = {}) {
    const o = withSchemaDefaults<AutodeeplabOptions>(autodeeplabSchema, options);
    this.blocks = o.blocks;
    this.layers = o.layers;
    let cells = 1;
    for (let j = 0; j < this.blocks; j++) cells *= (((j + 2) * (j + 1)) / 2) * OPS * OPS;
    this.size = cells * pathCount(this.layers);
    // Per block and pair: input one-hot over the B + 1 inputs any block may read, op one-hot; per layer: level one-hot.
    this.encodingLength = this.blocks * 2 * (this.blocks + 1 + OPS) + this.layers * LEVELS;
    const inputName = (i: number) => (i === 0 ? 'h[l-2]' : i === 1 ? 'h[l-1]' : `block${i - 2}`);
    const opNames = ADL_OPS.slice(1);
    this.decisionList = Object.freeze([
      ...Array.from({ length: this.blocks }, (_, j) => {
        const inputs = Array.from({ length: j + 2 }, (_, i) => inputName(i));
        return [
          { name: `b${j}.inputA`, choices: inputs },
          { name: `b${j}.opA`, choices: opNames },
          { name: `b${j}.inputB`, choices: inputs },
          { name: `b${j}.opB`, choices: opNames },
        ];
      }).flat(),
      ...Array.from({ length: this.layers }, (_, l) => ({ name: `layer${l}.rate`, choices: ADL_RATES.map(String) })),
    ]);
  }

  private check(arch: Architecture): AdlGenotype {
    const g = adlGenotype(arch);
    if (g.cell.length !== this.blocks || g.path.length !== this.layers) {
      throw new NasxError(
        'architecture',
        `architecture ${arch.key} has ${g.cell.length} blocks and ${g.path.length} layers; this autodeeplab space has ${this.blocks} and ${this.layers}`,
        {
          pkg: PKG,
          contribution: AUTODEEPLAB_SPACE,
          fix: `use architectures of this space, or set space options blocks: ${g.cell.length}, layers: ${g.path.length}`,
        },
      );
    }
    return g;
  }

  /** A block: two different inputs and two operations, uniform. */
  private sampleBlock(j: number, rng: Rng): [number, number, number, number] {
    const a = rng.int(j + 2);
    const b = (a + 1 + rng.int(j + 1)) % (j + 2);
    return [a, 1 + rng.int(OPS), b, 1 + rng.int(OPS)];
  }

  /** Each block uniform; the path uniform over all paths of the trellis (drawn backwards by path counts). */
  sample(rng: Rng): Architecture {
    const cell = Array.from({ length: this.blocks }, (_, j) => this.sampleBlock(j, rng));
    return adlArchitecture({ cell, path: this.samplePath(rng) });
  }

  private samplePath(rng: Rng): number[] {
    // ways[l][s]: paths of layers l..L−1 that start from level s at layer l − 1.
    const L = this.layers;
    const ways: number[][] = Array.from({ length: L + 1 }, () => [0, 0, 0, 0]);
    ways[L] = [1, 1, 1, 1];
    for (let l = L - 1; l >= 0; l--)
      for (let s = 0; s < LEVELS; s++) for (const t of [s - 1, s, s + 1]) if (t >= 0 && t < LEVELS) ways[l]![s]! += ways[l + 1]![t]!;
    const path: number[] = [];
    let s = 0;
    for (let l = 0; l < L; l++) {
      const next = [s - 1, s, s + 1].filter((t) => t >= 0 && t < LEVELS);
      let r = rng.next() * next.reduce((n, t) => n + ways[l + 1]![t]!, 0);
      let pick = next[next.length - 1]!;
      for (const t of next) {
        r -= ways[l + 1]![t]!;
        if (r < 0) {
          pick = t;
          break;
        }
      }
      path.push(pick);
      s = pick;
    }
    return path;
  }

  /** Half the time one operation or input of one block, else one layer's level (to another valid one; the cell if none is). */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const g = this.check(arch);
    const cell = g.cell.map((b) => [...b]);
    const path = [...g.path];
    const valid = (l: number, t: number) => (l === 0 ? t <= 1 : Math.abs(t - path[l - 1]!) <= 1) && (l === path.length - 1 || Math.abs(path[l + 1]! - t) <= 1);
    if (rng.next() < 0.5) {
      const options = path.flatMap((s, l) => [0, 1, 2, 3].filter((t) => t !== s && valid(l, t)).map((t) => [l, t] as const));
      if (options.length > 0) {
        const [l, t] = options[rng.int(options.length)]!;
        path[l] = t;
        return adlArchitecture({ cell, path });
      }
    }
    const j = rng.int(this.blocks);
    const side = rng.int(2) * 2;
    const block = cell[j]!;
    if (rng.next() < 0.5 || j + 2 <= 2) {
      block[side + 1] = ((block[side + 1]! - 1 + 1 + rng.int(OPS - 1)) % OPS) + 1;
    } else {
      const other = block[2 - side]!;
      const free = Array.from({ length: j + 2 }, (_, i) => i).filter((i) => i !== other && i !== block[side]);
      if (free.length === 0) block[side + 1] = ((block[side + 1]! - 1 + 1 + rng.int(OPS - 1)) % OPS) + 1;
      else block[side] = free[rng.int(free.length)]!;
    }
    return adlArchitecture({ cell, path });
  }

  /** One block from one parent or the other per block, the path from either parent. */
  crossover(a: Architecture, b: Architecture, rng: Rng): Architecture {
    const x = this.check(a);
    const y = this.check(b);
    return adlArchitecture({ cell: x.cell.map((block, j) => (rng.next() < 0.5 ? block : y.cell[j]!)), path: rng.next() < 0.5 ? x.path : y.path });
  }

  encode(arch: Architecture): Float32Array {
    const g = this.check(arch);
    const v = new Float32Array(this.encodingLength);
    let o = 0;
    for (const b of g.cell) {
      for (const side of [0, 2]) {
        v[o + b[side]!] = 1;
        v[o + this.blocks + 1 + b[side + 1]! - 1] = 1;
        o += this.blocks + 1 + OPS;
      }
    }
    for (const s of g.path) {
      v[o + s] = 1;
      o += LEVELS;
    }
    return v;
  }

  /** The cell's op-level DAG (inputs h[l−2] and h[l−1], one node per operation, a sum per block, the concat); the path in `meta`. */
  toGraph(arch: Architecture): ArchGraph {
    const g = this.check(arch);
    const nodes: ArchGraphNode[] = [
      { id: 'in0', op: 'input', attrs: { role: 'h[l-2]' } },
      { id: 'in1', op: 'input', attrs: { role: 'h[l-1]' } },
    ];
    const edges: ArchGraphEdge[] = [];
    const nodeId = (i: number) => (i < 2 ? `in${i}` : `b${i - 2}`);
    g.cell.forEach((b, j) => {
      for (const side of [0, 2]) {
        const name = ADL_OPS[b[side + 1]!]!;
        const id = `b${j}.${side / 2}`;
        nodes.push({ id, op: GRAPH_OPS[name]!.op, attrs: { ...GRAPH_OPS[name]!.attrs } });
        edges.push({ from: nodeId(b[side]!), to: id });
      }
      nodes.push({ id: `b${j}`, op: 'add' });
      edges.push({ from: `b${j}.0`, to: `b${j}` }, { from: `b${j}.1`, to: `b${j}` });
    });
    nodes.push({ id: 'concat', op: 'concat' }, { id: 'out', op: 'output' });
    g.cell.forEach((_, j) => edges.push({ from: `b${j}`, to: 'concat', slot: j }));
    edges.push({ from: 'concat', to: 'out' });
    return {
      space: AUTODEEPLAB_SPACE,
      level: 'cell',
      nodes,
      edges,
      meta: { path: g.path.map((s) => ADL_RATES[s]!), blocks: this.blocks, layers: this.layers },
    };
  }

  parse(text: string): Architecture {
    const arch = parseAutodeeplab(text);
    this.check(arch);
    return arch;
  }

  format(arch: Architecture): string {
    this.check(arch);
    return formatAutodeeplab(arch);
  }

  validate(arch: Architecture): Architecture {
    const g = this.check(arch);
    return adlArchitecture(g);
  }

  decisions(): readonly { readonly name: string; readonly choices: readonly string[] }[] {
    return this.decisionList;
  }

  /** Per block inputA, opA, inputB, opB (ops indexed from 0 over the 7 real operations), then each layer's level. */
  fromDecisions(choices: readonly number[]): Architecture {
    if (choices.length !== this.decisionList.length) {
      throw new NasxError('architecture', `autodeeplab takes ${this.decisionList.length} decisions (4 per block, 1 per layer), got ${choices.length}`, {
        pkg: PKG,
        contribution: AUTODEEPLAB_SPACE,
        fix: 'pass one choice index per entry of decisions()',
      });
    }
    const cell = Array.from({ length: this.blocks }, (_, j) => {
      const [ia, oa, ib, ob] = choices.slice(4 * j, 4 * j + 4) as [number, number, number, number];
      return [ia, oa + 1, ib, ob + 1];
    });
    return adlArchitecture({ cell, path: choices.slice(4 * this.blocks) });
  }

  toDecisions(arch: Architecture): number[] {
    const g = this.check(arch);
    return [...g.cell.flatMap((b) => [b[0], b[1] - 1, b[2], b[3] - 1]), ...g.path];
  }
}

/** A configured Auto-DeepLab space. */
export function createAutodeeplabSearchSpace(options: Partial<AutodeeplabOptions> = {}): AutodeeplabSearchSpace {
  return new AutodeeplabSearchSpace(options);
}

/** The `autodeeplab` contribution. */
export const autodeeplabSearchSpace = defineSearchSpace<AutodeeplabOptions>({
  id: AUTODEEPLAB_SPACE,
  title: 'Auto-DeepLab hierarchical space',
  description:
    "Auto-DeepLab's space (Liu et al., CVPR 2019): a cell of B blocks, each two of 7 operations (separable and atrous 3x3/5x5 convolutions, average and max pooling, skip) on two earlier nodes, and a path of L cells over down-sampling rates 4, 8, 16, 32; dense (segmentation or per-pixel regression) networks.",
  optionsSchema: autodeeplabSchema,
  create: (options) => createAutodeeplabSearchSpace(options),
});
