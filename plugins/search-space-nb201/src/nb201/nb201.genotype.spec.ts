import { isNasxError, NasxError } from '@nasx/contracts';
import {
  formatNb201,
  NB201_EXAMPLE,
  NB201_OPS,
  NB201_SIZE,
  NB201_UNIQUE_SIZE,
  nb201Canonical,
  nb201Code,
  nb201FromCode,
  nb201Key,
  nb201UniqueStr,
  parseNb201,
} from './nb201.genotype';

const [NONE, SKIP, C1, C3, POOL] = [0, 1, 2, 3, 4];

/** The error `fn` throws (fails the test if it does not throw a NasxError). */
function errorOf(fn: () => unknown): NasxError {
  try {
    fn();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

describe('nb201Code / nb201FromCode', () => {
  it('is Σ ops[i]·5^i and inverts over all 15,625 codes', () => {
    expect(nb201Code([0, 0, 0, 0, 0, 0])).toBe(0);
    expect(nb201Code([1, 0, 0, 0, 0, 0])).toBe(1);
    expect(nb201Code([0, 1, 0, 0, 0, 0])).toBe(5);
    expect(nb201Code([4, 4, 4, 4, 4, 4])).toBe(15_624);
    expect(nb201Code([3, 2, 1, 0, 4, 1])).toBe(3 + 2 * 5 + 1 * 25 + 0 * 125 + 4 * 625 + 1 * 3125);
    const bad: number[] = [];
    for (let code = 0; code < NB201_SIZE; code++) if (nb201Code(nb201FromCode(code)) !== code) bad.push(code);
    expect(bad).toEqual([]);
  });

  it('rejects bad genotypes and codes with an architecture error', () => {
    expect(errorOf(() => nb201Code([0, 0, 0, 0, 0])).message).toMatch(/6 entries/);
    expect(errorOf(() => nb201Code([0, 0, 0, 5, 0, 0])).message).toMatch(/edge 4 of 6 \(node 3 ← node 0\) has op index 5/);
    expect(errorOf(() => nb201Code([0, 0, 1.5, 0, 0, 0])).kind).toBe('architecture');
    expect(errorOf(() => nb201FromCode(15_625)).message).toMatch(/0\.\.15624/);
  });
});

describe('parseNb201 / formatNb201', () => {
  it('formats in the official edge order', () => {
    expect(formatNb201([C3, C3, C3, SKIP, C3, C1])).toBe(NB201_EXAMPLE);
    expect(parseNb201(NB201_EXAMPLE)).toEqual([C3, C3, C3, SKIP, C3, C1]);
    expect(formatNb201([NONE, SKIP, C1, C3, POOL, NONE])).toBe('|none~0|+|skip_connect~0|nor_conv_1x1~1|+|nor_conv_3x3~0|avg_pool_3x3~1|none~2|');
  });

  it('round-trips all 15,625 cells', () => {
    const bad: string[] = [];
    const texts = new Set<string>();
    for (let code = 0; code < NB201_SIZE; code++) {
      const text = formatNb201(nb201FromCode(code));
      texts.add(text);
      if (nb201Code(parseNb201(text)) !== code || formatNb201(parseNb201(text)) !== text) bad.push(text);
    }
    expect(bad).toEqual([]);
    expect(texts.size).toBe(NB201_SIZE);
  });

  it('ignores surrounding whitespace only', () => {
    expect(parseNb201(`  ${NB201_EXAMPLE}\n`)).toEqual([C3, C3, C3, SKIP, C3, C1]);
  });

  it('names an unknown op and its edge, and lists the valid ops with an example in the fix', () => {
    const e = errorOf(() => parseNb201('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|conv_5x5~0|nor_conv_3x3~1|nor_conv_1x1~2|'));
    expect(e.kind).toBe('architecture');
    expect(e.message).toContain('unknown op "conv_5x5"');
    expect(e.message).toContain('edge 4 of 6 (node 3 ← node 0)');
    for (const op of NB201_OPS) expect(e.fix).toContain(op);
    expect(e.fix).toContain(NB201_EXAMPLE);
    expect(e.where.pkg).toBe('@nasx/search-space-nb201');
    expect(e.where.contribution).toBe('nb201');
  });

  it('reports a missing edge with the node and the expected layout', () => {
    const e = errorOf(() => parseNb201('|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'));
    expect(e.message).toContain('node 2 "|nor_conv_3x3~0|" has 1 edge, expected 2 (|op~0|op~1|)');
    expect(e.fix).toContain('|op~0|+|op~0|op~1|+|op~0|op~1|op~2|');
  });

  it('reports a wrong input index on the edge that has it', () => {
    const e = errorOf(() => parseNb201('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'));
    expect(e.message).toContain('edge 3 of 6 (node 2 ← node 1) "nor_conv_3x3~0" has input index "0", expected 1');
    // Inputs out of order are rejected too: the official string lists them 0..j-1.
    expect(errorOf(() => parseNb201('|none~0|+|none~1|none~0|+|none~0|none~1|none~2|')).message).toContain('has input index "1", expected 0');
    expect(errorOf(() => parseNb201('|none~0|+|none~0|none~1|+|none~0|none~1|none~02|')).message).toContain('has input index "02", expected 2');
  });

  it('reports a wrong number of nodes, missing bars and malformed tokens', () => {
    expect(errorOf(() => parseNb201('|none~0|+|none~0|none~1|')).message).toContain('expected 3 nodes separated by "+", found 2');
    expect(errorOf(() => parseNb201('none~0|+|none~0|none~1|+|none~0|none~1|none~2|')).message).toContain('node 1 "none~0|" must be wrapped in "|"');
    expect(errorOf(() => parseNb201('|none~0|+|none~0|none~1|+|none~0|none~1|none|')).message).toContain(
      'edge 6 of 6 (node 3 ← node 2) "none" is not of the form op~2',
    );
    expect(errorOf(() => parseNb201('|none~0|+|none~0||none~1|+|none~0|none~1|none~2|')).message).toContain('has 3 edges, expected 2');
    expect(errorOf(() => parseNb201('')).kind).toBe('architecture');
    expect(errorOf(() => parseNb201(42 as unknown as string)).message).toContain('must be a string');
  });
});

describe('nb201UniqueStr (NATS-Bench get_unique_str)', () => {
  // Expected strings copied from the nats_unique_str column of the NATS-Bench table (indices 1, 3, 6, 12).
  it.each([
    [
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
      '((0)@nor_conv_3x3)@avg_pool_3x3+(0)@nor_conv_3x3+((0)@nor_conv_3x3)@nor_conv_3x3+0',
    ],
    ['|avg_pool_3x3~0|+|skip_connect~0|none~1|+|none~0|none~1|skip_connect~2|', '#+#+#+0'],
    ['|nor_conv_3x3~0|+|none~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|', '(#+#)@nor_conv_3x3+((0)@nor_conv_3x3)@nor_conv_3x3+(0)@avg_pool_3x3'],
    ['|none~0|+|none~0|none~1|+|none~0|nor_conv_3x3~1|avg_pool_3x3~2|', '#+#+(#+#)@avg_pool_3x3'],
  ])('%s → %s', (arch, unique) => {
    expect(nb201UniqueStr(parseNb201(arch))).toBe(unique);
  });
});

describe('nb201Key', () => {
  it('merges cells that differ only by a skip feeding an interchangeable edge (summation commutes)', () => {
    // node1 = skip(x) = x, so edges 3←0 and 3←1 read the same tensor: swapping their ops is an isomorph.
    const a = [SKIP, NONE, NONE, C3, C1, NONE];
    const b = [SKIP, NONE, NONE, C1, C3, NONE];
    expect(nb201Key(a)).toBe(nb201Key(b));
    expect(nb201Key(a)).not.toBe(nb201Key([C1, NONE, NONE, C3, C1, NONE]));
  });

  it('gives one key to every cell whose output edges are all none', () => {
    const keys = new Set<string>();
    for (let code = 0; code < 125; code++) keys.add(nb201Key([...nb201FromCode(code).slice(0, 3), NONE, NONE, NONE]));
    expect(keys.size).toBe(1);
  });

  it('has the form nb201:<6 op digits of the smallest-code member of the class>', () => {
    expect(nb201Key([C3, C3, C3, C3, C3, C3])).toBe('nb201:333333');
    const ops = [C1, POOL, SKIP, NONE, C3, SKIP];
    const rep = nb201Canonical(ops);
    expect(nb201Key(ops)).toBe(`nb201:${rep.join('')}`);
    expect(nb201Key(rep)).toBe(nb201Key(ops));
    expect(nb201Code(rep)).toBeLessThanOrEqual(nb201Code(ops));
  });

  it('induces the same partition as nb201UniqueStr, with 6,466 short keys', () => {
    const byKey = new Map<string, string>();
    const byStr = new Map<string, string>();
    const bad: string[] = [];
    for (let code = 0; code < NB201_SIZE; code++) {
      const ops = nb201FromCode(code);
      const key = nb201Key(ops);
      const str = nb201UniqueStr(ops);
      if ((byKey.get(key) ?? str) !== str || (byStr.get(str) ?? key) !== key || !/^nb201:[0-4]{6}$/.test(key)) bad.push(formatNb201(ops));
      byKey.set(key, str);
      byStr.set(str, key);
    }
    expect(bad).toEqual([]);
    expect(byKey.size).toBe(NB201_UNIQUE_SIZE);
  });
});
