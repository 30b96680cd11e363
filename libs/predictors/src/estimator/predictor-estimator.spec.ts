import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type EventDraft,
  isPredictor,
  type Architecture,
  type OptionsInput,
  type Estimator,
  type EstimatorDeps,
  type LabelledArchitecture,
  type Predictor,
  type SearchSpace,
  type WorkContext,
} from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { kendallTau } from '@nasx/stats';
import { initTensorBackend, tf } from '@nasx/tensor';
import {
  createToySpace,
  describeEstimatorContract,
  neverAborted,
  silentLogger,
  testDeps,
  testEstimateContext,
  toyEstimator,
  toyScore,
  validatedOptions,
} from '@nasx/testing';
import { tinyPredictorEstimator, type TinyOptions } from '../__fixtures__/tiny.predictor';
import type { PredictorEstimator } from './predictor-estimator';
import { predictorFingerprint, predictorStatePath } from './state-file';

const space = createToySpace();

/** A labelling estimator: the toy score (maximise), counting calls. */
function truthEstimator(): Estimator & { calls: number } {
  const e = {
    id: 'truth',
    calls: 0,
    metrics: [
      { name: 'score', direction: 'maximize' as const },
      { name: 'loss', direction: 'minimize' as const },
    ],
    async estimate(arch: Architecture) {
      e.calls++;
      return { metrics: { score: toyScore(arch), loss: -toyScore(arch) }, cost: { seconds: 0 } };
    },
  };
  return e;
}

function deps(estimators: EstimatorDeps['estimators'] = {}, s: SearchSpace = space): EstimatorDeps {
  return { ...testDeps(), space: s, latencyModels: [], estimators };
}

function workContext(stateDir?: string, seed = 0): WorkContext {
  const emitted: unknown[] = [];
  return {
    runId: 'test',
    rng: createRng(seed),
    signal: neverAborted,
    logger: silentLogger,
    emit: (e) => void emitted.push(e),
    ...(stateDir ? { stateDir } : {}),
  };
}

async function create(options: OptionsInput<TinyOptions>, estimators: EstimatorDeps['estimators'] = {}): Promise<PredictorEstimator<TinyOptions>> {
  return (await tinyPredictorEstimator.create(
    validatedOptions(tinyPredictorEstimator.optionsSchema, options),
    deps(estimators),
  )) as PredictorEstimator<TinyOptions>;
}

function labelled(n: number, seed = 3): LabelledArchitecture[] {
  const rng = createRng(seed);
  const seen = new Set<string>();
  const out: LabelledArchitecture[] = [];
  while (out.length < n) {
    const a = space.sample(rng);
    if (!seen.has(a.key)) {
      seen.add(a.key);
      out.push({ arch: a, value: toyScore(a) });
    }
  }
  return out;
}

async function scores(e: Estimator, archs: readonly Architecture[]): Promise<number[]> {
  return (await e.estimateMany!(archs, testEstimateContext())).map((r) => r.metrics[e.id] as number);
}

beforeAll(async () => {
  await initTensorBackend();
});

// The conformance suite, with the predictor fitting itself in prepare() on labels from a named estimator.
describeEstimatorContract(tinyPredictorEstimator, {
  options: { labels: { estimator: 'truth', samples: 40 }, epochs: 5, seed: 1 },
  deps: { estimators: { truth: truthEstimator() } },
  deterministic: true,
});

