import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LabelledArchitecture, OptionsInput } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { GraphPredictor, PREDICTOR_COMMON_SCHEMA_PROPERTIES, RenasFeatureEncoder, predictScores, type PredictorEstimator } from '@nasx/predictors';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { kendallTau } from '@nasx/stats';
import { initTensorBackend, tf } from '@nasx/tensor';
import { labelledSample, nb201ToyLabel, neverAborted, silentLogger, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { RENAS_DEFAULTS, renasEstimator, renasModel, type RenasOptions } from './renas.estimator';
import { createRenasNetwork } from './renas.network';
import schema from './renas.schema.json';

const space = createNb201SearchSpace();
const ctx = (stateDir?: string) => ({
  runId: 't',
  rng: createRng(0),
  signal: neverAborted,
  logger: silentLogger,
  emit: () => undefined,
  ...(stateDir ? { stateDir } : {}),
});
const SMALL: OptionsInput<RenasOptions> = { channels: [4, 8], fc: [16], epochs: 30, batchSize: 64, seed: 3 };

/** NB201 cells labelled with a known function: more 3×3 convolutions and fewer `none` edges is better. */
const labelled = (n: number, seed: number): LabelledArchitecture[] => labelledSample(space, n, seed, nb201ToyLabel);

async function create(options: OptionsInput<RenasOptions>): Promise<PredictorEstimator<RenasOptions>> {
  return (await renasEstimator.create(validatedOptions(renasEstimator.optionsSchema, options), {
    ...testDeps(),
    space,
    latencyModels: [],
    estimators: {},
  })) as PredictorEstimator<RenasOptions>;
}

beforeAll(async () => {
  await initTensorBackend();
});

describe('renas options', () => {
  it('schema and RenasOptions list the same options, and the shared ones are those of @nasx/predictors', () => {
    const keys: (keyof Required<RenasOptions>)[] = ['labels', 'seed', 'maxNodes', 'channels', 'fc', 'loss', 'epochs', 'batchSize', 'lr', 'weightDecay'];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
    for (const [k, v] of Object.entries(PREDICTOR_COMMON_SCHEMA_PROPERTIES)) expect((schema.properties as Record<string, unknown>)[k]).toEqual(v);
    expect(RENAS_DEFAULTS).toMatchObject({ fc: [120, 84], loss: 'logistic', lr: 0.001, weightDecay: 0 });
  });
});

describe('renas network', () => {
  it('is 3×3 conv + batch norm + ReLU blocks over the N×N×C tensor, then fully connected layers to one score', () => {
    const graphs = labelled(6, 1).map((d) => space.toGraph(d.arch));
    const encoder = RenasFeatureEncoder.fit(graphs);
    const net = createRenasNetwork(encoder, { channels: [4, 8], fc: [10] }, 0);
    // NB201 graphs carry FLOPs and params: 3 input channels (type, FLOPs, params).
    expect(encoder.channels).toEqual(['type', 'flops', 'params']);
    // conv 3·3·3·4 + bn 2·4, conv 3·3·4·8 + bn 2·8, fc 11·11·8·10 + 10, out 10 + 1
    expect(net.parameters.count).toBe(108 + 8 + 288 + 16 + 968 * 10 + 10 + 11);
    expect([...net.parameters.buffers.keys()].sort()).toEqual(['bn0.running_mean', 'bn0.running_var', 'bn1.running_mean', 'bn1.running_var']);
    expect(predictScores(net, encoder.encode(graphs)).length).toBe(6);
    net.parameters.dispose();
  });
});

describe('renas estimator on NAS-Bench-201 graphs', () => {
  it('learns order, not values: any increasing transform of the labels gives the same model', async () => {
    const data = labelled(40, 2);
    const squashed = data.map((d) => ({ ...d, value: Math.exp(d.value) * 1000 - 7 }));
    const archs = labelled(20, 9).map((d) => d.arch);
    const fit = async (xs: LabelledArchitecture[]) => {
      const e = await create({ ...SMALL, epochs: 3 });
      await e.fit(xs, ctx());
      const s = (await e.estimateMany(archs, testEstimateContext())).map((r) => r.metrics['renas']);
      e.dispose();
      return s;
    };
    expect(await fit(squashed)).toEqual(await fit(data));
  });

  it('ranks held-out cells by a known function after fitting 120 (Kendall τ > 0.5)', async () => {
    const e = await create(SMALL);
    await e.fit(labelled(120, 4), ctx());
    const test = labelled(200, 5);
    const scores = (
      await e.estimateMany(
        test.map((d) => d.arch),
        testEstimateContext(),
      )
    ).map((r) => r.metrics['renas'] as number);
    expect(
      kendallTau(
        scores,
        test.map((d) => d.value),
      ),
    ).toBeGreaterThan(0.5);
    e.dispose();
  });

  it('fits, predicts, reloads the same model (batch-norm statistics included) and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-renas-'));
    try {
      const e = await create({ ...SMALL, epochs: 2 });
      await e.fit(labelled(30, 6), ctx(dir));
      const test = labelled(20, 7);
      const expected = (
        await e.estimateMany(
          test.map((d) => d.arch),
          testEstimateContext(),
        )
      ).map((r) => r.metrics['renas']);
      const restored = GraphPredictor.restore(renasModel(SMALL), JSON.parse(JSON.stringify(e.predictor!.toState())));
      expect(Array.from(restored.predict(test.map((d) => space.toGraph(d.arch))))).toEqual(expected);
      restored.dispose();
      e.dispose();
      const again = await create({ ...SMALL, epochs: 2 });
      await again.prepare(ctx(dir));
      expect(
        (
          await again.estimateMany(
            test.map((d) => d.arch),
            testEstimateContext(),
          )
        ).map((r) => r.metrics['renas']),
      ).toEqual(expected);
      again.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
