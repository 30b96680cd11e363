import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArchGraph, LabelledArchitecture, OptionsInput } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { GcnGraphEncoder, GraphPredictor, PREDICTOR_COMMON_SCHEMA_PROPERTIES, predictScores, type PredictorEstimator } from '@nasx/predictors';
import { createNb201SearchSpace } from '@nasx/search-space-nb201';
import { initTensorBackend, tf } from '@nasx/tensor';
import { catchNasxError, labelledSample, nb201ToyLabel, neverAborted, silentLogger, testDeps, testEstimateContext, validatedOptions } from '@nasx/testing';
import { GCN_DEFAULTS, gcnEstimator, gcnModel, type GcnOptions } from './gcn.estimator';
import { createGcnNetwork } from './gcn.network';
import schema from './gcn.schema.json';

const space = createNb201SearchSpace();
const ctx = (stateDir?: string) => ({
  runId: 't',
  rng: createRng(0),
  signal: neverAborted,
  logger: silentLogger,
  emit: () => undefined,
  ...(stateDir ? { stateDir } : {}),
});

/** NB201 cells labelled with a known function: more 3×3 convolutions and fewer `none` edges is better. */
const labelled = (n: number, seed: number): LabelledArchitecture[] => labelledSample(space, n, seed, nb201ToyLabel);

async function create(options: OptionsInput<GcnOptions>): Promise<PredictorEstimator<GcnOptions>> {
  return (await gcnEstimator.create(validatedOptions(gcnEstimator.optionsSchema, options), {
    ...testDeps(),
    space,
    latencyModels: [],
    estimators: {},
  })) as PredictorEstimator<GcnOptions>;
}

beforeAll(async () => {
  await initTensorBackend();
});

describe('gcn options', () => {
  it('schema and GcnOptions list the same options, and the shared ones are those of @nasx/predictors', () => {
    const keys: (keyof Required<GcnOptions>)[] = [
      'labels',
      'seed',
      'maxNodes',
      'layers',
      'hidden',
      'mlpHidden',
      'dropout',
      'targets',
      'epochs',
      'batchSize',
      'lr',
      'weightDecay',
    ];
    expect(Object.keys(schema.properties).sort()).toEqual([...keys].sort());
    for (const [k, v] of Object.entries(PREDICTOR_COMMON_SCHEMA_PROPERTIES)) expect((schema.properties as Record<string, unknown>)[k]).toEqual(v);
    // Defaults from Wen et al. 2020 / the reference implementation for the network.
    expect(GCN_DEFAULTS).toMatchObject({ layers: 3, hidden: 144, mlpHidden: 128, dropout: 0.1, weightDecay: 0.001 });
  });
});

describe('gcn network', () => {
  const graphs = labelled(4, 1).map((d) => space.toGraph(d.arch));

  it('has two weight matrices per graph convolution (both edge directions) and an MLP head', () => {
    const encoder = GcnGraphEncoder.fit(graphs);
    const net = createGcnNetwork(encoder, { layers: 2, hidden: 6, mlpHidden: 5, dropout: 0 }, 0);
    const F = encoder.featureWidth; // 9 NB201 tokens, log FLOPs and log params
    expect(F).toBe(11);
    expect(net.parameters.count).toBe(2 * F * 6 + 2 * 6 * 6 + (6 * 5 + 5) + (5 + 1));
    const scores = predictScores(net, encoder.encode(graphs));
    expect(scores.length).toBe(4);
    net.parameters.dispose();
  });

  it('computes the same scores whether a batch shares one topology (2-D products) or not (batched products)', () => {
    const encoder = GcnGraphEncoder.fit(graphs);
    const net = createGcnNetwork(encoder, { layers: 3, hidden: 12, mlpHidden: 6, dropout: 0 }, 4);
    const g = graphs[1]!;
    // Another topology: the same nodes with the edge into the output dropped and one edge added.
    const other: ArchGraph = { ...g, edges: [...g.edges.slice(0, -1), { from: 'input', to: 'n3' }] };
    const mixed = Array.from(predictScores(net, encoder.encode([...graphs, other])));
    const shared = Array.from(predictScores(net, encoder.encode(graphs)));
    const single = Array.from(predictScores(net, encoder.encode([other])));
    expect(mixed).toEqual([...shared, ...single].map((v) => expect.closeTo(v, 5)));
    net.parameters.dispose();
  });

  it('sees the direction of edges: a graph and its reverse score differently', () => {
    const g = graphs[0]!;
    const reversed: ArchGraph = { ...g, edges: g.edges.map((e) => ({ from: e.to, to: e.from })) };
    const encoder = GcnGraphEncoder.fit([g]);
    const net = createGcnNetwork(encoder, { layers: 2, hidden: 8, mlpHidden: 4, dropout: 0 }, 3);
    const [a, b] = predictScores(net, encoder.encode([g, reversed]));
    expect(Math.abs(a! - b!)).toBeGreaterThan(1e-6);
    net.parameters.dispose();
  });
});

describe('gcn estimator on NAS-Bench-201 graphs', () => {
  it('fits, predicts, reloads the same model from its saved state and leaks no tensors', async () => {
    const before = tf.memory().numTensors;
    const e = await create({ epochs: 2, hidden: 16, mlpHidden: 8, seed: 2 });
    await e.fit(labelled(30, 2), ctx());
    const test = labelled(20, 3).map((d) => space.toGraph(d.arch));
    const expected = e.predictor!.predict(test);
    const restored = GraphPredictor.restore(gcnModel({ hidden: 16, mlpHidden: 8 }), JSON.parse(JSON.stringify(e.predictor!.toState())));
    expect(Array.from(restored.predict(test))).toEqual(Array.from(expected));
    restored.dispose();
    e.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('round-trips through the run folder: a second instance reloads instead of refitting', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-gcn-'));
    try {
      const data = labelled(20, 4);
      const a = await create({ epochs: 2, hidden: 16, mlpHidden: 8, seed: 5 });
      await a.fit(data, ctx(dir));
      const archs = labelled(10, 6).map((d) => d.arch);
      const expected = (await a.estimateMany(archs, testEstimateContext())).map((r) => r.metrics['gcn']);
      a.dispose();
      const b = await create({ epochs: 2, hidden: 16, mlpHidden: 8, seed: 5 });
      await b.prepare(ctx(dir));
      expect((await b.estimateMany(archs, testEstimateContext())).map((r) => r.metrics['gcn'])).toEqual(expected);
      b.dispose();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a graph larger than the one it was built for, naming maxNodes', async () => {
    const e = await create({ epochs: 1, hidden: 8, mlpHidden: 4, seed: 1 });
    await e.fit(labelled(12, 7), ctx());
    const g = space.toGraph(labelled(1, 8)[0]!.arch);
    const bigger: ArchGraph = { ...g, nodes: [...g.nodes, { id: 'extra', op: 'add' }] };
    const err = catchNasxError(() => e.predictor!.predict([bigger]));
    expect(err.kind).toBe('architecture');
    expect(err.fix).toMatch(/maxNodes/);
    e.dispose();
  });
});