describe('definePredictorEstimator', () => {
  it('makes a Predictor whose metric is its id, to maximise', async () => {
    const e = await create({});
    expect(isPredictor(e)).toBe(true);
    expect(e.minTrainingSize).toBe(10);
    expect(e.metrics).toEqual([expect.objectContaining({ name: 'tiny-predictor', direction: 'maximize' })]);
  });

  it('learns the toy score from 60 labelled architectures (Kendall τ > 0.6 on 300 others)', async () => {
    const e = await create({ epochs: 30, seed: 2 });
    const train = labelled(60, 5);
    await e.fit(train, workContext());
    const test = labelled(300, 99).filter((d) => !train.some((t) => t.arch.key === d.arch.key));
    expect(
      kendallTau(
        await scores(
          e,
          test.map((d) => d.arch),
        ),
        test.map((d) => d.value),
      ),
    ).toBeGreaterThan(0.6);
    e.dispose();
  });

  it('reports its fit as a counted phase (epochs), started and ended', async () => {
    const e = await create({ epochs: 5, seed: 2 });
    const events: EventDraft[] = [];
    await e.fit(labelled(20, 5), { ...workContext(), emit: (ev) => void events.push(ev) });
    const phases = events.flatMap((ev) => (ev.type === 'phase' ? [ev] : []));
    expect(phases[0]).toEqual({
      type: 'phase',
      label: 'fitting tiny-predictor on 20 architectures',
      done: 0,
      total: 5,
      unit: 'epochs',
      source: 'tiny-predictor',
    });
    expect(phases.at(-2)).toMatchObject({ done: 5 });
    expect(phases.at(-1)).toMatchObject({ ended: true });
    e.dispose();
  });

  it('is reproducible from its seed (initialisation, batch order, dropout) and differs across seeds', async () => {
    const data = labelled(30);
    const archs = labelled(20, 11).map((d) => d.arch);
    const run = async (seed: number) => {
      const e = await create({ epochs: 3, seed });
      await e.fit(data, workContext());
      const s = await scores(e, archs);
      e.dispose();
      return s;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(await run(8)).not.toEqual(a);
  });

  it('batched and single estimates agree exactly', async () => {
    const e = await create({ epochs: 3, seed: 1 });
    await e.fit(labelled(30), workContext());
    const archs = labelled(9, 12).map((d) => d.arch);
    const many = await scores(e, archs);
    for (const [i, a] of archs.entries()) expect((await e.estimate(a, testEstimateContext(i))).metrics['tiny-predictor']).toBe(many[i]);
    expect(await e.estimateMany([], testEstimateContext())).toEqual([]);
    e.dispose();
  });

  it('leaks no tensors over fit, predict and dispose', async () => {
    const before = tf.memory().numTensors;
    const e = await create({ epochs: 2, seed: 1 });
    await e.fit(labelled(25), workContext());
    await e.fit(labelled(25, 4), workContext()); // a refit frees the previous model
    await scores(
      e,
      labelled(50, 9).map((d) => d.arch),
    );
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  describe('errors', () => {
    it('rejects fewer than minTrainingSize samples, naming the fix', async () => {
      const e = await create({});
      await expect(e.fit(labelled(9), workContext())).rejects.toMatchObject({
        kind: 'usage',
        message: expect.stringMatching(/at least 10 labelled architectures.*got 9/),
        fix: expect.stringMatching(/labels\.samples/),
      });
    });

    it('rejects training architectures of another space, and non-finite labels', async () => {
      const e = await create({});
      const data = [...labelled(12), { arch: { space: 'nb201', genotype: null, key: 'x' }, value: 1 }];
      await expect(e.fit(data, workContext())).rejects.toMatchObject({
        kind: 'architecture',
        message: expect.stringMatching(/1 of the 13 training architectures are of space "nb201"/),
      });
      const nan = labelled(12).map((d, i) => (i === 3 ? { ...d, value: NaN } : d));
      await expect(e.fit(nan, workContext())).rejects.toMatchObject({ kind: 'data' });
    });

    it('refuses to estimate before it is fitted, and architectures of another space', async () => {
      const e = await create({});
      await expect(e.estimate(space.parse('012340'), testEstimateContext())).rejects.toMatchObject({
        kind: 'usage',
        message: expect.stringMatching(/has not been fitted/),
        fix: expect.stringMatching(/labels: \{ estimator/),
      });
      await expect(e.estimate({ space: 'nb201', genotype: null, key: 'x' }, testEstimateContext())).rejects.toMatchObject({
        kind: 'architecture',
        where: { contribution: 'tiny-predictor' },
      });
    });

    it('fails at create time when labels name an estimator the run does not have (config error at its pointer)', async () => {
      let thrown: unknown;
      try {
        await create({ labels: { estimator: 'acc', samples: 20 } }, { proxy: truthEstimator() });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toMatchObject({
        kind: 'config',
        where: { pointer: '/options/labels/estimator', contribution: 'tiny-predictor' },
        message: expect.stringMatching(/"acc".*named estimators: proxy/),
      });
    });

    it('rejects more samples than the space has distinct architectures, and a metric the labeller does not report', async () => {
      const small = createToySpace(2, 3); // 9 architectures
      const e = await tinyPredictorEstimator.create(
        validatedOptions(tinyPredictorEstimator.optionsSchema, { labels: { estimator: 'truth', samples: 10 } }),
        deps({ truth: truthEstimator() }, small),
      );
      await expect(e.prepare!(workContext())).rejects.toMatchObject({ kind: 'config', where: { pointer: '/options/labels/samples' } });
      const f = await create({ labels: { estimator: 'truth', metric: 'acc', samples: 20 } }, { truth: truthEstimator() });
      await expect(f.prepare!(workContext())).rejects.toMatchObject({
        kind: 'config',
        where: { pointer: '/options/labels/metric' },
        fix: expect.stringMatching(/score, loss/),
      });
    });
  });

  describe('labels from another estimator (prepare)', () => {
    it('samples distinct architectures, labels them with the primary metric by default, and fits', async () => {
      const truth = truthEstimator();
      const e = await create({ labels: { estimator: 'truth', samples: 30 }, epochs: 20, seed: 3 }, { truth });
      await e.prepare!(workContext());
      expect(truth.calls).toBe(30);
      expect(e.isFitted).toBe(true);
      expect(e.predictor!.trainingSize).toBe(30);
      const test = labelled(200, 21);
      expect(
        kendallTau(
          await scores(
            e,
            test.map((d) => d.arch),
          ),
          test.map((d) => d.value),
        ),
      ).toBeGreaterThan(0.5);
      e.dispose();
    });

    it('negates a metric to minimise, so that larger still ranks higher', async () => {
      const e = await create({ labels: { estimator: 'truth', metric: 'loss', samples: 30 }, epochs: 20, seed: 3 }, { truth: truthEstimator() });
      await e.prepare!(workContext());
      const test = labelled(200, 21);
      expect(
        kendallTau(
          await scores(
            e,
            test.map((d) => d.arch),
          ),
          test.map((d) => d.value),
        ),
      ).toBeGreaterThan(0.5);
      e.dispose();
    });

    it('leaves out architectures the labeller fails on, and fails when too few labels remain', async () => {
      const flaky: Estimator = {
        id: 'flaky',
        metrics: [{ name: 'score', direction: 'maximize' }],
        async estimate(arch) {
          if (arch.key.startsWith('0') || arch.key.startsWith('1')) throw new Error('no');
          return { metrics: { score: toyScore(arch) }, cost: { seconds: 0 } };
        },
      };
      const e = await create({ labels: { estimator: 'flaky', samples: 30 }, epochs: 2, seed: 1 }, { flaky });
      await e.prepare!(workContext());
      expect(e.predictor!.trainingSize).toBeLessThan(30);
      expect(e.predictor!.trainingSize).toBeGreaterThanOrEqual(10);
      e.dispose();
      const broken: Estimator = { ...flaky, estimate: async () => Promise.reject(new Error('down')) };
      const f = await create({ labels: { estimator: 'broken', samples: 20 }, epochs: 2 }, { broken });
      await expect(f.prepare!(workContext())).rejects.toMatchObject({ kind: 'run', message: expect.stringMatching(/only 0 usable labels/) });
    });

    it('labels in one batch with the labeller’s estimateMany when it has one', async () => {
      const batched = { ...truthEstimator(), batches: 0 } as Estimator & { calls: number; batches: number };
      batched.estimateMany = async (archs) => {
        batched.batches++;
        return Promise.all(archs.map((a) => batched.estimate(a, testEstimateContext())));
      };
      const e = await create({ labels: { estimator: 'batched', samples: 20 }, epochs: 2, seed: 1 }, { batched });
      await e.prepare!(workContext());
      expect(batched.batches).toBe(1);
      expect(e.predictor!.trainingSize).toBe(20);
      e.dispose();
      const toy = await toyEstimator.create({ failOn: [], delayMs: 0 }, deps());
      const f = await create({ labels: { estimator: 'toy', samples: 20 }, epochs: 2, seed: 1 }, { toy });
      await f.prepare!(workContext());
      expect(f.isFitted).toBe(true);
      f.dispose();
    });
  });

  describe('persistence in the run folder', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-predictor-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('saves the fitted model (weights, vocabulary, normalisation) and a resumed run reloads it instead of refitting', async () => {
      const options: OptionsInput<TinyOptions> = { labels: { estimator: 'truth', samples: 25 }, epochs: 3, seed: 4 };
      const truth = truthEstimator();
      const first = await create(options, { truth });
      await first.prepare!(workContext(dir));
      expect(truth.calls).toBe(25);
      const file = predictorStatePath(
        dir,
        'tiny-predictor',
        predictorFingerprint('tiny-predictor', 'toy', validatedOptions(tinyPredictorEstimator.optionsSchema, options)),
      );
      const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect(saved.predictor).toMatchObject({ format: 'nasx-predictor', kind: 'tiny', space: 'toy', trainingSize: 25, target: { kind: 'standardize' } });
      expect(saved.predictor.encoder.vocabulary[0]).toBe('<unk>');
      expect(saved.data).toHaveLength(25);

      const archs = labelled(15, 8).map((d) => d.arch);
      const expected = await scores(first, archs);
      first.dispose();
      const resumed = await create(options, { truth });
      await resumed.prepare!(workContext(dir));
      expect(truth.calls).toBe(25); // no labelling, no fitting
      expect(await scores(resumed, archs)).toEqual(expected);
      resumed.dispose();
    });

    it('refits when the saved state belongs to other options, and ignores an unreadable file', async () => {
      const truth = truthEstimator();
      const a = await create({ labels: { estimator: 'truth', samples: 20 }, epochs: 2, seed: 1 }, { truth });
      await a.prepare!(workContext(dir));
      a.dispose();
      const b = await create({ labels: { estimator: 'truth', samples: 20 }, epochs: 3, seed: 1 }, { truth });
      await b.prepare!(workContext(dir));
      expect(truth.calls).toBe(40);
      b.dispose();
      for (const f of fs.readdirSync(path.join(dir, 'predictors'))) fs.writeFileSync(path.join(dir, 'predictors', f), '{ not json');
      const c = await create({ labels: { estimator: 'truth', samples: 20 }, epochs: 3, seed: 1 }, { truth });
      await c.prepare!(workContext(dir));
      expect(truth.calls).toBe(60);
      expect(c.isFitted).toBe(true);
      c.dispose();
    });

    it('fit() from code saves too, and prepare() without labels reloads that model', async () => {
      const e = (await create({ epochs: 2, seed: 1 })) as Predictor;
      await e.fit(labelled(20), workContext(dir));
      const archs = labelled(5, 8).map((d) => d.arch);
      const expected = await scores(e, archs);
      await e.dispose?.();
      const again = await create({ epochs: 2, seed: 1 });
      await again.prepare!(workContext(dir));
      expect(await scores(again, archs)).toEqual(expected);
      again.dispose();
    });
  });
});
