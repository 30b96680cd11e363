import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError, type EventDraft, type SearchSpace, type Task, type WorkContext } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import deepnets from '@nasx/search-space-deepnets';
import nb101 from '@nasx/search-space-nb101';
import nb201 from '@nasx/search-space-nb201';
import mnist from '@nasx/task-mnist';
import { describeEstimatorContract, describePluginPackage, optionsFor, silentLogger, testDeps, testEstimateContext } from '@nasx/testing';
import plugin, { ghnEstimator } from '../index';
import { readCheckpoint } from './checkpoint';

/** Tiny networks: 4 channels, 1–2 cells of 1–2 nodes. */
const SMALL_NETS = { channels: [4], layers: [1, 2], nodes: [1, 2], stem: [1] };
const deepnetsSpace = async (): Promise<SearchSpace> => (await deepnets.contributions[0]!.create(SMALL_NETS, testDeps() as never)) as SearchSpace;
const nb201Space = async (): Promise<SearchSpace> => (await nb201.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
const nb101Space = async (): Promise<SearchSpace> => (await nb101.contributions[0]!.create({}, testDeps() as never)) as SearchSpace;
// 300 MNIST digits: 210 train, 60 validation.
const task = async (): Promise<Task> => {
  const t = (await mnist.contributions[0]!.create({ limit: 300 }, testDeps() as never)) as Task;
  await t.load?.();
  return t;
};
/** A small GHN meta-trained for 4 steps of 2 graphs on 16 digits. */
const TINY = {
  ghn: { hidden: 8, maxShape: [8, 8, 3, 3], virtualEdges: 3 },
  train: { count: 4, epochs: 2, metaBatch: 2, batchSize: 16, trainLimit: 64, checkpointEvery: 1, deepnets: SMALL_NETS },
  valLimit: 48,
  evalBatchSize: 16,
};

describePluginPackage(path.resolve(__dirname, '../..'), plugin);
describeEstimatorContract(ghnEstimator, { space: deepnetsSpace, options: TINY, deps: async () => ({ task: await task() }), samples: 3, deterministic: true });

function workContext(stateDir: string, extra: Partial<WorkContext> = {}): WorkContext {
  return { runId: 'test', rng: createRng(1), signal: new AbortController().signal, logger: silentLogger, emit: () => undefined, stateDir, ...extra };
}

describe('ghn estimator', () => {
  let space: SearchSpace;
  let t: Task;
  const dirs: string[] = [];
  beforeAll(async () => {
    space = await deepnetsSpace();
    t = await task();
  });
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });
  const tmp = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ghn-spec-'));
    dirs.push(d);
    return d;
  };
  const create = (options: object, extra: object = {}) =>
    ghnEstimator.create(optionsFor(ghnEstimator, options as never), { ...testDeps(), space, task: t, latencyModels: [], estimators: {}, ...extra });
  const folderOf = (dir: string) => path.join(dir, 'ghn', fs.readdirSync(path.join(dir, 'ghn'))[0]!);

  it('meta-trains once in prepare, checkpoints, and estimates held-out graphs beside random initialisation and after fine-tuning', async () => {
    const dir = tmp();
    const e = await create({ ...TINY, baseline: true, fineTune: { steps: 2, batchSize: 16, at: [0, 1] } });
    const steps: number[] = [];
    await e.prepare!(workContext(dir, { emit: (ev: EventDraft) => ev.type === 'metric' && ev.name === 'ghn_meta_loss' && steps.push(ev.step!) }));
    expect(steps).toEqual([1, 2, 3, 4]);
    const folder = folderOf(dir);
    const c = readCheckpoint(path.join(folder, 'ghn.json'))!;
    expect(c).toMatchObject({ complete: true, stepsDone: 4, totalSteps: 4, setup: { graphs: 'deepnets', numClasses: 10, inputShape: [1, 28, 28] } });
    expect(c.history).toHaveLength(4);
    expect(c.optimizer).toBeUndefined();
    // Only the final weights' file is left: no Adam state, no earlier checkpoint.
    expect(fs.readdirSync(folder).filter((f) => f.endsWith('.bin'))).toEqual([c.weights.file]);
    const trained = (JSON.parse(fs.readFileSync(path.join(folder, 'graphs.json'), 'utf8')) as { graphs: { key: string; genotype: never }[] }).graphs;
    expect(trained).toHaveLength(4);
    const seen = await e.estimate(space.parse(JSON.stringify(trained[0]!.genotype)), testEstimateContext(0));
    expect(seen.info).toMatchObject({ heldOut: false, valSamples: 48 });
    const other = space.sample(createRng(99));
    const r = await e.estimate(other, testEstimateContext(1));
    expect(r.info).toMatchObject({ heldOut: !trained.some((g) => g.key === other.key) });
    // The fine-tuning curves start where the untrained estimates are, and end at the reported values.
    const curve = (r.info as { fineTune: { steps: number[]; ghn: number[]; init: number[] } }).fineTune;
    expect(curve.steps).toEqual([0, 1, 2]);
    expect(curve.ghn[0]).toBeCloseTo(r.metrics['ghn_acc']!, 6);
    expect(curve.init[0]).toBeCloseTo(r.metrics['init_acc']!, 6);
    expect([curve.ghn[2], curve.init[2]]).toEqual([r.metrics['ghn_finetune_acc'], r.metrics['init_finetune_acc']]);
    for (const m of ['ghn_acc', 'init_acc', 'ghn_finetune_acc', 'init_finetune_acc']) {
      expect(r.metrics[m]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[m]).toBeLessThanOrEqual(100);
    }
    expect(r.metrics['ghn_loss']).toBeGreaterThan(0);
    await e.dispose?.();
    // GHN-orth: the same prediction, but both fine-tuning starts orthogonalised first.
    const orth = await create(
      { ...TINY, baseline: true, load: path.join(folder, 'ghn.json'), fineTune: { steps: 2, batchSize: 16, at: [0, 1], orthogonalize: true, noise: 3e-5 } },
      { configDir: '/' },
    );
    await orth.prepare!(workContext(tmp()));
    const o = await orth.estimate(other, testEstimateContext(1));
    const oc = (o.info as { fineTune: { ghn: number[]; init: number[] } }).fineTune;
    expect([o.metrics['ghn_acc'], o.metrics['init_acc']]).toEqual([r.metrics['ghn_acc'], r.metrics['init_acc']]);
    expect([oc.ghn[0], oc.init[0]]).not.toEqual([curve.ghn[0], curve.init[0]]);
    await orth.dispose?.();
  });

  it('a killed meta-training resumes from its last checkpoint and ends with the uninterrupted GHN, bit for bit', async () => {
    const dir = tmp();
    const stop = new AbortController();
    const e = await create(TINY);
    await expect(
      e.prepare!(workContext(dir, { signal: stop.signal, emit: (ev: EventDraft) => ev.type === 'metric' && ev.step === 2 && stop.abort(new Error('killed')) })),
    ).rejects.toThrow();
    const folder = folderOf(dir);
    expect(readCheckpoint(path.join(folder, 'ghn.json'))).toMatchObject({
      stepsDone: 2,
      complete: false,
      optimizer: { file: expect.stringMatching(/^adam\.[0-9a-f]{12}\.bin$/) },
    });
    const logs: string[] = [];
    const resumed = await create(TINY);
    await resumed.prepare!(workContext(dir, { logger: { ...silentLogger, info: (m: string) => logs.push(m) } }));
    expect(logs.some((m) => /resuming meta-training at step 3 of 4/.test(m))).toBe(true);
    const whole = await create(TINY);
    const wholeDir = tmp();
    await whole.prepare!(workContext(wholeDir));
    expect(path.basename(folderOf(wholeDir))).toBe(path.basename(folder));
    const weightsFile = (f: string) => readCheckpoint(path.join(f, 'ghn.json'))!.weights.file;
    expect(weightsFile(folder)).toBe(weightsFile(folderOf(wholeDir)));
    expect(
      fs.readFileSync(path.join(folder, weightsFile(folder))).equals(fs.readFileSync(path.join(folderOf(wholeDir), weightsFile(folderOf(wholeDir))))),
    ).toBe(true);
    // The same estimates, from the resumed and the uninterrupted GHN.
    const a = space.sample(createRng(3));
    expect((await resumed.estimate(a, testEstimateContext(0))).metrics).toEqual((await whole.estimate(a, testEstimateContext(0))).metrics);

    // load: another run uses the finished GHN as it is; a GHN of another shape is refused.
    const loaded = await create({ ...TINY, load: path.join(folder, 'ghn.json') }, { configDir: '/' });
    await loaded.prepare!(workContext(tmp()));
    expect((await loaded.estimate(a, testEstimateContext(0))).metrics).toEqual((await whole.estimate(a, testEstimateContext(0))).metrics);
    // Checked when the estimator is made, before a run starts.
    const other = await Promise.resolve()
      .then(() => create({ ...TINY, ghn: { ...TINY.ghn, hidden: 12 }, load: path.join(folder, 'ghn.json') }))
      .catch((x: unknown) => x);
    expect(isNasxError(other) && other.kind === 'config' && other.where.pointer === '/estimator/options/load' && /hidden/.test(other.message)).toBe(true);
    const missing = await Promise.resolve()
      .then(() => create({ ...TINY, load: path.join(folder, 'nope.json') }))
      .catch((x: unknown) => x);
    expect(isNasxError(missing) && /which does not exist/.test(missing.message)).toBe(true);
    for (const x of [e, resumed, whole, loaded]) await x.dispose?.();
  });

  it('meta-trains on the run’s own space (GHN-1 style) and predicts NB201 networks', async () => {
    const s = await nb201Space();
    const e = await create({ ...TINY, train: { ...TINY.train, graphs: 'space', count: 2, epochs: 1 }, macro: { channels: 4, cellsPerStage: 1 } }, { space: s });
    await e.prepare!(workContext(tmp()));
    const r = await e.estimate(s.parse('|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|nor_conv_1x1~2|'), testEstimateContext(0));
    expect(r.metrics['ghn_acc']).toBeGreaterThanOrEqual(0);
    expect(r.info).toMatchObject({ params: expect.any(Number), nodes: expect.any(Number) });
    await e.dispose?.();
  });

  it('meta-trained on generated networks, predicts NB101 networks it never saw (the nb101 builder’s graph)', async () => {
    const s = await nb101Space();
    const e = await create({ ...TINY, macro: { channels: 4, stacks: 1, modulesPerStack: 1 } }, { space: s });
    await e.prepare!(workContext(tmp()));
    const arch = s.parse('[[0,1,1,0,0],[0,0,0,1,0],[0,0,0,1,0],[0,0,0,0,1],[0,0,0,0,0]]|input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output');
    const r = await e.estimate(arch, testEstimateContext(0));
    expect(r.metrics['ghn_acc']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['ghn_loss']).toBeGreaterThan(0);
    // Every parameter of the network is predicted: its count is the builder's.
    expect(r.info).toMatchObject({ heldOut: true, params: expect.any(Number) });
    expect((r.info as { nodes: number }).nodes).toBeGreaterThan(8);
    await e.dispose?.();
  });

  it('refuses a run without an image task, and a space whose networks it cannot read', async () => {
    const noTask = await Promise.resolve()
      .then(() => create(TINY, { task: undefined }))
      .catch((x: unknown) => x);
    expect(isNasxError(noTask) && noTask.kind === 'config' && noTask.where.pointer === '/task').toBe(true);
    const toy = { ...space, id: 'toy' } as SearchSpace;
    const noBuilder = await Promise.resolve()
      .then(() => create(TINY, { space: toy }))
      .catch((x: unknown) => x);
    expect(isNasxError(noBuilder) && noBuilder.kind === 'config' && noBuilder.where.pointer === '/space' && /no network builder/.test(noBuilder.message)).toBe(
      true,
    );
  });
});
