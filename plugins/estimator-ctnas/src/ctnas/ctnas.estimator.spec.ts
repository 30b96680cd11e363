import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isComparator, isPredictor, type LabelledArchitecture, type OptionsInput } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { PREDICTOR_COMMON_SCHEMA_PROPERTIES } from '@nasx/predictors';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { initTensorBackend, tf } from '@nasx/tensor';
import { labelledSample, nb201ToyLabel, neverAborted, silentLogger, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { CTNAS_DEFAULTS, CtnasEstimator, ctnasEstimator, type CtnasOptions } from './ctnas.estimator';
import schema from './ctnas.schema.json';

const space = createNb201SearchSpace();
const ctx = (stateDir?: string) => ({
  runId: 't',
  rng: createRng(0),
  signal: neverAborted,
  logger: silentLogger,
  emit: () => undefined,
  ...(stateDir ? { stateDir } : {}),
});
const SMALL: OptionsInput<CtnasOptions> = { epochs: 4, hidden: 16, mlpHidden: 8, pairsPerEpoch: 256, referenceSize: 10, seed: 3 };

/** NB201 cells labelled with a known function: more 3×3 convolutions and fewer `none` edges is better. */
const labelled = (n: number, seed: number): LabelledArchitecture[] => labelledSample(space, n, seed, nb201ToyLabel);

async function create(options: OptionsInput<CtnasOptions>, estimators = {}): Promise<CtnasEstimator> {
  return (await ctnasEstimator.create(validatedOptions(ctnasEstimator.optionsSchema, options), {
    ...testDeps(),
    space,
    latencyModels: [],
    estimators,
  })) as CtnasEstimator;
}

beforeAll(async () => {
  await initTensorBackend();
});

describe('ctnas options', () => {
  it('schema and CtnasOptions list the same options, and the shared ones are those of @nasx/predictors', () => {
    const keys: (keyof Required<CtnasOptions>)[] = [
      'labels',
      'seed',
      'maxNodes',
      'layers',
      'hidden',
      'mlpHidden',
      'antisymmetric',
      'epochs',
      'pairsPerEpoch',
      'batchSize',
      'lr',
      'weightDecay',
      'referenceSize',
    ];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
    for (const [k, v] of Object.entries(PREDICTOR_COMMON_SCHEMA_PROPERTIES)) expect((schema.properties as Record<string, unknown>)[k]).toEqual(v);
    expect(CTNAS_DEFAULTS).toMatchObject({ layers: 2, antisymmetric: true });
  });
});

describe('ctnas comparator on NAS-Bench-201 graphs', () => {
  it('is a Predictor and a Comparator; antisymmetric by construction: compare(a,b) + compare(b,a) = 1, compare(a,a) = 0.5', async () => {
    const e = await create(SMALL);
    expect(isPredictor(e)).toBe(true);
    expect(isComparator(e)).toBe(true);
    await e.fit(labelled(30, 1), ctx());
    const archs = labelled(6, 2).map((d) => d.arch);
    for (const a of archs) {
      expect(await e.compare(a, a)).toBeCloseTo(0.5, 6);
      for (const b of archs) {
        const p = await e.compare(a, b);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThanOrEqual(1);
        expect(p + (await e.compare(b, a))).toBeCloseTo(1, 5);
      }
    }
    e.dispose();
  });

  it('without antisymmetric (the paper’s plain head), compare stays a probability but the symmetry is only learnt', async () => {
    const e = await create({ ...SMALL, antisymmetric: false });
    await e.fit(labelled(30, 1), ctx());
    const [a, b] = labelled(2, 9).map((d) => d.arch);
    const p = await e.compare(a!, b!);
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    e.dispose();
  });

  it('learns the order of a known function: held-out pairwise accuracy well above chance', async () => {
    const e = await create({ ...SMALL, epochs: 30, pairsPerEpoch: 1024 });
    await e.fit(labelled(80, 4), ctx());
    const test = labelled(40, 5);
    let right = 0;
    let pairs = 0;
    for (let i = 0; i < test.length; i += 2) {
      const [x, y] = [test[i]!, test[i + 1]!];
      if (x.value === y.value) continue;
      pairs++;
      if ((await e.compare(x.arch, y.arch)) > 0.5 === x.value > y.value) right++;
    }
    expect(right / pairs).toBeGreaterThan(0.75);
    e.dispose();
  });

  it('estimate is the mean probability of beating the fixed reference set, and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const e = await create(SMALL);
    await e.fit(labelled(30, 1), ctx());
    expect(e.references.length).toBe(10);
    const a = labelled(1, 7)[0]!.arch;
    const [est] = await e.estimateMany([a], testEstimateContext());
    let mean = 0;
    for (const r of e.references) mean += await e.compare(a, r);
    expect(est!.metrics['ctnas']).toBeCloseTo(mean / e.references.length, 5);
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips through the run folder: a second instance reloads instead of refitting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ctnas-'));
    try {
      const a = await create(SMALL);
      expect(a.trainingData).toEqual([]);
      const data = labelled(20, 4);
      await a.fit(data, ctx(dir));
      expect(a.trainingData.map((d) => [d.arch.key, d.value])).toEqual(data.map((d) => [d.arch.key, d.value]));
      const archs = labelled(6, 6).map((d) => d.arch);
      const expected = (await a.estimateMany(archs, testEstimateContext())).map((r) => r.metrics['ctnas']);
      const p = await a.compare(archs[0]!, archs[1]!);
      a.dispose();
      const b = await create(SMALL);
      await b.prepare(ctx(dir));
      expect(b.isFitted).toBe(true);
      expect(b.trainingData.map((d) => [d.arch.key, d.value])).toEqual(data.map((d) => [d.arch.key, d.value])); // data exploration refits on it
      expect((await b.estimateMany(archs, testEstimateContext())).map((r) => r.metrics['ctnas'])).toEqual(expected);
      expect(await b.compare(archs[0]!, archs[1]!)).toBe(p);
      b.dispose();
      // Another setup (options) does not reuse the state.
      const c = await create({ ...SMALL, hidden: 12 });
      await c.prepare(ctx(dir));
      expect(c.isFitted).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails clearly: unfitted, too few labels, constant labels, foreign space, unknown labelling estimator', async () => {
    const e = await create(SMALL);
    const a = labelled(1, 1)[0]!.arch;
    await expect(e.compare(a, a)).rejects.toMatchObject({ kind: 'usage', fix: expect.stringMatching(/labels/) });
    await expect(e.fit(labelled(5, 1), ctx())).rejects.toMatchObject({ kind: 'usage' });
    await expect(
      e.fit(
        labelled(12, 1).map((d) => ({ ...d, value: 1 })),
        ctx(),
      ),
    ).rejects.toMatchObject({ kind: 'data' });
    await expect(e.fit([...labelled(12, 1), { arch: { space: 'toy', genotype: [0], key: '0' }, value: 1 }], ctx())).rejects.toMatchObject({
      kind: 'architecture',
    });
    await expect(create({ ...SMALL, labels: { estimator: 'nope', samples: 20 } })).rejects.toMatchObject({
      kind: 'config',
      where: { pointer: '/options/labels/estimator' },
    });
  });
});
