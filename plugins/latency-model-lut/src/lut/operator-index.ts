import { operatorKey, type ArchGraphNode, type Json, type NetworkOpAttrs } from '@nasx/contracts';

/**
 * The fields of an operator key (see `operatorKey`), parsed once so a lookup compares numbers
 * instead of building and hashing a string per node: building the key string of each node of a
 * 20-node network and looking it up took ≈ 8 µs per network, too slow for 100,000 predictions/s.
 */
interface Fields {
  readonly op: string;
  readonly input: readonly number[];
  readonly cout?: number;
  readonly kernel?: number;
  readonly stride?: number;
  readonly expansion?: number;
  readonly groups?: number;
  readonly se?: number;
  readonly skip?: string;
  readonly activation?: string;
}

/**
 * One operator of the index. A class, so every entry has one hidden class: entries spread from
 * field objects of varying shapes made the comparisons in `findNode` megamorphic, ≈ 1.5 µs a node.
 */
class Entry implements Fields {
  readonly op: string;
  readonly input: readonly number[];
  readonly cout: number | undefined;
  readonly kernel: number | undefined;
  readonly stride: number | undefined;
  readonly expansion: number | undefined;
  readonly groups: number | undefined;
  readonly se: number | undefined;
  readonly skip: string | undefined;
  readonly activation: string | undefined;

  constructor(
    f: Fields,
    readonly key: string,
    readonly ms: number,
  ) {
    this.op = f.op;
    this.input = [...f.input];
    this.cout = f.cout;
    this.kernel = f.kernel;
    this.stride = f.stride;
    this.expansion = f.expansion;
    this.groups = f.groups;
    this.se = f.se;
    this.skip = f.skip;
    this.activation = f.activation;
  }
}

/** Ops whose key always carries an activation (`operatorKey` defaults it to relu). */
const ACTIVATED = new Set(['conv', 'sep_conv', 'mbconv']);
const activated = (op: string): boolean => op === 'mbconv' || op === 'conv' || op === 'sep_conv';

// Hashes stay below 2^30, small integers that V8 keeps unboxed: a 32-bit FNV hash allocated a
// heap number per step, and the garbage collector took as long as the lookups. Strings (op,
// skip, activation) hash by length and end characters only: a bucket compares every field anyway.
function stringHash(s: string): number {
  return s.length === 0 ? 1 : s.length * 8191 + s.charCodeAt(0) * 131 + s.charCodeAt(s.length - 1);
}

function mix(h: number, v: number | undefined): number {
  // Undefined and every number hash differently; fractions (e = 0.25) by their thousandths.
  return (h * 31 + (v === undefined ? 7919 : (v * 1000) | 0)) & 0x3fffffff;
}

function hashOf(f: Fields): number {
  let h = stringHash(f.op);
  for (const d of f.input) h = mix(h, d);
  h = mix(h, f.cout);
  h = mix(h, f.kernel);
  h = mix(h, f.stride);
  h = mix(h, f.expansion);
  h = mix(h, f.groups);
  h = mix(h, f.se);
  h = mix(h, f.skip === undefined ? undefined : stringHash(f.skip));
  h = mix(h, f.activation === undefined ? undefined : stringHash(f.activation));
  return h;
}

function sameFields(a: Fields, b: Fields): boolean {
  if (a.op !== b.op || a.input.length !== b.input.length) return false;
  for (let i = 0; i < a.input.length; i++) if (a.input[i] !== b.input[i]) return false;
  return (
    a.cout === b.cout &&
    a.kernel === b.kernel &&
    a.stride === b.stride &&
    a.expansion === b.expansion &&
    a.groups === b.groups &&
    a.se === b.se &&
    a.skip === b.skip &&
    a.activation === b.activation
  );
}

/**
 * The key fields of a graph node, normalised: groups 1 is no groups, activation relu by default (as
 * `operatorKey` writes them), and no SE / no skip equal `se=0` / `skip=none`, so a table keyed
 * `conv … se=0 skip=none` serves a graph whose conv leaves them out, and the other way round.
 */
export function fieldsOfNode(node: Pick<ArchGraphNode, 'op' | 'attrs'>): Fields | undefined {
  const a = (node.attrs ?? {}) as Partial<NetworkOpAttrs>;
  if (!Array.isArray(a.input)) return undefined;
  return {
    op: node.op,
    input: a.input,
    cout: a.cout,
    kernel: a.kernel,
    stride: a.stride,
    expansion: a.expansion,
    groups: a.groups === 1 ? undefined : a.groups,
    se: a.se ?? 0,
    skip: a.skip ?? 'none',
    activation: a.activation !== undefined || ACTIVATED.has(node.op) ? (a.activation ?? 'relu') : undefined,
  };
}

