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

interface Entry extends Fields {
  readonly key: string;
  readonly ms: number;
}

/** Ops whose key always carries an activation (`operatorKey` defaults it to relu). */
const ACTIVATED = new Set(['conv', 'sep_conv', 'mbconv']);

function stringHash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h;
}

const opHashes = new Map<string, number>();
function cachedHash(s: string): number {
  let h = opHashes.get(s);
  if (h === undefined) {
    h = stringHash(s);
    if (opHashes.size < 10_000) opHashes.set(s, h);
  }
  return h;
}

function mix(h: number, v: number | undefined): number {
  // Undefined and every number hash differently; fractions (e = 0.25) by their thousandths.
  return Math.imul(h ^ (v === undefined ? 0x9e3779b9 : Math.round(v * 1000) | 0), 16777619);
}

function hashOf(f: Fields): number {
  let h = cachedHash(f.op);
  for (const d of f.input) h = mix(h, d);
  h = mix(h, f.cout);
  h = mix(h, f.kernel);
  h = mix(h, f.stride);
  h = mix(h, f.expansion);
  h = mix(h, f.groups);
  h = mix(h, f.se);
  h = mix(h, f.skip === undefined ? undefined : cachedHash(f.skip));
  h = mix(h, f.activation === undefined ? undefined : cachedHash(f.activation));
  // A small integer: V8 keeps it unboxed as a Map key.
  return h & 0x3fffffff;
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
    const entry: Entry = { ...fields, key, ms };
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
