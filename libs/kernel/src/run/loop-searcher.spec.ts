import { defineEstimator, defineLatencyModel, definePlugin, defineSearcher, type LoopSearcher } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import { Observable } from 'rxjs';

// A searcher that owns its loop (the shape of gradient-based and supernet methods): it "trains"
// for a few epochs, emitting metric events, then asks the kernel to evaluate what it derived.
const stepper = defineSearcher<{ epochs?: number }>({
  id: 'toy-stepper',
  description: 'owns its loop',
  optionsSchema: { type: 'object', additionalProperties: false, properties: { epochs: { type: 'integer', default: 5, description: 'epochs' } } },
  create(o, deps): LoopSearcher {
    return {
      id: 'toy-stepper',
      search: (ctx) =>
        new Observable((sub) => {
          (async () => {
            let arch = deps.space.sample(ctx.rng);
            for (let epoch = 0; epoch < (o.epochs ?? 5); epoch++) {
              sub.next({ type: 'metric', name: 'supernet_loss', value: 1 / (epoch + 1), step: epoch, source: 'toy-stepper' });
              const r = await ctx.evaluate(arch);
              const child = deps.space.mutate(arch, ctx.rng);
              const c = await ctx.evaluate(child);
              if ((c.objective as number) > (r.objective as number)) arch = child;
            }
          })().then(
            () => sub.complete(),
            (e) => sub.error(e),
          );
        }),
    };
  },
});

// A latency model over the toy graph: 1 ms per conv node.
const toyLatency = defineLatencyModel<{ device?: string }>({
  id: 'toy-latency',
  description: 'counts conv nodes',
  optionsSchema: { type: 'object', additionalProperties: false, properties: { device: { type: 'string', default: 'toy-cpu', description: 'device' } } },
  create: (_o, deps) => ({
    id: 'toy-latency',
    devices: ['toy-cpu'],
    predict: (a) => ('genotype' in a ? deps.space.toGraph(a) : a).nodes.filter((n) => n.op === 'conv').length,
  }),
});

// An auxiliary estimator for `report`: the digit sum of a toy architecture.
const digitSum = defineEstimator<Record<string, never>>({
  id: 'toy-digit-sum',
  description: 'digit sum',
  optionsSchema: { type: 'object', additionalProperties: false, properties: {} },
  create: () => ({
    id: 'toy-digit-sum',
    metrics: [{ name: 'digit_sum', direction: 'maximize' }],
    estimate: async (a) => ({ metrics: { digit_sum: a.key.split('').reduce((x, d) => x + Number(d), 0) }, cost: { seconds: 0 } }),
  }),
});

// Prepare order: a primary estimator that labels data with a named one (a predictor fitted on a
// table or a supernet) needs that one prepared first.
const prepared: string[] = [];
const preparing = (id: string, needs?: string) =>
  defineEstimator<{ uses?: string }>({
    id,
    description: 'records its prepare()',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { uses: { type: 'string', description: 'named estimator it reads while preparing' } },
    },
    create: (o, deps) => ({
      id,
      metrics: [{ name: 'score', direction: 'maximize' }],
      prepare: async () => {
        if (needs && !prepared.includes(needs)) throw new Error(`${id} prepared before ${needs}`);
        if (o.uses && !deps.estimators[o.uses]) throw new Error(`no estimator ${o.uses}`);
        prepared.push(id);
      },
      estimate: async (a) => ({ metrics: { score: Number(a.key) }, cost: { seconds: 0 } }),
    }),
  });
const labeller = preparing('toy-labeller');
const learner = preparing('toy-learner', 'toy-labeller');

describe('loop searchers and latency models in the kernel', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [{ name: 'loop-fixtures', definition: definePlugin({ contributions: [stepper, toyLatency, digitSum, labeller, learner] }) }],
    });
  });
  afterAll(() => tk.cleanup());

  it('runs a loop searcher: its metric events pass through, ctx.evaluate is journaled and counted', async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      searcher: { use: 'toy-stepper', options: { epochs: 4 } },
      seed: 2,
      budget: { evaluations: 100 },
    });
    expect(run.of('metric').map((m) => m.step)).toEqual([0, 1, 2, 3]);
    const fin = run.of('run-finished')[0];
    expect(fin?.status).toBe('completed');
    expect(run.of('evaluated')).toHaveLength(8);
    expect(fin?.evaluations).toBe(run.of('evaluated').filter((e) => !e.cached).length);
  });

  it('prepares the named estimators before the primary one (which may use them while preparing)', async () => {
    prepared.length = 0;
    const run = await tk.run({
      space: 'toy',
      estimator: { use: 'toy-learner', options: { uses: 'truth' } },
      estimators: { truth: 'toy-labeller' },
      searcher: 'toy-hill-climber',
      seed: 1,
      budget: { evaluations: 2 },
    });
    expect(run.of('run-finished')[0]?.status).toBe('budget-exhausted');
    expect(prepared).toEqual(['toy-labeller', 'toy-learner']);
  });

  it('stops a loop searcher at the evaluation budget', async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      searcher: { use: 'toy-stepper', options: { epochs: 50 } },
      seed: 2,
      budget: { evaluations: 6 },
    });
    expect(run.of('run-finished')[0]).toMatchObject({ status: 'budget-exhausted', evaluations: 6 });
  });

  it('adds the metrics of report estimators to every estimate, without changing the objective', async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      estimators: { sum: 'toy-digit-sum' },
      report: ['sum'],
      searcher: 'toy-hill-climber',
      seed: 2,
      budget: { evaluations: 10 },
    });
    for (const e of run.of('evaluated')) {
      expect(e.estimate.metrics['digit_sum']).toBe(e.arch.key.split('').reduce((x, d) => x + Number(d), 0));
      expect(e.objective).toBe(e.estimate.metrics['score']);
    }
    await expect(
      tk.run({ space: 'toy', estimator: 'toy-score', report: ['nope'], searcher: 'toy-hill-climber', budget: { evaluations: 1 } }),
    ).rejects.toMatchObject({ where: { pointer: '/report/0' } });
  });

  it('adds latency_ms from the latency model and searches a MnasNet objective', async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      latency: ['toy-latency'],
      searcher: 'toy-hill-climber',
      objective: { type: 'mnas', accuracy: 'score', latency: 'latency_ms', target: 3, alpha: 0, beta: -1 },
      seed: 1,
      budget: { evaluations: 30 },
    });
    for (const e of run.of('evaluated')) {
      const { score, latency_ms: lat } = e.estimate.metrics as { score: number; latency_ms: number };
      expect(lat).toBe(e.arch.key.split('').filter((d) => d !== '0').length);
      expect(e.objective).toBeCloseTo(score * (lat <= 3 ? 1 : (lat / 3) ** -1), 10);
    }
  });
});
