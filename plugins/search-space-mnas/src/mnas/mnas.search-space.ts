/**
 * MnasNet's factorised hierarchical search space (Tan et al., "MnasNet: Platform-Aware Neural
 * Architecture Search for Mobile", CVPR 2019, Fig. 4 and Sec. 4) as a nasx search space. The
 * skeleton, filter rounding and the network-level graph live in `@nasx/tensor` (`mnas.network.ts`),
 * which builds the networks; this file samples, mutates, encodes and writes genotypes over it.
 *
 * Genotype: `{ blocks: number[7][6] }`, per block the choice indices of ConvOp, kernel, SE ratio,
 * SkipOp, filter multiplier and layers offset (in `MNAS_DECISIONS` order, into `MNAS_CHOICES`).
 */
import { defineSearchSpace, NasxError, withSchemaDefaults } from '@nasx/contracts';
import type { ArchGraph, ArchGraphNode, Architecture, Json, Rng, SearchSpace } from '@nasx/contracts';
import {
  MNAS_BLOCKS,
  MNAS_CHOICES,
  MNAS_DECISIONS,
  MNAS_SPACE,
  mnasBlocks,
  mnasBlocksOf,
  mnasGraph,
  mnasKey,
  mnasOperators,
  resolveMnasBlocks,
  type MnasDecision,
} from '@nasx/tensor';
import { mnasSchema, type MnasOptions } from './mnas.schema';

export type { MnasOptions } from './mnas.schema';

const PKG = '@nasx/search-space-mnas';

/** Choices per block decision (4, 2, 2, 2, 3, 3). */
const COUNTS = MNAS_DECISIONS.map((d) => MNAS_CHOICES[d].length);

/** Genotypes per block: 4 · 2 · 2 · 2 · 3 · 3 = 288. */
export const MNAS_BLOCK_SIZE = COUNTS.reduce((a, b) => a * b, 1);

/** Length of {@link SearchSpace.encode}'s vector: one-hot of each of the 6 decisions of the 7 blocks (112). */
export const MNAS_ENCODING_LENGTH = MNAS_BLOCKS.length * COUNTS.reduce((a, b) => a + b, 0);

/** Text of one choice, as in the text form and `decisions()`. */
function choiceText(decision: MnasDecision, index: number): string {
  const v = MNAS_CHOICES[decision][index]!;
  switch (decision) {
    case 'op':
      return String(v);
    case 'kernel':
      return `k${v}`;
    case 'se':
      return `se${v}`;
    case 'skip':
      return v === 'identity' ? 'id' : 'noskip';
    case 'multiplier':
      return `x${(v as number).toFixed((v as number) === 1 ? 1 : 2)}`;
    case 'layers':
      return `l${(v as number) < 0 ? v : `+${v}`}`;
  }
}

/** MnasNet-A1 (Tan et al. 2019, Fig. 7) in the text form: the paper's searched mobile model. */
export const MNAS_A1 = [
  'sep_conv k3 se0 noskip x1.0 l+0',
  'mbconv6 k3 se0 id x1.0 l+0',
  'mbconv3 k5 se0.25 id x1.0 l+0',
  'mbconv6 k3 se0 id x1.0 l+0',
  'mbconv6 k3 se0.25 id x1.0 l+0',
  'mbconv6 k5 se0.25 id x1.0 l+0',
  'mbconv6 k3 se0 noskip x1.0 l+0',
].join(' | ');

const FIX_TEXT = `write 7 blocks separated by "|", each 6 words: ${MNAS_DECISIONS.map((d) => `${d} (${MNAS_CHOICES[d].map((_, i) => choiceText(d, i)).join('/')})`).join(', ')}; e.g. "${MNAS_A1}"`;

function textError(problem: string): NasxError {
  return new NasxError('architecture', `mnas architecture text: ${problem}`, { pkg: PKG, contribution: MNAS_SPACE, fix: FIX_TEXT });
}

