import { isNasxError, operatorKey, type Architecture, type NasxError } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { MNAS_BLOCKS, planNetwork } from '@nasx/tensor';
import { describeSearchSpaceContract } from '@nasx/testing';
import { createMnasSearchSpace, formatMnas, MNAS_A1, MNAS_ENCODING_LENGTH, mnasSearchSpace, parseMnas } from './mnas.search-space';

function errorOf(fn: () => unknown): NasxError {
  try {
    fn();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

const blocksOf = (a: Architecture): number[][] => (a.genotype as { blocks: number[][] }).blocks;

/** χ² statistic of observed counts against expected counts. */
const chiSquare = (observed: readonly number[], expected: readonly number[]): number =>
  observed.reduce((s, o, i) => s + (o - expected[i]!) ** 2 / expected[i]!, 0);
// 99.9 % quantiles of χ² with 1, 2 and 3 degrees of freedom: a fixed seed makes the test deterministic, the quantile honest.
const CHI2_999: Record<number, number> = { 1: 10.83, 2: 13.82, 3: 16.27 };

describeSearchSpaceContract(mnasSearchSpace);
describeSearchSpaceContract(mnasSearchSpace, { options: { inputShape: [3, 32, 32], numClasses: 10 } });

describe('mnas search space', () => {
  const space = createMnasSearchSpace();

  it('declares its id, size (288^7 genotypes) and encoding length (7 × 16 one-hot)', () => {
    expect(space.id).toBe('mnas');
    expect(space.size).toBe(288 ** 7);
    expect(space.encodingLength).toBe(112);
    expect(space.decisions().length).toBe(42);
    expect(space.decisions()[0]).toEqual({ name: 'b1.op', choices: ['conv', 'sep_conv', 'mbconv3', 'mbconv6'] });
  });

  it('samples each decision uniformly (χ² at 99.9 %)', () => {
    const rng = createRng(1);
    const n = 4000;
    const counts = space.decisions().map((d) => new Array<number>(d.choices.length).fill(0));
    for (let i = 0; i < n; i++) space.toDecisions(space.sample(rng)).forEach((c, j) => counts[j]![c]!++);
    // The six decisions of block 4 (the others are the same code path).
    for (const c of counts.slice(18, 24))
      expect(
        chiSquare(
          c,
          c.map(() => n / c.length),
        ),
      ).toBeLessThan(CHI2_999[c.length - 1]!);
  });

  it('mutates exactly one decision of one block to a different choice', () => {
    const rng = createRng(2);
    for (let i = 0; i < 200; i++) {
      const a = space.sample(rng);
      const m = space.mutate(a, rng);
      const diff = space.toDecisions(a).filter((c, j) => c !== space.toDecisions(m)[j]).length;
      expect(diff).toBe(1);
    }
  });

  it('crosses over whole blocks, each from one parent', () => {
    const rng = createRng(3);
    const a = space.sample(rng);
    const b = space.sample(rng);
    const fromA = new Array<number>(7).fill(0);
    for (let i = 0; i < 400; i++) {
      const c = space.crossover(a, b, rng);
      blocksOf(c).forEach((block, k) => {
        const isA = JSON.stringify(block) === JSON.stringify(blocksOf(a)[k]);
        expect(isA || JSON.stringify(block) === JSON.stringify(blocksOf(b)[k])).toBe(true);
        if (isA) fromA[k]!++;
      });
    }
    for (const k of fromA) expect(chiSquare([k, 400 - k], [200, 200])).toBeLessThan(CHI2_999[1]!);
  });

  it('encodes one-hot: 7 ones per decision position, 42 in all, and distinct genotypes differ', () => {
    const a = parseMnas(MNAS_A1);
    const v = space.encode(a);
    expect(v.length).toBe(MNAS_ENCODING_LENGTH);
    expect(v.reduce((s, x) => s + x, 0)).toBe(42);
    // Block 1: sep_conv (index 1 of 4), k3, se0, noskip, x1.0, l+0.
    expect([...v.slice(0, 16)]).toEqual([0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0]);
  });

  it('parses and formats the text form; MnasNet-A1 has the paper’s 3.9 M parameters and 312 M multiply-adds', () => {
    const a = parseMnas(MNAS_A1);
    expect(formatMnas(a)).toBe(MNAS_A1);
    const plan = planNetwork(a, { inputShape: [3, 224, 224], numClasses: 1000 });
    expect(Math.round(plan.paramCount / 1e5) / 10).toBe(3.9);
    expect(Math.round(plan.flops / 1e6)).toBe(312);
  });

  it('keys equal networks equally: an unusable skip or a multiplier that rounds the same does not change the key', () => {
    const a = parseMnas(MNAS_A1);
    // Block 1 has one layer from 32 to 16 channels: its skip cannot apply.
    const skip = parseMnas(MNAS_A1.replace('sep_conv k3 se0 noskip', 'sep_conv k3 se0 id'));
    expect(skip.key).toBe(a.key);
    // 16 × 0.75 rounds to 16 (round_filters), so ×0.75 and ×1.0 are the same first block.
    expect(parseMnas(MNAS_A1.replace('noskip x1.0', 'noskip x0.75')).key).toBe(a.key);
    // Block 1 with base 1 layer: offset −1 still gives 1 layer.
    expect(parseMnas(MNAS_A1.replace('x1.0 l+0 | mbconv6', 'x1.0 l-1 | mbconv6')).key).toBe(a.key);
    // But a skip that can apply (block 2 has 2 layers) changes it.
    expect(parseMnas(MNAS_A1.replace('mbconv6 k3 se0 id x1.0 l+0 | mbconv3', 'mbconv6 k3 se0 noskip x1.0 l+0 | mbconv3')).key).not.toBe(a.key);
    // And the canonical key is what the graph shows: equal keys, equal graphs.
    expect(JSON.stringify(space.toGraph(skip))).toBe(JSON.stringify(space.toGraph(a)));
  });

  it('graphs are network-level chains with NetworkOpAttrs on every op node and shapes from the options', () => {
    const g = space.toGraph(parseMnas(MNAS_A1));
    expect(g.level).toBe('network');
    expect(g.nodes[0]).toEqual({ id: 'input', op: 'input', shape: [3, 224, 224] });
    for (const n of g.nodes.slice(1, -1)) {
      expect(Array.isArray(n.attrs?.['input'])).toBe(true);
      expect(n.flops).toBeGreaterThanOrEqual(0);
    }
    expect(g.nodes.find((n) => n.id === 'b1.0')).toMatchObject({
      op: 'sep_conv',
      shape: [16, 112, 112],
      attrs: { input: [32, 112, 112], kernel: 3, stride: 1, se: 0, skip: 'none' },
    });
    expect(g.nodes.find((n) => n.id === 'b3.0')).toMatchObject({
      op: 'mbconv',
      shape: [40, 28, 28],
      attrs: { expansion: 3, kernel: 5, stride: 2, se: 0.25, skip: 'none' },
    });
    expect(g.nodes.find((n) => n.id === 'b3.2')).toMatchObject({ attrs: { input: [40, 28, 28], stride: 1, skip: 'identity' } });
    const small = createMnasSearchSpace({ inputShape: [1, 28, 28], numClasses: 10 }).toGraph(parseMnas(MNAS_A1));
    expect(small.nodes.at(-2)).toMatchObject({ id: 'classifier', op: 'dense', shape: [10], attrs: { input: [1280], cout: 10 } });
    expect(small.nodes.find((n) => n.id === 'pool')!.attrs!['input']).toEqual([1280, 1, 1]);
  });

  it.each([
    [[3, 224, 224], 1000],
    [[3, 32, 32], 10],
  ] as const)('operators() at %j covers every op node of 200 sampled networks, each once', (inputShape, numClasses) => {
    const s = createMnasSearchSpace({ inputShape: [...inputShape], numClasses });
    const ops = s.operators();
    const keys = new Set(ops.map(operatorKey));
    expect(keys.size).toBe(ops.length);
    expect(new Set(ops.map((n) => n.id)).size).toBe(ops.length);
    expect(ops.length).toBe(1382);
    const rng = createRng(4);
    const used = new Set<string>();
    for (let i = 0; i < 200; i++) {
      for (const n of s.toGraph(s.sample(rng)).nodes) {
        if (n.op === 'input' || n.op === 'output') continue;
        const k = operatorKey(n);
        expect(keys.has(k)).toBe(true);
        used.add(k);
      }
    }
    // 200 networks touch a good part of the list (it is not padded with operators no network has).
    expect(used.size).toBeGreaterThan(ops.length / 3);
  });

  it('rejects bad input with architecture errors naming the problem', () => {
    expect(errorOf(() => space.validate({ space: 'nb201', genotype: { ops: [0, 0, 0, 0, 0, 0] }, key: 'nb201:000000' })).message).toMatch(
      /belongs to space "nb201"/,
    );
    const a = parseMnas(MNAS_A1);
    const bad = blocksOf(a).map((b) => [...b]);
    bad[2]![4] = 3;
    expect(errorOf(() => space.validate({ ...a, genotype: { blocks: bad } })).message).toMatch(/block 3, decision multiplier: choice 3 is out of range 0..2/);
    expect(errorOf(() => space.validate({ ...a, genotype: { blocks: bad.slice(1) } })).message).toMatch(/does not have 7 blocks/);
    expect(errorOf(() => parseMnas(MNAS_A1.replace('mbconv3 k5', 'mbconv4 k5'))).message).toMatch(
      /block 3, op: "mbconv4" is not one of conv, sep_conv, mbconv3, mbconv6/,
    );
    expect(errorOf(() => parseMnas('mbconv6 k3 se0 id x1.0 l+0')).message).toMatch(/expected 7 blocks/);
    expect(errorOf(() => space.fromDecisions([0, 1])).message).toMatch(/takes 42 decisions/);
    expect(errorOf(() => space.fromDecisions(new Array<number>(42).fill(3))).kind).toBe('architecture');
  });

  it('refuses an input shape the skeleton cannot take, at creation', () => {
    expect(() => createMnasSearchSpace({ inputShape: [3, 0, 32] as unknown as number[] })).toThrow(/input shape \[3, 0, 32\]/);
  });

  it('neighbours are the 70 one-decision changes', () => {
    const a = parseMnas(MNAS_A1);
    const ns = space.neighbours(a);
    expect(ns.length).toBe(MNAS_BLOCKS.length * 10);
    for (const n of ns) expect(space.toDecisions(n).filter((c, j) => c !== space.toDecisions(a)[j]).length).toBe(1);
  });
});
