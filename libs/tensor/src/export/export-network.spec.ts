import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { testValues } from '../__fixtures__/backends';
import { nb201Arch } from '../__fixtures__/nb201-data';
import { quadrantSplit } from '../__fixtures__/splits';
import { initTensorBackend } from '../backend/backend';
import { nb201NetworkBuilder } from '../nb201/nb201.network';
import { buildNetwork } from '../network/builders';
import type { Network, NetworkBuilder } from '../network/network';
import { tf } from '../tf';
import { trainNetwork } from '../train/train';
import { exportNetwork } from './export-network';
import { toLayersModel } from './layers-model';
import { MODEL_FILES, loadModelFolder } from './model-folder';

/** Tiny skeleton: C = 4, two cells per stage (cells feed cells), 3×8×8 inputs, 10 classes. */
const TINY = { numClasses: 10, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 2 } } as const;
/** Every layer class an export may use: tfjs-layers built-ins, nothing custom. */
const BUILT_IN = new Set([
  'InputLayer',
  'Permute',
  'Conv2D',
  'ZeroPadding2D',
  'BatchNormalization',
  'ReLU',
  'AveragePooling2D',
  'Add',
  'Rescaling',
  'Activation',
  'GlobalAveragePooling2D',
  'Dense',
]);

let tmp: string;
beforeAll(async () => {
  await initTensorBackend('wasm');
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-export-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let dirs = 0;
const freshDir = (): string => path.join(tmp, `model-${++dirs}`);

/** Batch-norm weights and running statistics away from their 1/0 initial values, so a mix-up shows. */
function randomiseBatchNorm(net: Network, seed: number): void {
  let k = 0;
  for (const [name, v] of [...net.parameters, ...net.buffers]) {
    if (!/\.(running_mean|running_var)$/.test(name) && !(v.rank === 1 && !name.startsWith('classifier'))) continue;
    const r = testValues(v.size, seed + k++);
    const values = name.endsWith('running_var') ? r.map((x) => 0.5 + x * x) : name.endsWith('.weight') ? r.map((x) => 1 + 0.5 * x) : r.map((x) => 0.3 * x);
    v.assign(tf.tensor(values, v.shape));
  }
}

/** A seeded NCHW (or NHWC) input batch. */
function input(shape: readonly number[], seed = 7): tf.Tensor4D {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(testValues(size, seed), shape as [number, number, number, number]);
}

/** max |model − network| / max |network| over the logits of one batch (network in inference mode). */
async function relativeDifference(net: Network, dir: string, x: tf.Tensor4D, layout: 'nchw' | 'nhwc' = 'nchw'): Promise<number> {
  const model = await loadModelFolder(dir);
  try {
    const reference = net.forward(x, { training: false });
    const modelInput = layout === 'nchw' ? x : tf.transpose(x, [0, 2, 3, 1]);
    const predicted = model.predict(modelInput) as tf.Tensor;
    const a = reference.dataSync();
    const b = predicted.dataSync();
    expect(predicted.shape).toEqual(reference.shape);
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(a[i]!));
    }
    tf.dispose([reference, predicted, ...(modelInput === x ? [] : [modelInput])]);
    return diff / scale;
  } finally {
    model.dispose();
  }
}

function modelJson(dir: string): {
  modelTopology: { config: { layers: { class_name: string; name: string }[] } };
  weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  userDefinedMetadata: { nasx: Record<string, unknown> };
} {
  return JSON.parse(fs.readFileSync(path.join(dir, MODEL_FILES.topology), 'utf8'));
}

