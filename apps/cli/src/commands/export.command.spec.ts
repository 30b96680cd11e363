import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Architecture, Task } from '@nasx/contracts';
import { Kernel } from '@nasx/kernel';
import { buildNetwork, initTensorBackend, loadModelFolder, tf, toTensors } from '@nasx/tensor';
import { WORKSPACE, nasxInProcess, tempDir } from '../cli-test-helpers';

/** A quickstart-sized run on MNIST (no data directory): 2 random cells, each trained 5 steps on a tiny skeleton. */
const TINY_MNIST = `name: tiny
seed: 1
space: nb201
task: { use: mnist, options: { limit: 600 } }
estimator:
  use: train
  options: { steps: 5, batchSize: 32, valLimit: 200, macro: { channels: 4, cellsPerStage: 1 } }
searcher: random
budget: { evaluations: 2 }
workers: 0
`;

interface NasxMetadata {
  arch: string;
  key: string;
  space: string;
  genotype: Architecture['genotype'];
  network: { numClasses: number; inputShape: number[]; seed: number; init: 'pytorch'; macro: { [k: string]: number }; inputLayout: string };
  graph: { space: string; nodes: unknown[]; edges: unknown[] };
  training: { state: string; valAcc?: number; valLoss?: number; trainLoss?: number; valSamples?: number; steps?: number; retrainsTrial?: number };
  source: { run?: string; trial?: number; metrics?: Record<string, number> };
}

const metadataOf = (dir: string): NasxMetadata => JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')).userDefinedMetadata.nasx;

/** The first run folder under `runs`. */
const runIn = (runs: string): string => path.join(runs, fs.readdirSync(runs)[0]!);

