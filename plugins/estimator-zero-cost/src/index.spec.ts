import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Architecture, SearchSpace, Task } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import mnist from '@nasx/task-mnist';
import { describeEstimatorContract, describePluginPackage, optionsFor, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { buildNetwork, crossEntropy, initTensorBackend, tf, toTensors } from '@nasx/tensor';
import plugin, { fisherEstimator, fisherScore, flopsEstimator, naswotEstimator, paramsEstimator, snipEstimator, synflowEstimator } from './index';

const space = async (): Promise<SearchSpace> => (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
// Small and fast: 200 MNIST digits, batches of 8 (the proxies' defaults are 64 and 128).
const task = async (): Promise<Task> => {
  const t = (await mnist.contributions[0]!.create({ limit: 200 }, testDeps() as never)) as Task;
  await t.load?.();
  return t;
};

describePluginPackage(path.resolve(__dirname, '..'), plugin);

describe('zero-cost estimators', () => {
  let s: SearchSpace;
  let t: Task;
  beforeAll(async () => {
    s = await space();
    t = await task();
  });
  const deps = () => ({ ...testDeps(), space: s, task: t, latencyModels: [], estimators: {} });
  const BIG = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
  const EMPTY = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';
  const MIXED = '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_3x3~0|none~1|avg_pool_3x3~2|';

  it('report params and flops of the built network (NB201 counts for a 1-channel 28×28 input)', async () => {
    const e = await naswotEstimator.create(optionsFor(naswotEstimator, { batchSize: 8 }), deps());
    const r = await e.estimate(s.parse(BIG), testEstimateContext());
    expect(r.metrics['params']).toBeCloseTo(
      (await (await paramsEstimator.create(optionsFor(paramsEstimator), deps())).estimate(s.parse(BIG), testEstimateContext())).metrics['params'] as number,
      12,
    );
    expect(r.metrics['flops']).toBeGreaterThan(0);
    expect(Number.isFinite(r.metrics['naswot'])).toBe(true);
    await e.dispose?.();
  });

  it('NASWOT scores a mini-batch of 128 by default, the schema default (no second default in code)', async () => {
    // 150 digits leave 105 for training: fewer than 128, so the default batch cannot be drawn and
    // the message names the batch size the estimator asked for.
    const small = (await mnist.contributions[0]!.create({ limit: 150 }, testDeps() as never)) as Task;
    await small.load?.();
    expect(small.splits.train.size).toBeLessThan(128);
    expect(small.splits.train.size).toBeGreaterThanOrEqual(64);
    const e = await naswotEstimator.create(optionsFor(naswotEstimator), { ...deps(), task: small });
    await expect(e.estimate(s.parse(BIG), testEstimateContext())).rejects.toThrow(/wants a batch of 128 but the task's training split has \d+ examples/);
    await e.dispose?.();
    // The definition's schema literal is the manifest's file.
    expect(naswotEstimator.optionsSchema).toEqual(JSON.parse(fs.readFileSync(path.join(__dirname, 'naswot', 'naswot.schema.json'), 'utf8')));
  });

  it('NASWOT ranks a cell with convolutions above the all-none cell (its codes cannot separate inputs)', async () => {
    const e = await naswotEstimator.create(optionsFor(naswotEstimator, { batchSize: 8 }), deps());
    const big = (await e.estimate(s.parse(BIG), testEstimateContext(1))).metrics['naswot'] as number;
    const empty = (await e.estimate(s.parse(EMPTY), testEstimateContext(1))).metrics['naswot'] as number;
    expect(big).toBeGreaterThan(empty);
    await e.dispose?.();
  });

  it('SynFlow does not look at the data and is deterministic per seed', async () => {
    const e = await synflowEstimator.create(optionsFor(synflowEstimator), deps());
    const a = await e.estimate(s.parse(BIG), testEstimateContext(3));
    const b = await e.estimate(s.parse(BIG), testEstimateContext(3));
    expect(a.metrics['synflow']).toBe(b.metrics['synflow']);
    expect(Number.isFinite(a.metrics['synflow'])).toBe(true);
  });

  it.each([
    ['synflow', synflowEstimator],
    ['snip', snipEstimator],
    ['fisher', fisherEstimator],
    ['naswot', naswotEstimator],
  ] as const)('%s leaves no tensors behind: scoring more cells does not grow tf.memory()', async (_id, def) => {
    const e = await def.create(validatedOptions(def.optionsSchema, { batchSize: 4 }), deps());
    const score = (k: number) => e.estimate(s.parse(k % 2 ? BIG : MIXED), testEstimateContext(k));
    await score(0); // the first estimate loads the batch and keeps it
    const { tf } = await import('@nasx/tensor');
    const before = tf.memory().numTensors;
    for (let k = 1; k <= 3; k++) await score(k);
    expect(tf.memory().numTensors).toBe(before);
    await e.dispose?.();
  });

  it('gradient proxies give zero credit to weights no path uses (none edges), instead of failing', async () => {
    const e = await snipEstimator.create(optionsFor(snipEstimator, { batchSize: 8 }), deps());
    const r = await e.estimate(s.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|none~0|none~1|none~2|'), testEstimateContext());
    expect(r.metrics['snip']).toBe(0); // node 3 gets nothing: the cell outputs zeros, no weight affects the loss through it
    await e.dispose?.();
  });

  it('Fisher equals a two-pass reference that reads ∂L/∂a through zero perturbation variables', async () => {
    await initTensorBackend();
    let batch: ReturnType<typeof toTensors> | undefined;
    for await (const b of t.splits.train.batches({ batchSize: 6, limit: 1, dropLast: true })) batch = toTensors(b);
    const arch = s.parse('|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|none~2|');
    const options = { numClasses: t.numClasses!, inputShape: t.inputShape, seed: 5, macro: { channels: 4, cellsPerStage: 1 } };
    const net = buildNetwork(arch, options);
    const ours = fisherScore({ net, batch: batch!, numClasses: t.numClasses!, inputShape: t.inputShape });
    // Reference: pass 1 finds the conv/linear outputs, pass 2 adds a zero variable to each and
    // differentiates the loss with respect to those variables, which is ∂L/∂a.
    const shapes = new Map<string, number[]>();
    tf.tidy(
      () =>
        void net.forward(batch!.x, {
          training: true,
          tap: (name, a, kind) => void ((kind === 'conv-out' || kind === 'linear-out') && shapes.set(name, a.shape)),
        }),
    );
    const probes = new Map([...shapes].map(([name, shape]) => [name, tf.variable(tf.zeros(shape), true, `probe/${name}`)]));
    const acts = new Map<string, tf.Tensor>();
    const { value, grads } = tf.variableGrads(() => {
      const tap = (name: string, a: tf.Tensor, kind: string) => {
        if (kind !== 'conv-out' && kind !== 'linear-out') return undefined;
        acts.set(name, tf.keep(tf.clone(a)));
        return tf.add(a, probes.get(name)!);
      };
      return crossEntropy(net.forward(batch!.x, { training: true, tap }), batch!.y);
    }, [...probes.values()]);
    let reference = 0;
    for (const [name, v] of probes) {
      const a = acts.get(name)!;
      const g = grads[v.name]!;
      const gnk = tf.tidy(() => (a.rank > 2 ? tf.sum(tf.mul(a, g), [1, 2]) : tf.mul(a, g)));
      const w = net.parameters.get(`${name}.weight`)!.shape; // a channel counts once per weight feeding it
      const fanIn = w.length === 4 ? w[0]! * w[1]! * w[2]! : w[0]!;
      reference += fanIn * tf.tidy(() => tf.mul(tf.sum(tf.mean(tf.square(gnk), 0)), 0.5).dataSync()[0] as number);
      gnk.dispose();
    }
    // stem, 2 conv edges × 3 cells (node 2 feeds only the none edge, so its conv is never run), 2 reduction blocks × 3 convs, classifier
    expect(shapes.size).toBe(1 + 2 * 3 + 2 * 3 + 1);
    expect(ours).toBeGreaterThan(0);
    expect(Math.abs(ours - reference) / reference).toBeLessThan(1e-4);
    tf.dispose([value, ...Object.values(grads), ...acts.values(), ...probes.values(), batch!.x, batch!.y]);
    net.dispose();
  });

  it('refuse a run without a task, and architectures of another space', async () => {
    expect(() => naswotEstimator.create(optionsFor(naswotEstimator), { ...deps(), task: undefined })).toThrow(/has no task/);
    const e = await flopsEstimator.create(optionsFor(flopsEstimator), deps());
    await expect(e.estimate({ space: 'darts', genotype: null, key: 'x' } as Architecture, testEstimateContext())).rejects.toMatchObject({
      kind: 'architecture',
    });
  });
});

describeEstimatorContract(paramsEstimator, { space, deterministic: true });
describeEstimatorContract(naswotEstimator, { space, options: { batchSize: 8 }, deps: async () => ({ task: await task() }), samples: 3 });
describeEstimatorContract(fisherEstimator, { space, options: { batchSize: 8 }, deps: async () => ({ task: await task() }), samples: 2 });
