import type { ArchGraph, ArchGraphNode, Json } from '@nasx/contracts';
import { predictorError } from '../predictor-error';

/** The token of operations a vocabulary has not seen (index 0 of every vocabulary). */
export const UNKNOWN_OP_TOKEN = '<unk>';

/**
 * Attributes that change what an op computes, with the short prefix used in tokens and the value
 * that is left out (the common case). Channels, shapes, `bn`, `activation` and `order` are not part
 * of a token: channels scale an op rather than change its type (the FLOPs/params features carry
 * size), and the others are the same for every node of one space.
 */
const TOKEN_ATTRS: readonly { readonly attr: string; readonly prefix: string; readonly omit?: Json }[] = [
  { attr: 'kernel', prefix: 'k' },
  { attr: 'stride', prefix: 's', omit: 1 },
  { attr: 'dilation', prefix: 'd', omit: 1 },
  { attr: 'groups', prefix: 'g', omit: 1 },
  { attr: 'expansion', prefix: 'e' },
];

function attrText(v: Json): string | undefined {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v.every((x) => x === v[0]) ? String(v[0]) : v.join('x');
  return undefined;
}

/**
 * The vocabulary token of a node: its op plus the attributes that change the computation, e.g.
 * `conv:k3`, `conv:k1`, `max_pool:k3`, `conv:k3:s2`, `mbconv:k5:e6`, `zero`, `add`, `input`.
 * A square kernel `[3, 3]` is written `k3`, a rectangular one `k1x7`.
 */
export function opToken(node: Pick<ArchGraphNode, 'op' | 'attrs'>): string {
  let token = node.op;
  for (const { attr, prefix, omit } of TOKEN_ATTRS) {
    const v = node.attrs?.[attr];
    if (v === undefined || v === null || v === omit || (Array.isArray(v) && v.every((x) => x === omit))) continue;
    const text = attrText(v);
    if (text !== undefined) token += `:${prefix}${text}`;
  }
  return token;
}

/**
 * An op vocabulary: the tokens of the graphs a predictor was fitted on, sorted, after the
 * {@link UNKNOWN_OP_TOKEN} bucket at index 0 where every other token falls. Sorting makes the
 * indices (and so the one-hot columns and ReNAS type codes) independent of the training order.
 *
 * @example
 * const vocab = OpVocabulary.fromGraphs(train.map((a) => space.toGraph(a)));
 * vocab.indexOf({ op: 'conv', attrs: { kernel: 3 } }); // the column of `conv:k3`
 */
export class OpVocabulary {
  private readonly index: ReadonlyMap<string, number>;

  private constructor(readonly tokens: readonly string[]) {
    this.index = new Map(tokens.map((t, i) => [t, i]));
  }

  /** The tokens of every node of `graphs`. */
  static fromGraphs(graphs: readonly ArchGraph[]): OpVocabulary {
    const seen = new Set<string>();
    for (const g of graphs) for (const n of g.nodes) seen.add(opToken(n));
    seen.delete(UNKNOWN_OP_TOKEN);
    return new OpVocabulary([UNKNOWN_OP_TOKEN, ...[...seen].sort()]);
  }

  /** A vocabulary from its saved form ({@link toJSON}). */
  static fromJSON(tokens: Json): OpVocabulary {
    if (!Array.isArray(tokens) || tokens[0] !== UNKNOWN_OP_TOKEN || !tokens.every((t) => typeof t === 'string') || new Set(tokens).size !== tokens.length) {
      throw predictorError(
        'data',
        `a saved op vocabulary must be a list of distinct strings starting with "${UNKNOWN_OP_TOKEN}"`,
        'delete the saved predictor state so that it is fitted again',
      );
    }
    return new OpVocabulary(tokens as string[]);
  }

  /** Number of tokens, the unknown bucket included (the width of a one-hot row). */
  get size(): number {
    return this.tokens.length;
  }

  /** Index of a node's token (or of a token), 0 when unknown. */
  indexOf(nodeOrToken: Pick<ArchGraphNode, 'op' | 'attrs'> | string): number {
    return this.index.get(typeof nodeOrToken === 'string' ? nodeOrToken : opToken(nodeOrToken)) ?? 0;
  }

  /** The saved form: the token list. */
  toJSON(): string[] {
    return [...this.tokens];
  }
}