describe('nasx export (as a user runs it)', () => {
  let dir: string;
  let syntheticRun: string;
  beforeAll(async () => {
    dir = tempDir({ 'tiny.yaml': TINY_MNIST });
    const r = await nasxInProcess(['run', 'examples/synthetic.yaml', '--quiet', '--set', 'budget.evaluations=20', '--runs-dir', path.join(dir, 'synthetic')]);
    expect(r.code).toBe(0);
    syntheticRun = runIn(path.join(dir, 'synthetic'));
    await initTensorBackend('wasm');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("exports a synthetic run's best untrained: the loaded model computes what nasx builds from the recorded seed and options", async () => {
    const out = path.join(dir, 'best');
    const r = await nasxInProcess(['export', syntheticRun, '--task', 'mnist', '--macro', 'channels=4', '--macro', 'cellsPerStage=1', '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${path.join(out, 'model.json')}`);
    expect(r.stdout).toContain(`tf.loadLayersModel('file://${path.join(out, 'model.json')}')`);
    expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);

    const meta = metadataOf(out);
    const report = JSON.parse((await nasxInProcess(['report', syntheticRun, '--json'])).stdout);
    expect(meta).toMatchObject({ space: 'nb201', key: report.best.arch.key, arch: report.best.text, training: { state: 'untrained' } });
    expect(meta.source).toMatchObject({ run: path.basename(syntheticRun), trial: report.best.trial, metrics: report.best.estimate.metrics });
    expect(meta.network).toMatchObject({ numClasses: 10, inputShape: [1, 28, 28], seed: 0, macro: { channels: 4, cellsPerStage: 1 }, inputLayout: 'nchw' });
    expect(meta.graph).toMatchObject({ space: 'nb201', nodes: expect.any(Array), edges: expect.any(Array) });

    const net = buildNetwork({ space: meta.space, key: meta.key, genotype: meta.genotype }, meta.network);
    const model = await loadModelFolder(out);
    const x = tf.randomNormal([3, 1, 28, 28], 0, 1, 'float32', 5) as tf.Tensor4D;
    const expected = net.forward(x, { training: false });
    const got = model.predict(x) as tf.Tensor;
    const scale = tf.max(tf.abs(expected)).dataSync()[0]!;
    expect(tf.max(tf.abs(tf.sub(expected, got))).dataSync()[0]! / scale).toBeLessThan(1e-4);
    tf.dispose([x, expected, got]);
    model.dispose();
    net.dispose();
  });

  it('exports a given trial, or an --arch of a config, in NHWC on request', async () => {
    const trial = await nasxInProcess(['export', syntheticRun, '--trial', '3', '--task', 'mnist', '--macro', 'channels=2', '-o', path.join(dir, 't3')]);
    expect(trial.code).toBe(0);
    expect(metadataOf(path.join(dir, 't3')).source.trial).toBe(3);
    const arch = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|';
    const cfg = await nasxInProcess(['export', path.join(dir, 'tiny.yaml'), '--arch', arch, '--layout', 'nhwc', '-o', path.join(dir, 'cfg')]);
    expect(cfg.code).toBe(0);
    expect(cfg.stdout).toContain('tf.zeros([1, 28, 28, 1])');
    const meta = metadataOf(path.join(dir, 'cfg'));
    // The network of the config's train estimator (its macro), seeded with the config's seed.
    expect(meta).toMatchObject({ arch, key: 'nb201:314021', network: { inputLayout: 'nhwc', seed: 1, macro: { channels: 4, cellsPerStage: 1 } } });
  });

  it("trains with --train as the run's train estimator trained the trial (same weights, order, steps: same losses), and records a validation accuracy the exported model reproduces", async () => {
    const runs = path.join(dir, 'tiny-runs');
    expect((await nasxInProcess(['run', path.join(dir, 'tiny.yaml'), '--quiet', '--runs-dir', runs])).code).toBe(0);
    const run = runIn(runs);
    const best = JSON.parse((await nasxInProcess(['report', run, '--json'])).stdout).best;
    const out = path.join(dir, 'trained');
    const r = await nasxInProcess(['export', run, '--train', '-o', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/training .* on mnist for 5 steps \(batch 32/);
    expect(r.stdout).toMatch(
      new RegExp(
        `trained 5 steps on mnist from seed \\d+, trial ${best.trial}'s initial weights: validation accuracy [\\d.]+% on \\d+ samples \\(the run measured`,
      ),
    );
    const meta = metadataOf(out);
    expect(meta.training).toMatchObject({ state: 'trained', steps: 5, retrainsTrial: best.trial, runValAcc: best.estimate.metrics.val_acc });
    // The run's trial, redone outside the run: the same losses to the last digit (same backend).
    expect(meta.training.valLoss).toBe(best.estimate.metrics.val_loss);
    expect(meta.training.trainLoss).toBe(best.estimate.metrics.train_loss);

    // The validation split the command measured on, from the same config: the loaded model scores it the same.
    const kernel = Kernel.open({ roots: [WORKSPACE] });
    const parts = await kernel.createSpaceAndTask(kernel.loadConfig(path.join(dir, 'tiny.yaml')), { loadTask: true });
    const task = parts.task as Task;
    const model = await loadModelFolder(out);
    let correct = 0;
    let samples = 0;
    for await (const batch of task.splits.validation.batches({ batchSize: 200 })) {
      const { x, y } = toTensors(batch);
      const logits = model.predict(x) as tf.Tensor;
      const hits = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'int32')).dataSync()[0]!;
      correct += hits;
      samples += y.shape[0];
      tf.dispose([x, y, logits]);
    }
    model.dispose();
    await parts.dispose();
    expect(samples).toBe(meta.training.valSamples);
    expect((100 * correct) / samples).toBeCloseTo(meta.training.valAcc!, 6);

    // Another budget or seed is a new training, not the trial's.
    const other = await nasxInProcess(['export', run, '--train', '--steps', '3', '--seed', '9', '-o', path.join(dir, 'trained-3')]);
    expect(other.code).toBe(0);
    const m3 = metadataOf(path.join(dir, 'trained-3'));
    expect(m3.training).toMatchObject({ state: 'trained', steps: 3 });
    expect(m3.training.retrainsTrial).toBeUndefined();
    expect(m3.network.seed).toBe(9);
  });

  it('fails with one paragraph and exit 2 on bad input', async () => {
    // A run folder with no finished trial: only its run-started line survives.
    const empty = path.join(dir, 'empty-run');
    fs.cpSync(syntheticRun, empty, { recursive: true });
    const journal = path.join(empty, 'events.ndjson');
    fs.writeFileSync(journal, fs.readFileSync(journal, 'utf8').split('\n')[0] + '\n');
    const noTrial = await nasxInProcess(['export', empty, '--task', 'mnist', '-o', path.join(dir, 'x1')]);
    expect([noTrial.code, noTrial.stderr]).toEqual([2, expect.stringMatching(/has no finished trial.*Fix: continue it with "nasx resume/)]);

    const otherSpace = await nasxInProcess(['export', syntheticRun, '--task', 'mnist', '--arch', '[[0,1],[0,0]]|input,output', '-o', path.join(dir, 'x2')]);
    expect([otherSpace.code, otherSpace.stderr]).toEqual([
      2,
      expect.stringMatching(/--arch "\[\[0,1\],\[0,0\]\]\|input,output" is not an architecture of space "nb201"/),
    ]);

    // GNNs are built by @nasx/tensor's graph builder, not as image networks: nothing to export.
    fs.writeFileSync(path.join(dir, 'gnn.yaml'), 'space: gnn\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 1 }\n');
    const noBuilder = await nasxInProcess(['export', path.join(dir, 'gnn.yaml'), '--arch', 'gcn']);
    expect([noBuilder.code, noBuilder.stderr]).toEqual([
      2,
      expect.stringMatching(/its space "gnn" has no network builder.*Fix: nasx export builds networks of the spaces nb201, nb101, mnas, wrn, deepnets;/),
    ]);

    const noTask = await nasxInProcess(['export', syntheticRun, '-o', path.join(dir, 'x3')]);
    expect([noTask.code, noTask.stderr]).toEqual([2, expect.stringMatching(/has no task.*Fix: pass --task mnist/)]);

    const missingTrial = await nasxInProcess(['export', syntheticRun, '--task', 'mnist', '--trial', '999']);
    expect([missingTrial.code, missingTrial.stderr]).toEqual([2, expect.stringMatching(/has no evaluated trial 999/)]);

    const configNoArch = await nasxInProcess(['export', path.join(dir, 'tiny.yaml')]);
    expect([configNoArch.code, configNoArch.stderr]).toEqual([2, expect.stringMatching(/A config has no trials.*Fix: give --arch/)]);

    // An output folder that exists and is not empty needs --force.
    const busy = path.join(dir, 'busy');
    fs.mkdirSync(busy);
    fs.writeFileSync(path.join(busy, 'notes.txt'), 'keep me');
    const args = ['export', syntheticRun, '--task', 'mnist', '--macro', 'channels=2', '-o', busy];
    const refused = await nasxInProcess(args);
    expect([refused.code, refused.stderr]).toEqual([2, expect.stringMatching(/exists and is not an empty folder.*--force/)]);
    expect(fs.readdirSync(busy)).toEqual(['notes.txt']);
    expect((await nasxInProcess([...args, '--force'])).code).toBe(0);
    expect(fs.readdirSync(busy).sort()).toEqual(['group1-shard1of1.bin', 'model.json', 'notes.txt']);

    const badFlags = await nasxInProcess(['export', syntheticRun, '--task', 'mnist', '--epochs', '2']);
    expect([badFlags.code, badFlags.stderr]).toEqual([2, expect.stringMatching(/--epochs and --steps set the training of --train/)]);
    for (const r of [noTrial, otherSpace, noBuilder, noTask, missingTrial, configNoArch, refused, badFlags]) {
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
