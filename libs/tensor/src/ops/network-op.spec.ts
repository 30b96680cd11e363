import { isNasxError, type ArchGraphNode, type Json } from '@nasx/contracts';
import { closeness, testValues } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { tf } from '../tf';
import { createNetworkOp, planNetworkOp, seHiddenWidth } from './network-op';

const node = (op: string, attrs: Record<string, Json>, id = 'n'): ArchGraphNode => ({ id, op, attrs });
const nhwc = (shape: number[], seed: number) =>
  tf.tensor(
    testValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
const count = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const CASES: ArchGraphNode[] = [
  node('conv', { input: [3, 9, 9], cout: 8, kernel: 3, stride: 2 }),
  node('conv', { input: [8, 6, 6], cout: 8, kernel: 5, stride: 1, se: 0.25, skip: 'identity' }),
  node('conv', { input: [8, 5, 5], cout: 8, kernel: 3, stride: 2, groups: 8, se: 0.25 }),
  node('sep_conv', { input: [6, 7, 7], cout: 4, kernel: 3, stride: 2, se: 0.25 }),
  node('sep_conv', { input: [4, 6, 6], cout: 4, kernel: 5, stride: 1, skip: 'identity' }),
  node('mbconv', { input: [4, 8, 8], cout: 6, kernel: 3, stride: 2, expansion: 6, se: 0.25 }),
  node('mbconv', { input: [6, 5, 5], cout: 6, kernel: 5, stride: 1, expansion: 3, se: 0, skip: 'identity' }),
  node('mbconv', { input: [3, 4, 4], cout: 5, kernel: 3, stride: 1, expansion: 1, se: 0.25, activation: 'swish' }),
  node('global_pool', { input: [7, 3, 3] }),
  node('dense', { input: [7], cout: 3 }),
];

describe('network-level ops', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it.each(CASES.map((c, i) => [`${c.op} #${i}`, c] as const))('%s: output shape, parameter count and plan agree', (_name, n) => {
    const op = createNetworkOp(n, { seed: 3 });
    try {
      const { input, output } = op.plan.attrs;
      const x = nhwc(input.length === 3 ? [2, input[1]!, input[2]!, input[0]!] : [2, input[0]!], 1);
      const y = op.apply(x, { training: false });
      const want = output.length === 3 ? [2, output[1]!, output[2]!, output[0]!] : [2, output[0]!];
      expect(y.shape).toEqual(want);
      let allocated = 0;
      for (const v of op.parameters.values()) allocated += v.size;
      expect(allocated).toBe(op.plan.parameters.reduce((s, p) => s + count(p.shape), 0));
      tf.dispose([x, y]);
    } finally {
      op.dispose();
    }
  });

  it('FLOPs are multiply-accumulates: the MnasNet stem at 224 is 112²·32·3·9', () => {
    expect(planNetworkOp(node('conv', { input: [3, 224, 224], cout: 32, kernel: 3, stride: 2 })).flops).toBe(112 * 112 * 32 * 3 * 9);
    // mbconv: expand 1×1, depthwise k×k, SE (two 1×1 with bias on 1×1), project 1×1.
    const mb = planNetworkOp(node('mbconv', { input: [16, 8, 8], cout: 24, kernel: 5, stride: 2, expansion: 6, se: 0.25 }));
    const hidden = 4; // ⌊16 · 0.25⌋
    expect(mb.flops).toBe(64 * 96 * 16 + 16 * 96 * 25 + (96 * hidden + hidden + hidden * 96 + 96) + 16 * 24 * 96);
  });

  it('SE hidden width is max(1, ⌊cin·se⌋) of the block input (the MnasNet reference), not of the expanded width', () => {
    expect([seHiddenWidth(3, 0.25), seHiddenWidth(16, 0.25), seHiddenWidth(40, 0.25)]).toEqual([1, 4, 10]);
    const plan = planNetworkOp(node('mbconv', { input: [40, 4, 4], cout: 40, kernel: 3, expansion: 6, se: 0.25 }, 'b'));
    expect(plan.parameters.find((p) => p.name === 'b.se.reduce.weight')!.shape).toEqual([1, 1, 240, 10]);
  });

  it('an identity skip adds the input to the same op without it (same id, same seed, same weights)', () => {
    const attrs = { input: [6, 5, 5], cout: 6, kernel: 3, stride: 1, expansion: 3, se: 0.25 };
    const withSkip = createNetworkOp(node('mbconv', { ...attrs, skip: 'identity' }), { seed: 1 });
    const without = createNetworkOp(node('mbconv', { ...attrs, skip: 'none' }), { seed: 1 });
    const x = nhwc([2, 5, 5, 6], 4);
    const a = withSkip.apply(x, { training: false });
    const b = without.apply(x, { training: false });
    const diff = tf.sub(a, b);
    expect(closeness(diff.dataSync(), x.dataSync(), 1e-5, 1e-5)).toBeLessThanOrEqual(1);
    tf.dispose([x, a, b, diff]);
    withSkip.dispose();
    without.dispose();
  });

  it('trains on wasm: every parameter of an mbconv with SE gets a gradient (depthwise backprop included)', () => {
    const op = createNetworkOp(node('mbconv', { input: [4, 6, 6], cout: 4, kernel: 5, stride: 2, expansion: 3, se: 0.25 }), { seed: 2 });
    const x = nhwc([3, 6, 6, 4], 5);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(op.apply(x, { training: true }))) as tf.Scalar, [...op.parameters.values()]);
    expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
    for (const [name, v] of op.parameters) {
      const g = grads[v.name]!;
      expect(g.shape).toEqual(v.shape);
      expect([name, tf.sum(tf.abs(g)).dataSync()[0]! > 0]).toEqual([name, true]);
    }
    tf.dispose([x, value, ...Object.values(grads)]);
    op.dispose();
  });

  it.each([
    [
      'an identity skip where the shape changes',
      node('mbconv', { input: [4, 6, 6], cout: 8, kernel: 3, stride: 1, skip: 'identity' }),
      /identity skip needs stride 1 and cin = cout/,
    ],
    ['an even kernel', node('conv', { input: [4, 6, 6], cout: 8, kernel: 4 }), /attrs.kernel 4 is invalid/],
    ['groups other than 1 or depthwise', node('conv', { input: [8, 6, 6], cout: 8, kernel: 3, groups: 2 }), /attrs.groups 2 is invalid/],
    ['no input shape', { id: 'n', op: 'conv', attrs: { cout: 8 } } as ArchGraphNode, /attrs.input undefined/],
    ['an unknown op', node('zero', { input: [4, 6, 6] }), /unknown network-level op/],
    [
      'a shape that is not the output',
      { id: 'n', op: 'conv', attrs: { input: [4, 6, 6], cout: 8, stride: 2 }, shape: [8, 6, 6] } as ArchGraphNode,
      /is not the op's output \[8, 3, 3\]/,
    ],
  ])('%s is a NasxError naming the node', (_name, n, message) => {
    let error: unknown;
    try {
      planNetworkOp(n);
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error) && error.kind).toBe('architecture');
    expect(String((error as Error).message)).toMatch(message);
    expect(String((error as Error).message)).toMatch(/network op "n"/);
  });
});