describe('exportNetwork: NB201 networks as TensorFlow.js layers models', () => {
  // Cells chosen to cover every op and the corner cases of the cell graph:
  const CELLS: [string, number[]][] = [
    ['every op (conv3x3, conv1x1, avg_pool, skip, none)', [3, 2, 4, 1, 0, 3]],
    ['every op, another wiring', [4, 3, 1, 2, 3, 0]],
    ['all avg_pool (count_include_pad=False at the borders)', [4, 4, 4, 4, 4, 4]],
    ['all conv1x1', [2, 2, 2, 2, 2, 2]],
    ['all skip: one tensor summed with itself (x + x)', [1, 1, 1, 1, 1, 1]],
    ['skips and a pool into one node', [1, 1, 4, 1, 1, 1]],
    ['all none: every cell outputs zeros', [0, 0, 0, 0, 0, 0]],
    ['a live node with only none inputs (zeros through skip)', [1, 0, 0, 0, 0, 1]],
    ['dead nodes 1 and 2 (their parameters are not exported)', [3, 3, 0, 3, 0, 0]],
  ];

  it.each(CELLS)('%s: the loaded model predicts what the network computes', async (_what, ops) => {
    const net = buildNetwork(nb201Arch(ops), { ...TINY, seed: 3 });
    try {
      randomiseBatchNorm(net, 11);
      const dir = freshDir();
      const written = await exportNetwork(net, dir, { metadata: { arch: ops.join('') } });
      expect(written.files.map((f) => f.name)).toEqual(['model.json', 'group1-shard1of1.bin']);
      expect(written.parameters + written.unusedParameters).toBe(net.paramCount);
      const x = input([4, 3, 8, 8]);
      expect(await relativeDifference(net, dir, x)).toBeLessThan(1e-4);
      x.dispose();
      const json = modelJson(dir);
      const classes = new Set(json.modelTopology.config.layers.map((l) => l.class_name));
      expect([...classes].filter((c) => !BUILT_IN.has(c))).toEqual([]);
    } finally {
      net.dispose();
    }
  });

  it('loads in a process without nasx: plain tfjs-core + tfjs-layers + the cpu backend, files read with tf.io.fromMemory', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 1, 0]), { ...TINY, seed: 6 });
    try {
      randomiseBatchNorm(net, 8);
      const dir = freshDir();
      await exportNetwork(net, dir);
      const x = input([2, 3, 8, 8], 13);
      const expected = net.forward(x, { training: false });
      // Nothing of nasx is loaded in the child: no gradients, kernels or layers registered by us.
      const script = `
        const fs = require('fs'), path = require('path');
        const tf = require('@tensorflow/tfjs-core'); require('@tensorflow/tfjs-backend-cpu'); const tfl = require('@tensorflow/tfjs-layers');
        (async () => {
          tf.env().set('PROD', true); await tf.setBackend('cpu');
          const dir = process.argv[1]; const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
          const bin = fs.readFileSync(path.join(dir, json.weightsManifest[0].paths[0]));
          const model = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights,
            weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength), userDefinedMetadata: json.userDefinedMetadata }));
          const x = tf.tensor(JSON.parse(process.argv[2]), [2, 3, 8, 8]);
          process.stdout.write(JSON.stringify({ y: Array.from(model.predict(x).dataSync()), space: model.getUserDefinedMetadata().nasx.space }));
        })();`;
      const r = spawnSync(process.execPath, ['-e', script, dir, JSON.stringify(Array.from(x.dataSync()))], { encoding: 'utf8', cwd: __dirname });
      expect(r.status).toBe(0);
      const out = JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as { y: number[]; space: string };
      expect(out.space).toBe('nb201');
      const want = expected.dataSync();
      const scale = Math.max(...Array.from(want, Math.abs));
      expect(Math.max(...out.y.map((v, i) => Math.abs(v - want[i]!))) / scale).toBeLessThan(1e-4);
      tf.dispose([x, expected]);
    } finally {
      net.dispose();
    }
  });

  it('records the architecture, the builder options and the caller metadata in userDefinedMetadata', async () => {
    const net = buildNetwork(nb201Arch([3, 3, 0, 3, 0, 0]), { ...TINY, seed: 5 });
    const dir = freshDir();
    const written = await exportNetwork(net, dir, { metadata: { arch: '|nor_conv_3x3~0|+|…|', training: { state: 'untrained' } } });
    net.dispose();
    const meta = modelJson(dir).userDefinedMetadata.nasx;
    expect(meta).toEqual(written.metadata);
    expect(meta).toMatchObject({
      version: 1,
      space: 'nb201',
      key: 'nb201:330300',
      genotype: { ops: [3, 3, 0, 3, 0, 0] },
      arch: '|nor_conv_3x3~0|+|…|',
      training: { state: 'untrained' },
      network: {
        numClasses: 10,
        inputShape: [3, 8, 8],
        inputLayout: 'nchw',
        output: 'logits',
        seed: 5,
        init: 'pytorch',
        macro: { channels: 4, cellsPerStage: 2 },
      },
    });
    // Dead nodes 1 and 2: the conv of edge 2←0 in every cell is computed by nobody.
    expect(written.unusedParameters).toBeGreaterThan(0);
    const loaded = await loadModelFolder(dir);
    expect((loaded.getUserDefinedMetadata() as { nasx: unknown }).nasx).toEqual(meta);
    const trainable = loaded.trainableWeights.reduce((n, w) => n + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
    expect(trainable).toBe(written.parameters);
    loaded.dispose();
  });

  it('keeps the PyTorch parameter names as layer names, and the stride-2 convolutions pad symmetrically (ZeroPadding2D + valid)', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 0, 3]), { ...TINY, seed: 1 });
    const dir = freshDir();
    await exportNetwork(net, dir);
    net.dispose();
    const json = modelJson(dir);
    const layers = new Map(json.modelTopology.config.layers.map((l) => [l.name, l.class_name]));
    expect(layers.get('cells.2.conv_a.op.1.pad')).toBe('ZeroPadding2D');
    expect(layers.get('cells.2.conv_a.op.1')).toBe('Conv2D');
    expect(layers.get('cells.3.layers.0.op.2')).toBe('BatchNormalization');
    expect(layers.get('cells.3.layers.2')).toBe('AveragePooling2D');
    const names = json.weightsManifest.flatMap((g) => g.weights.map((w) => w.name));
    expect(names).toEqual(
      expect.arrayContaining(['stem.0/kernel', 'cells.2.conv_a.op.1/kernel', 'lastact.0/moving_variance', 'classifier/kernel', 'classifier/bias']),
    );
  });

  it('fails the comparison when one weight of the written file is perturbed (the test can fail)', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 0, 3]), { ...TINY, seed: 2 });
    try {
      const dir = freshDir();
      await exportNetwork(net, dir);
      const x = input([4, 3, 8, 8]);
      expect(await relativeDifference(net, dir, x)).toBeLessThan(1e-4);
      // Find a cell convolution's kernel in the weights file and change one of its values.
      const specs = modelJson(dir).weightsManifest.flatMap((g) => g.weights);
      let offset = 0;
      for (const s of specs) {
        if (s.name === 'cells.3.layers.0.op.1/kernel') break;
        offset += s.shape.reduce((a, b) => a * b, 1);
      }
      const file = path.join(dir, MODEL_FILES.weights);
      const bytes = fs.readFileSync(file);
      const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      floats[offset + 5] = floats[offset + 5]! + 0.5;
      fs.writeFileSync(file, bytes);
      expect(await relativeDifference(net, dir, x)).toBeGreaterThan(1e-3);
      x.dispose();
    } finally {
      net.dispose();
    }
  });

  it("exports NHWC models on request (inputLayout 'nhwc', no Permute)", async () => {
    const net = buildNetwork(nb201Arch([4, 3, 1, 2, 3, 0]), { ...TINY, seed: 4 });
    try {
      randomiseBatchNorm(net, 3);
      const dir = freshDir();
      await exportNetwork(net, dir, { inputLayout: 'nhwc' });
      const json = modelJson(dir);
      expect(json.modelTopology.config.layers.some((l) => l.class_name === 'Permute')).toBe(false);
      expect(json.userDefinedMetadata.nasx['network']).toMatchObject({ inputLayout: 'nhwc', modelInput: ['batch', 8, 8, 3] });
      const x = input([3, 3, 8, 8]);
      expect(await relativeDifference(net, dir, x, 'nhwc')).toBeLessThan(1e-4);
      x.dispose();
    } finally {
      net.dispose();
    }
  });

  it('exports trained weights and batch-norm running statistics: a trained network and its model agree', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 0, 3]), { numClasses: 4, inputShape: [3, 8, 8], macro: { channels: 4, cellsPerStage: 1 }, seed: 9 });
    try {
      const before = freshDir();
      await exportNetwork(net, before);
      const x = input([8, 3, 8, 8], 21);
      await trainNetwork(net, quadrantSplit(64, 3), { steps: 6, batchSize: 16, rng: createRng(1) });
      const after = freshDir();
      await exportNetwork(net, after, { metadata: { training: { state: 'trained', steps: 6 } } });
      expect(await relativeDifference(net, after, x)).toBeLessThan(1e-4);
      // The untrained export is another network now: training changed what it computes.
      expect(await relativeDifference(net, before, x)).toBeGreaterThan(1e-2);
      x.dispose();
    } finally {
      net.dispose();
    }
  });

  it('matches the full NB201 skeleton (C = 16, N = 5) on 32×32 inputs', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 0, 3]), { numClasses: 10, inputShape: [3, 32, 32], seed: 0 });
    try {
      randomiseBatchNorm(net, 5);
      const dir = freshDir();
      const written = await exportNetwork(net, dir);
      expect(written.parameters + written.unusedParameters).toBe(net.paramCount);
      const x = input([2, 3, 32, 32], 8);
      expect(await relativeDifference(net, dir, x)).toBeLessThan(1e-4);
      x.dispose();
    } finally {
      net.dispose();
    }
  });

  it('can export a network twice in one process and frees the models it builds', async () => {
    const net = buildNetwork(nb201Arch([3, 2, 4, 1, 0, 3]), { ...TINY, seed: 2 });
    const tensors = tf.memory().numTensors;
    await exportNetwork(net, freshDir());
    await exportNetwork(net, freshDir());
    expect(tf.memory().numTensors).toBe(tensors);
    net.dispose();
  });

  it('fails with a NasxError for a builder that cannot describe its network, and for a disposed network', () => {
    const opaque: NetworkBuilder = { space: 'nb201', description: 'no graph', plan: nb201NetworkBuilder.plan, build: nb201NetworkBuilder.build };
    const net = buildNetwork(nb201Arch([1, 1, 1, 1, 1, 1]), { ...TINY, seed: 0 });
    let error: unknown;
    try {
      toLayersModel(net, { builders: [opaque] });
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error) && error.kind === 'architecture' && /cannot describe its network/.test(error.message)).toBe(true);
    net.dispose();
    expect(() => toLayersModel(net)).toThrow(/was disposed/);
  });
});