const NUMERIC: Record<string, keyof Fields> = { out: 'cout', k: 'kernel', s: 'stride', e: 'expansion', g: 'groups', se: 'se' };

/** Parses a key written by `operatorKey` back into its fields; undefined when it is not one. */
export function fieldsOfKey(key: string): Fields | undefined {
  const [op, ...parts] = key.split(' ');
  if (!op) return undefined;
  const f: Record<string, Json> = { op };
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq <= 0) return undefined;
    const name = p.slice(0, eq);
    const value = p.slice(eq + 1);
    if (name === 'in') {
      const dims = value.split('x').map(Number);
      if (dims.some((d) => !Number.isFinite(d))) return undefined;
      f['input'] = dims;
    } else if (name === 'skip') f['skip'] = value;
    else if (name === 'act') f['activation'] = value;
    else if (NUMERIC[name]) {
      const n = Number(value);
      if (!Number.isFinite(n)) return undefined;
      f[NUMERIC[name]] = n;
    } else return undefined;
  }
  if (!Array.isArray(f['input'])) return undefined;
  const fields = f as unknown as Fields;
  // Round trip: only keys exactly as operatorKey writes them (a hand-edited key would never match).
  if (operatorKey({ op: fields.op, attrs: f as never }) !== key) return undefined;
  return { ...fields, se: fields.se ?? 0, skip: fields.skip ?? 'none' };
}

/** Operator latencies by key, looked up by a node's attributes without building its key. */
export class OperatorIndex {
  private readonly buckets = new Map<number, Entry[]>();
  private count = 0;

  /**
   * Adds (or replaces) the latency of an operator given by its `operatorKey` string, or by the node
   * the key was built from. False if the key cannot be parsed.
   */
  set(key: string, ms: number, node?: Pick<ArchGraphNode, 'op' | 'attrs'>): boolean {
    const fields = node ? fieldsOfNode(node) : fieldsOfKey(key);
    if (!fields) return false;
    const h = hashOf(fields);
    const bucket = this.buckets.get(h);
    const entry = new Entry(fields, key, ms);
    if (!bucket) {
      this.buckets.set(h, [entry]);
      this.count++;
      return true;
    }
    const at = bucket.findIndex((e) => e.key === key);
    if (at >= 0) bucket[at] = entry;
    else {
      bucket.push(entry);
      this.count++;
    }
    return true;
  }

  get size(): number {
    return this.count;
  }

  /**
   * The latency of a graph node's operator, or undefined: the same as `find(fieldsOfNode(node))`,
   * without allocating (this runs once per node of every network priced).
   */
  findNode(op: string, attrs: Partial<NetworkOpAttrs> | undefined): number | undefined {
    if (!attrs) return undefined;
    const input = attrs.input;
    if (!Array.isArray(input)) return undefined;
    const groups = attrs.groups === 1 ? undefined : attrs.groups;
    const se = attrs.se ?? 0;
    const skip = attrs.skip ?? 'none';
    const activation = attrs.activation !== undefined || activated(op) ? (attrs.activation ?? 'relu') : undefined;
    let h = stringHash(op);
    for (let i = 0; i < input.length; i++) h = mix(h, input[i]);
    h = mix(h, attrs.cout);
    h = mix(h, attrs.kernel);
    h = mix(h, attrs.stride);
    h = mix(h, attrs.expansion);
    h = mix(h, groups);
    h = mix(h, se);
    h = mix(h, stringHash(skip));
    h = mix(h, activation === undefined ? undefined : stringHash(activation));
    const bucket = this.buckets.get(h);
    if (!bucket) return undefined;
    for (let b = 0; b < bucket.length; b++) {
      const e = bucket[b]!;
      if (
        e.op === op &&
        e.cout === attrs.cout &&
        e.kernel === attrs.kernel &&
        e.stride === attrs.stride &&
        e.expansion === attrs.expansion &&
        e.groups === groups &&
        e.se === se &&
        e.skip === skip &&
        e.activation === activation &&
        e.input.length === input.length
      ) {
        let same = true;
        for (let i = 0; i < input.length && same; i++) same = e.input[i] === input[i];
        if (same) return e.ms;
      }
    }
    return undefined;
  }

  /** The latency of the operator with these fields, or undefined. */
  find(fields: Fields): number | undefined {
    const bucket = this.buckets.get(hashOf(fields));
    if (!bucket) return undefined;
    for (const e of bucket) if (sameFields(e, fields)) return e.ms;
    return undefined;
  }

  /** Every key with its latency. */
  *entries(): IterableIterator<[string, number]> {
    for (const bucket of this.buckets.values()) for (const e of bucket) yield [e.key, e.ms];
  }
}