/** An `mnas` architecture (frozen, canonically keyed) from 7 × 6 choice indices (checked). */
export function mnasArchitecture(blocks: readonly (readonly number[])[]): Architecture {
  const checked = mnasBlocksOf({ blocks: blocks.map((b) => [...b]) } as Json);
  const genotype = Object.freeze({ blocks: Object.freeze(checked.map((b) => Object.freeze(b))) });
  return Object.freeze({ space: MNAS_SPACE, genotype: genotype as unknown as Json, key: `mnas:${mnasKey(resolveMnasBlocks(checked))}` });
}

/** Parses the text form (see {@link formatMnas}); throws `NasxError('architecture')` naming the block and word. */
export function parseMnas(text: string): Architecture {
  const parts = text.trim().split('|');
  if (parts.length !== MNAS_BLOCKS.length) throw textError(`expected ${MNAS_BLOCKS.length} blocks separated by "|", found ${parts.length}`);
  const blocks = parts.map((part, b) => {
    const words = part.trim().split(/\s+/);
    if (words.length !== MNAS_DECISIONS.length) throw textError(`block ${b + 1} "${part.trim()}" has ${words.length} words, expected ${MNAS_DECISIONS.length}`);
    return MNAS_DECISIONS.map((d, j) => {
      const i = MNAS_CHOICES[d].findIndex((_, c) => choiceText(d, c) === words[j]);
      if (i < 0) {
        throw textError(`block ${b + 1}, ${d}: "${words[j]}" is not one of ${MNAS_CHOICES[d].map((_, c) => choiceText(d, c)).join(', ')}`);
      }
      return i;
    });
  });
  return mnasArchitecture(blocks);
}

/** The text form: per block `op kernel se skip multiplier layers`, blocks joined by ` | ` (see {@link MNAS_A1}). */
export function formatMnas(arch: Architecture): string {
  return mnasBlocks(arch)
    .map((b) => b.map((c, j) => choiceText(MNAS_DECISIONS[j]!, c)).join(' '))
    .join(' | ');
}

/**
 * The MnasNet space. `inputShape` and `numClasses` (options) give the graphs and operators their
 * concrete shapes; genotypes, keys and encodings do not depend on them.
 */
export class MnasSearchSpace implements SearchSpace {
  readonly id = MNAS_SPACE;
  /** 288^7 ≈ 1.6 × 10^17 genotypes (a float: above 2^53). Fewer distinct networks: see `key`. */
  readonly size = MNAS_BLOCK_SIZE ** MNAS_BLOCKS.length;
  readonly encodingLength = MNAS_ENCODING_LENGTH;
  readonly inputShape: readonly [number, number, number];
  readonly numClasses: number;
  private operatorList?: readonly ArchGraphNode[];
  private readonly decisionList = Object.freeze(
    MNAS_BLOCKS.flatMap((_, b) =>
      MNAS_DECISIONS.map((d) => Object.freeze({ name: `b${b + 1}.${d}`, choices: Object.freeze(MNAS_CHOICES[d].map((_c, i) => choiceText(d, i))) })),
    ),
  );

  constructor(options: Partial<MnasOptions> = {}) {
    const o = withSchemaDefaults<MnasOptions>(mnasSchema, options);
    this.inputShape = [...o.inputShape] as [number, number, number];
    this.numClasses = o.numClasses;
    // Fail at creation, not at the first graph, for shapes the skeleton cannot take.
    mnasGraph(resolveDefault(), this.inputShape, this.numClasses);
  }

  /** Each decision of each block uniform and independent. */
  sample(rng: Rng): Architecture {
    return mnasArchitecture(MNAS_BLOCKS.map(() => COUNTS.map((n) => rng.int(n))));
  }

  /** One decision of one block (uniform over the 42) set to a uniformly chosen different choice. */
  mutate(arch: Architecture, rng: Rng): Architecture {
    const blocks = mnasBlocks(arch);
    const b = rng.int(MNAS_BLOCKS.length);
    const d = rng.int(MNAS_DECISIONS.length);
    const n = COUNTS[d]!;
    blocks[b]![d] = (blocks[b]![d]! + 1 + rng.int(n - 1)) % n;
    return mnasArchitecture(blocks);
  }

