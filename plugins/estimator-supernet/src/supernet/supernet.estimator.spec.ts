import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError, type EventDraft, type SearchSpace, type Task, type WorkContext } from '@nasx/contracts';
import nb201 from '@nasx/search-space-nb201';
import mnist from '@nasx/task-mnist';
import { createToySpace, describeEstimatorContract, describePluginPackage, optionsFor, silentLogger, testDeps, testEstimateContext } from '@nasx/testing';
import plugin, { fewShotEstimator, oneShotEstimator, rlnasEstimator } from '../index';
import { readCheckpoint, readWeightSet } from './checkpoint';
import { createRng } from '@nasx/kernel';

const space = async (): Promise<SearchSpace> => (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
// 300 MNIST digits: 210 train, 60 validation.
const task = async (): Promise<Task> => {
  const t = (await mnist.contributions[0]!.create({ limit: 300 }, testDeps() as never)) as Task;
  await t.load?.();
  return t;
};
/** A tiny supernet (C = 4, one cell per stage), 2 epochs of 210 digits. */
const TINY = { epochs: 2, batchSize: 32, lr: 0.1, macro: { channels: 4, cellsPerStage: 1 }, evalBatchSize: 60 };
/** RLNAS evaluates nothing: no evaluation options. */
const RL_TINY = { epochs: 2, batchSize: 32, lr: 0.1, macro: { channels: 4, cellsPerStage: 1 } };
const CONV = '|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|';
const EMPTY = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

describePluginPackage(path.resolve(__dirname, '../..'), plugin);
for (const def of [oneShotEstimator, fewShotEstimator, rlnasEstimator]) {
  describeEstimatorContract(def, {
    space,
    options: def === fewShotEstimator ? { ...TINY, epochs: 1, split: { epochs: 1 } } : def === rlnasEstimator ? RL_TINY : TINY,
    deps: async () => ({ task: await task() }),
    samples: 4,
    deterministic: true,
  });
}

function workContext(stateDir: string, extra: Partial<WorkContext> = {}): WorkContext {
  return { runId: 'test', rng: createRng(1), signal: new AbortController().signal, logger: silentLogger, emit: () => undefined, stateDir, ...extra };
}

describe('weight-sharing estimators', () => {
  let s: SearchSpace;
  let t: Task;
  let dirs: string[] = [];
  beforeAll(async () => {
    s = await space();
    t = await task();
  });
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    dirs = [];
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-supernet-spec-'));
    dirs.push(d);
    return d;
  };
  const deps = (extra: object = {}) => ({ ...testDeps(), space: s, task: t, latencyModels: [], estimators: {}, ...extra });
  type Def = typeof oneShotEstimator;
  const create = (def: Def, options: Record<string, unknown>, extra: object = {}) => def.create(optionsFor(def, options as never), deps(extra));

  it('one-shot: prepare trains the supernet once and checkpoints every epoch; estimates are path accuracies', async () => {
    const dir = tmp();
    const e = await create(oneShotEstimator, TINY);
    const metrics: string[] = [];
    await e.prepare!(workContext(dir, { emit: (ev: EventDraft) => ev.type === 'metric' && metrics.push(`${ev.name}@${ev.step}`) }));
    expect(metrics).toEqual(['supernet_train_loss@1', 'supernet_train_loss@2']);
    const [folder] = fs.readdirSync(path.join(dir, 'supernets'));
    const checkpoint = readCheckpoint(path.join(dir, 'supernets', folder!, 'supernet.json'))!;
    expect(checkpoint.complete).toBe(true);
    expect(checkpoint.sets['one-shot']!.epochsDone).toBe(2);
    expect(checkpoint.setup).toMatchObject({
      contribution: 'one-shot',
      space: 'nb201',
      macro: { channels: 4, cellsPerStage: 1 },
      numClasses: 10,
      inputShape: [1, 28, 28],
    });
    const r = await e.estimate(s.parse(CONV), testEstimateContext(0));
    expect(r.metrics['supernet_acc']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['supernet_acc']).toBeLessThanOrEqual(100);
    expect(r.info).toEqual({ valSamples: 60 });
    // A second estimator over the same state folder reloads the finished supernet: no training, same estimates.
    const again = await create(oneShotEstimator, TINY);
    const more: string[] = [];
    await again.prepare!(workContext(dir, { emit: (ev: EventDraft) => ev.type === 'metric' && more.push(ev.name) }));
    expect(more).toEqual([]);
    expect((await again.estimate(s.parse(CONV), testEstimateContext(5))).metrics).toEqual(r.metrics);
    await e.dispose?.();
    await again.dispose?.();
  });

  it('a killed preparation resumes from the last saved epoch, not from zero', async () => {
    const dir = tmp();
    const stop = new AbortController();
    const first: number[] = [];
    const e = await create(oneShotEstimator, { ...TINY, epochs: 4 });
    await expect(
      e.prepare!(
        workContext(dir, {
          signal: stop.signal,
          emit: (ev: EventDraft) => {
            if (ev.type !== 'metric') return;
            first.push(ev.step!);
            if (ev.step === 2) stop.abort(new Error('killed'));
          },
        }),
      ),
    ).rejects.toThrow();
    expect(first).toEqual([1, 2]);
    const folder = path.join(dir, 'supernets', fs.readdirSync(path.join(dir, 'supernets'))[0]!);
    const partial = readCheckpoint(path.join(folder, 'supernet.json'))!;
    expect(partial.sets['one-shot']).toMatchObject({
      epochsDone: 2,
      momentum: { file: expect.stringMatching(/^one-shot\.momentum\.[0-9a-f]{12}\.bin$/), epochsDone: 2 },
    });
    const resumed = await create(oneShotEstimator, { ...TINY, epochs: 4 });
    const second: number[] = [];
    const logs: string[] = [];
    await resumed.prepare!(
      workContext(dir, {
        emit: (ev: EventDraft) => ev.type === 'metric' && second.push(ev.step!),
        logger: { ...silentLogger, info: (m: string) => logs.push(m) },
      }),
    );
    expect(second).toEqual([3, 4]);
    expect(logs.some((m) => /resuming the one-shot supernet at epoch 3 of 4/.test(m))).toBe(true);
    // With the momentum saved, the resumed schedule ends with the uninterrupted one's weights, bit for bit.
    const whole = await create(oneShotEstimator, { ...TINY, epochs: 4 });
    const wholeDir = tmp();
    await whole.prepare!(workContext(wholeDir));
    const wholeFolder = path.join(wholeDir, 'supernets', fs.readdirSync(path.join(wholeDir, 'supernets'))[0]!);
    expect(path.basename(wholeFolder)).toBe(path.basename(folder));
    const weightsFile = (f: string) => readCheckpoint(path.join(f, 'supernet.json'))!.sets['one-shot']!.file;
    expect(weightsFile(folder)).toBe(weightsFile(wholeFolder));
    expect(fs.readFileSync(path.join(folder, weightsFile(folder))).equals(fs.readFileSync(path.join(wholeFolder, weightsFile(wholeFolder))))).toBe(true);
    // A finished schedule keeps no momentum, and no file of an earlier checkpoint is left.
    expect(readCheckpoint(path.join(folder, 'supernet.json'))!.sets['one-shot']!.momentum).toBeUndefined();
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.bin'))).toEqual([weightsFile(folder)]);
    await e.dispose?.();
    await resumed.dispose?.();
    await whole.dispose?.();
  });

  it('few-shot: 5 sub-supernets split on edge 0 start from the one-shot weights; an architecture is estimated by its own', async () => {
    const dir = tmp();
    const e = await create(fewShotEstimator, { ...TINY, epochs: 1, split: { epochs: 1 } });
    await e.prepare!(workContext(dir));
    const [folder] = fs.readdirSync(path.join(dir, 'supernets'));
    const checkpoint = readCheckpoint(path.join(dir, 'supernets', folder!, 'supernet.json'))!;
    expect(Object.keys(checkpoint.sets).sort()).toEqual(['one-shot', 'sub-0', 'sub-1', 'sub-2', 'sub-3', 'sub-4']);
    expect(checkpoint.complete).toBe(true);
    const r = await e.estimate(s.parse(CONV), testEstimateContext(0));
    expect(r.info).toMatchObject({ subSupernet: 3 }); // edge 0 is nor_conv_3x3
    expect((await e.estimate(s.parse(EMPTY), testEstimateContext(0))).info).toMatchObject({ subSupernet: 0 });
    await e.dispose?.();
    // A deeper split: 25 sub-supernets over edges 0 and 1.
    const deep = await create(fewShotEstimator, { ...TINY, epochs: 1, split: { edges: [0, 1], epochs: 1 }, trainLimit: 32 });
    await deep.prepare!(workContext(tmp()));
    expect((await deep.estimate(s.parse(CONV), testEstimateContext(0))).info).toMatchObject({ subSupernet: 3 * 5 + 0 });
    await deep.dispose?.();
  });

  it('few-shot: split.lr sets the sub-supernets’ learning rate (0: their parameters stay the one-shot weights)', async () => {
    const dir = tmp();
    const e = await create(fewShotEstimator, { ...TINY, epochs: 1, weightDecay: 0, split: { epochs: 1, lr: 0 } });
    await e.prepare!(workContext(dir));
    const folder = path.join(dir, 'supernets', fs.readdirSync(path.join(dir, 'supernets'))[0]!);
    const checkpoint = readCheckpoint(path.join(folder, 'supernet.json'))!;
    expect(checkpoint.setup.schedule).toMatchObject({ splitLr: 0 });
    const oneShot = readWeightSet(folder, checkpoint.sets['one-shot']!, 'supernet.json');
    const sub = readWeightSet(folder, checkpoint.sets['sub-3']!, 'supernet.json');
    const parameters = [...oneShot.keys()].filter((n) => !/running_(mean|var)$/.test(n));
    const same = (a: Float32Array, b: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    expect(parameters.length).toBeGreaterThan(10);
    expect(parameters.filter((n) => !same(sub.get(n)!, oneShot.get(n)!))).toEqual([]);
    await e.dispose?.();
    // The default restarts at lr: the used paths' parameters move.
    const moved = await create(fewShotEstimator, { ...TINY, epochs: 1, split: { epochs: 1 } });
    const dir2 = tmp();
    await moved.prepare!(workContext(dir2));
    const folder2 = path.join(dir2, 'supernets', fs.readdirSync(path.join(dir2, 'supernets'))[0]!);
    const c2 = readCheckpoint(path.join(folder2, 'supernet.json'))!;
    const o2 = readWeightSet(folder2, c2.sets['one-shot']!, 'supernet.json');
    const s2 = readWeightSet(folder2, c2.sets['sub-3']!, 'supernet.json');
    expect(parameters.filter((n) => !same(s2.get(n)!, o2.get(n)!)).length).toBeGreaterThan(0);
    await moved.dispose?.();
  });

  it('init: one-shot trains on from a trained supernet; few-shot with epochs 0 splits it as it is', async () => {
    const parentDir = tmp();
    const parent = await create(oneShotEstimator, { ...TINY, epochs: 1 });
    await parent.prepare!(workContext(parentDir));
    await parent.dispose?.();
    const parentFolder = path.join(parentDir, 'supernets', fs.readdirSync(path.join(parentDir, 'supernets'))[0]!);
    const file = path.join(parentFolder, 'supernet.json');
    const parentCheckpoint = readCheckpoint(file)!;
    const parentWeights = readWeightSet(parentFolder, parentCheckpoint.sets['one-shot']!, file);
    const parameters = [...parentWeights.keys()].filter((n) => !/running_(mean|var)$/.test(n));
    const same = (a: Float32Array, b: Float32Array) =>
      Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
    const weightsOf = (dir: string, set: string) => {
      const folder = path.join(dir, 'supernets', fs.readdirSync(path.join(dir, 'supernets'))[0]!);
      const checkpoint = readCheckpoint(path.join(folder, 'supernet.json'))!;
      return { checkpoint, weights: readWeightSet(folder, checkpoint.sets[set]!, 'supernet.json') };
    };
    expect(parameters.length).toBeGreaterThan(10);

    // Few-shot, epochs 0: the parent is recorded as it is, and each sub-supernet starts from it
    // (split.lr 0 keeps the parameters: they are the parent's, not a random initialisation).
    const splitDir = tmp();
    const split = await create(fewShotEstimator, { ...TINY, epochs: 0, weightDecay: 0, split: { epochs: 1, lr: 0 }, init: file });
    await split.prepare!(workContext(splitDir));
    const fromParent = weightsOf(splitDir, 'one-shot');
    expect(fromParent.checkpoint.setup.schedule).toMatchObject({ epochs: 0, init: { fingerprint: parentCheckpoint.fingerprint, epochs: 1 } });
    expect(fromParent.checkpoint.sets['one-shot']!.epochsDone).toBe(0);
    expect(parameters.filter((n) => !same(fromParent.weights.get(n)!, parentWeights.get(n)!))).toEqual([]);
    const sub = weightsOf(splitDir, 'sub-3').weights;
    expect(parameters.filter((n) => !same(sub.get(n)!, parentWeights.get(n)!))).toEqual([]);
    expect((await split.estimate(s.parse(CONV), testEstimateContext(0))).info).toMatchObject({ subSupernet: 3 });
    await split.dispose?.();

    // One-shot from the parent at lr 0 ends with the parent's parameters; without init, with its own random ones.
    const onDir = tmp();
    const on = await create(oneShotEstimator, { ...TINY, epochs: 1, lr: 0, weightDecay: 0, init: file });
    await on.prepare!(workContext(onDir));
    const trainedOn = weightsOf(onDir, 'one-shot').weights;
    expect(parameters.filter((n) => !same(trainedOn.get(n)!, parentWeights.get(n)!))).toEqual([]);
    await on.dispose?.();
    const freshDir = tmp();
    const fresh = await create(oneShotEstimator, { ...TINY, epochs: 1, lr: 0, weightDecay: 0 });
    await fresh.prepare!(workContext(freshDir));
    const random = weightsOf(freshDir, 'one-shot').weights;
    expect(parameters.filter((n) => !same(random.get(n)!, parentWeights.get(n)!)).length).toBeGreaterThan(10);
    await fresh.dispose?.();
    // A supernet split from init loads with the same options and no init (where it started is its history).
    const splitFile = path.join(splitDir, 'supernets', fs.readdirSync(path.join(splitDir, 'supernets'))[0]!, 'supernet.json');
    const loaded = await create(fewShotEstimator, { ...TINY, epochs: 0, weightDecay: 0, split: { epochs: 1, lr: 0 }, load: splitFile });
    const trained: string[] = [];
    await loaded.prepare!(workContext(tmp(), { emit: (ev: EventDraft) => ev.type === 'metric' && trained.push(ev.name) }));
    expect(trained).toEqual([]);
    expect((await loaded.estimate(s.parse(CONV), testEstimateContext(0))).info).toMatchObject({ subSupernet: 3 });
    await loaded.dispose?.();
    // The same options but init: another setup, so neither reuses the other's checkpoint.
    expect(fs.readdirSync(path.join(onDir, 'supernets'))).not.toEqual(fs.readdirSync(path.join(freshDir, 'supernets')));
  });

  it('evalSplit test: a supernet trained once is evaluated on the test split, loaded as it is', async () => {
    const dir = tmp();
    const e = await create(oneShotEstimator, { ...TINY, epochs: 1 });
    await e.prepare!(workContext(dir));
    const onValidation = await e.estimate(s.parse(CONV), testEstimateContext(0));
    await e.dispose?.();
    expect(onValidation.info).toEqual({ valSamples: 60 });
    const [folder] = fs.readdirSync(path.join(dir, 'supernets'));
    const file = path.join(dir, 'supernets', folder!, 'supernet.json');
    // The evaluation split is not part of the setup: the same supernet loads for the test split.
    const onTest = await create(oneShotEstimator, { ...TINY, epochs: 1, load: file, evalSplit: 'test' });
    const trained: string[] = [];
    await onTest.prepare!(workContext(tmp(), { emit: (ev: EventDraft) => ev.type === 'metric' && trained.push(ev.name) }));
    expect(trained).toEqual([]);
    const r = await onTest.estimate(s.parse(CONV), testEstimateContext(0));
    // 300 digits: 210 train, 60 validation, 30 test.
    expect(t.splits.test!.size).toBe(30);
    expect(r.info).toEqual({ valSamples: 30, evalSplit: 'test' });
    // An accuracy over 30 digits is a whole number of thirtieths.
    const correct = (r.metrics['supernet_acc']! / 100) * 30;
    expect(Math.abs(correct - Math.round(correct))).toBeLessThan(1e-6);
    // valLimit takes a subset of the split evaluated on.
    const fewer = await create(oneShotEstimator, { ...TINY, epochs: 1, load: file, evalSplit: 'test', valLimit: 20 });
    expect((await fewer.estimate(s.parse(CONV), testEstimateContext(0))).info).toEqual({ valSamples: 20, evalSplit: 'test' });
    await onTest.dispose?.();
    await fewer.dispose?.();
  });

  it('rlnas: trains on random labels and ranks by the angle; a path cut by none edges gets 0', async () => {
    const e = await create(rlnasEstimator, RL_TINY);
    await e.prepare!(workContext(tmp()));
    const conv = await e.estimate(s.parse(CONV), testEstimateContext(0));
    expect(conv.metrics['angle']).toBeGreaterThan(0);
    expect(conv.metrics['angle']).toBeLessThan(Math.PI / 2);
    expect((await e.estimate(s.parse(EMPTY), testEstimateContext(0))).metrics['angle']).toBe(0);
    await e.dispose?.();
  });

  describe('bad input gets a clear error', () => {
    const expectConfigError = async (make: () => unknown | Promise<unknown>, pattern: RegExp, pointer?: string) => {
      try {
        await make();
        throw new Error('expected an error');
      } catch (e) {
        expect(isNasxError(e)).toBe(true);
        expect((e as Error).message).toMatch(pattern);
        if (pointer) expect((e as { where?: { pointer?: string } }).where?.pointer).toBe(pointer);
      }
    };

    it('a space without a supernet builder', async () => {
      await expectConfigError(
        () => oneShotEstimator.create(optionsFor(oneShotEstimator, TINY), deps({ space: createToySpace() })),
        /search space "toy" has no supernet builder/,
        '/space',
      );
    });

    it('a split edge that does not exist', async () => {
      await expectConfigError(
        () => create(fewShotEstimator, { ...TINY, split: { edges: [0, 6] } }),
        /split.edges holds 6, but space "nb201" has 6 decisions \(0: edge 1←0/,
        '/options/split/edges/1',
      );
    });

    it('no task, or a task that is not image classification', async () => {
      await expectConfigError(() => oneShotEstimator.create(optionsFor(oneShotEstimator, TINY), deps({ task: undefined })), /has no task/, '/task');
    });

    it('a supernet trained for another schedule or skeleton, a missing or unfinished one', async () => {
      const dir = tmp();
      const e = await create(oneShotEstimator, { ...TINY, epochs: 1 });
      await e.prepare!(workContext(dir));
      await e.dispose?.();
      const [folder] = fs.readdirSync(path.join(dir, 'supernets'));
      const file = path.join(dir, 'supernets', folder!, 'supernet.json');
      const other = await create(oneShotEstimator, { ...TINY, epochs: 3, macro: { channels: 8, cellsPerStage: 1 }, load: file });
      await expectConfigError(
        () => other.prepare!(workContext(tmp())),
        /was trained for another setup: macro \{"cellsPerStage":1,"channels":4\} ≠ \{"cellsPerStage":1,"channels":8\}; schedule.epochs 1 ≠ 3/,
        '/options/load',
      );
      const wrongKind = await create(rlnasEstimator, { ...RL_TINY, epochs: 1, load: file });
      await expectConfigError(() => wrongKind.prepare!(workContext(tmp())), /contribution "one-shot" ≠ "rlnas"/, '/options/load');
      await expectConfigError(() => create(oneShotEstimator, { ...TINY, load: path.join(dir, 'nope.json') }), /does not exist/, '/options/load');
      // The same setup loads, and estimates without training.
      const same = await create(oneShotEstimator, { ...TINY, epochs: 1, load: file });
      const trained: string[] = [];
      await same.prepare!(workContext(tmp(), { emit: (ev: EventDraft) => ev.type === 'metric' && trained.push(ev.name) }));
      expect(trained).toEqual([]);
      await same.dispose?.();
    });

    it('init: with load, missing, of another skeleton or estimator; few-shot epochs 0 without it', async () => {
      await expectConfigError(
        () => create(fewShotEstimator, { ...TINY, epochs: 0, split: { epochs: 1 } }),
        /epochs 0, which splits the supernet given by init, but there is no init/,
        '/options/epochs',
      );
      await expectConfigError(() => create(oneShotEstimator, { ...TINY, load: 'a.json', init: 'b.json' }), /both load .* and init/, '/options/init');
      const dir = tmp();
      const e = await create(oneShotEstimator, { ...TINY, epochs: 1 });
      await e.prepare!(workContext(dir));
      await e.dispose?.();
      const file = path.join(dir, 'supernets', fs.readdirSync(path.join(dir, 'supernets'))[0]!, 'supernet.json');
      // Checked when the estimator is created, before anything trains.
      await expectConfigError(
        () => create(oneShotEstimator, { ...TINY, init: path.join(dir, 'nope.json') }),
        /init names .*nope\.json, which does not exist/,
        '/options/init',
      );
      await expectConfigError(
        () => create(fewShotEstimator, { ...TINY, macro: { channels: 8, cellsPerStage: 1 }, epochs: 0, split: { epochs: 1 }, init: file }),
        /is of another space, skeleton or task shape: macro \{"cellsPerStage":1,"channels":4\} ≠ \{"cellsPerStage":1,"channels":8\}$/,
        '/options/init',
      );
      const rlDir = tmp();
      const rl = await create(rlnasEstimator, { ...RL_TINY, epochs: 1 });
      await rl.prepare!(workContext(rlDir));
      await rl.dispose?.();
      const rlFile = path.join(rlDir, 'supernets', fs.readdirSync(path.join(rlDir, 'supernets'))[0]!, 'supernet.json');
      await expectConfigError(() => create(oneShotEstimator, { ...TINY, init: rlFile }), /a supernet of estimator "rlnas"/, '/options/init');
    });

    it('evalSplit test with a task that has no test split', async () => {
      const noTest = (await mnist.contributions[0]!.create({ limit: 300, testSize: 0 }, testDeps() as never)) as Task;
      expect(noTest.splits.test).toBeUndefined();
      for (const def of [oneShotEstimator, fewShotEstimator])
        await expectConfigError(
          () => def.create(optionsFor(def, { ...TINY, evalSplit: 'test' } as never), deps({ task: noTest })),
          new RegExp(`estimator "${def === oneShotEstimator ? 'one-shot' : 'few-shot'}" has evalSplit test, but task "mnist" has no test split`),
          '/options/evalSplit',
        );
    });

    it('an architecture of another space', async () => {
      const e = await create(oneShotEstimator, { ...TINY, epochs: 1 });
      await e.prepare!(workContext(tmp()));
      await expectConfigError(
        () => e.estimate({ space: 'nb101', key: 'x', genotype: {} }, testEstimateContext(0)),
        /architecture of space "nb101" in a run over "nb201"/,
      );
      await e.dispose?.();
    });
  });
});