  /** Every one-decision change: 7 · (3 + 1 + 1 + 1 + 2 + 2) = 70 genotypes (some may share a key with the parent). */
  neighbours(arch: Architecture): Architecture[] {
    const blocks = mnasBlocks(arch);
    const out: Architecture[] = [];
    blocks.forEach((block, b) =>
      block.forEach((c, d) => {
        for (let v = 0; v < COUNTS[d]!; v++) {
          if (v === c) continue;
          const next = blocks.map((x) => [...x]);
          next[b]![d] = v;
          out.push(mnasArchitecture(next));
        }
      }),
    );
    return out;
  }

  /** Per block: all 6 decisions of a block from one parent or the other, with probability 1/2 each. */
  crossover(a: Architecture, b: Architecture, rng: Rng): Architecture {
    const x = mnasBlocks(a);
    const y = mnasBlocks(b);
    return mnasArchitecture(x.map((block, i) => (rng.next() < 0.5 ? block : y[i]!)));
  }

  /** One-hot of each decision, block-major then decision order: 16 entries per block. */
  encode(arch: Architecture): Float32Array {
    const v = new Float32Array(MNAS_ENCODING_LENGTH);
    let offset = 0;
    for (const block of mnasBlocks(arch)) {
      block.forEach((c, d) => {
        v[offset + c] = 1;
        offset += COUNTS[d]!;
      });
    }
    return v;
  }

  /** The network-level graph at the configured input shape and classes (see `mnasGraph` in `@nasx/tensor`). */
  toGraph(arch: Architecture): ArchGraph {
    return mnasGraph(mnasBlocks(arch), this.inputShape, this.numClasses);
  }

  parse(text: string): Architecture {
    return parseMnas(text);
  }

  format(arch: Architecture): string {
    return formatMnas(this.validate(arch));
  }

  validate(arch: Architecture): Architecture {
    if (arch.space !== MNAS_SPACE) {
      throw new NasxError('architecture', `architecture ${arch.key} belongs to space "${arch.space}", not "${MNAS_SPACE}"`, {
        pkg: PKG,
        contribution: MNAS_SPACE,
        fix: `use architectures made by the mnas space (sample, parse "${MNAS_A1.split(' | ')[0]} | …")`,
      });
    }
    return mnasArchitecture(mnasBlocks(arch));
  }

  decisions(): readonly { readonly name: string; readonly choices: readonly string[] }[] {
    return this.decisionList;
  }

  fromDecisions(choices: readonly number[]): Architecture {
    if (choices.length !== this.decisionList.length) {
      throw new NasxError('architecture', `mnas takes ${this.decisionList.length} decisions (7 blocks × 6), got ${choices.length}`, {
        pkg: PKG,
        contribution: MNAS_SPACE,
        fix: 'pass one choice index per entry of decisions()',
      });
    }
    return mnasArchitecture(MNAS_BLOCKS.map((_, b) => choices.slice(b * MNAS_DECISIONS.length, (b + 1) * MNAS_DECISIONS.length)));
  }

  toDecisions(arch: Architecture): number[] {
    return mnasBlocks(arch).flat();
  }

  /** Every distinct op node of any network of the space at the configured shapes (computed once). */
  operators(): readonly ArchGraphNode[] {
    this.operatorList ??= Object.freeze(mnasOperators(this.inputShape, this.numClasses));
    return this.operatorList;
  }
}

/** Choice indices of the MnasNet-A1-like all-MBConv6 default (used to check shapes at creation). */
function resolveDefault(): number[][] {
  return MNAS_BLOCKS.map(() => [3, 0, 0, 1, 1, 1]);
}

/** A configured MnasNet space. */
export function createMnasSearchSpace(options: Partial<MnasOptions> = {}): MnasSearchSpace {
  return new MnasSearchSpace(options);
}

/** The `mnas` contribution. */
export const mnasSearchSpace = defineSearchSpace<MnasOptions>({
  id: MNAS_SPACE,
  title: 'MnasNet factorised hierarchical space',
  description:
    "MnasNet's space (Tan et al., CVPR 2019): 7 blocks, each with its own ConvOp (conv, sep_conv, MBConv3, MBConv6), kernel 3/5, SE 0/0.25, skip none/identity, filter multiplier 0.75/1.0/1.25 and layers offset -1/0/+1; network-level graphs with concrete shapes.",
  optionsSchema: mnasSchema,
  create: (options) => createMnasSearchSpace(options),
});
