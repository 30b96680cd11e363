#!/usr/bin/env node
// Data loading of the NAS-Bench-360 tasks (@nasx/task-nb360, BUILT: node tools/scripts/build.cjs):
// for each task, the time to read and prepare its data (create), the samples/s of a shuffled pass
// over its training split, and — while a small NB201 network trains on it — the share of training
// time spent waiting for the next batch (the trainer pulls batches from the split between steps).
//   node tools/bench/nb360-data/data.bench.cjs [--data-dir DIR] [--tasks ecg,satellite,darcy] [--steps 30]
// Real samples are read where DIR has them (default: the shared data folder beside the repository);
// a task without a sample runs on its synthetic data, marked as such. Writes results.json + RESULTS.md.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const dataDir = path.resolve(arg('--data-dir', path.join(ROOT, '..', 'shared', 'data', 'nas-bench-360-samples')));
const steps = Number(arg('--steps', '30'));

const nb360 = require(path.join(ROOT, 'plugins', 'task-nb360', 'dist', 'index.js'));
const tensor = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
const { createRng } = require(path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js'));

const tasks = new Map(nb360.NB360_TASKS.map((t) => [t.id, t]));
const wanted = arg('--tasks', [...tasks.keys()].join(',')).split(',');

const deps = (seed) => ({ dataDir, configDir: ROOT, logger: { debug() {}, info() {}, warn() {}, error() {} }, rng: createRng(seed) });
const options = (source) => ({ source, syntheticSize: 4096, seed: 0 });

/** A split whose batches() iterator records the time spent producing each batch. */
function timedSplit(split, clock) {
  return {
    size: split.size,
    batches(o) {
      const inner = split.batches(o)[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]() {
          return {
            async next() {
              const t0 = performance.now();
              const r = await inner.next();
              clock.ms += performance.now() - t0;
              clock.batches += r.done ? 0 : 1;
              return r;
            },
          };
        },
      };
    },
  };
}

(async () => {
  const info = await tensor.initTensorBackend();
  const rows = [];
  for (const id of wanted) {
    const def = tasks.get(id);
    if (!def) throw new Error(`unknown task ${id}`);
    let task;
    let source = 'sample';
    const t0 = performance.now();
    try {
      task = await def.create(options('sample'), deps(0));
    } catch {
      source = 'synthetic';
      task = await def.create(options('synthetic'), deps(0));
    }
    const createMs = performance.now() - t0;
    // A shuffled pass over the training split, batch 64.
    const rng = createRng(1);
    let samples = 0;
    const p0 = performance.now();
    for await (const b of task.splits.train.batches({ batchSize: 64, rng })) samples += b.x.shape[0];
    const passMs = performance.now() - p0;
    // Training: how much of it waits for data.
    const arch = { space: 'nb201', genotype: { ops: [3, 3, 3, 1, 3, 3] }, key: 'bench' };
    const net = tensor.buildNetwork(arch, {
      numClasses: task.numClasses,
      inputShape: task.inputShape,
      outputShape: task.outputShape,
      seed: 0,
      macro: { channels: 8, cellsPerStage: 1 },
    });
    const clock = { ms: 0, batches: 0 };
    const s0 = performance.now();
    await tensor.trainNetwork(net, timedSplit(task.splits.train, clock), { steps, batchSize: 64, loss: task.loss, rng: createRng(2) });
    const trainMs = performance.now() - s0;
    net.dispose();
    const row = {
      task: id,
      source,
      inputShape: task.inputShape,
      trainSamples: task.splits.train.size,
      createMs: +createMs.toFixed(1),
      samplesPerSecond: Math.round((1000 * samples) / passMs),
      mbPerSecond: +((samples * task.inputShape.reduce((a, b) => a * b, 1) * 4) / 1e6 / (passMs / 1000)).toFixed(1),
      trainSteps: steps,
      trainMs: Math.round(trainMs),
      dataWaitMs: +clock.ms.toFixed(1),
      dataWaitShare: +(clock.ms / trainMs).toFixed(4),
    };
    rows.push(row);
    console.error(
      `${id} (${source}): create ${row.createMs} ms, ${row.samplesPerSecond} samples/s (${row.mbPerSecond} MB/s); training ${steps} steps ${row.trainMs} ms, waiting for data ${row.dataWaitMs} ms (${(100 * row.dataWaitShare).toFixed(2)} %)`,
    );
  }
  const out = { machine: machineInfo(), backend: info.name, dataDir: path.basename(dataDir), rows };
  fs.writeFileSync(path.join(__dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  const md = [
    '# NAS-Bench-360 task data: loading speed and data wait during training',
    '',
    `Machine: ${out.machine.cpu}, ${out.machine.cores} cores, load ${out.machine.loadAverage1m}; backend ${out.backend}; node tools/bench/nb360-data/data.bench.cjs.`,
    '',
    'create: reading the files and preparing all splits (windowing, normalisation). samples/s: one shuffled pass over the training split in batches of 64 (float32 batches assembled from memory). Data wait: time the trainer spent in the split’s iterator while training a small NB201 network (C=8, N=1) for the given steps, as a share of the training time.',
    '',
    '| task | data | input | train samples | create (ms) | samples/s | MB/s | training (ms) | data wait (ms) | data wait share |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map(
      (r) =>
        `| ${r.task} | ${r.source === 'synthetic' ? '**SYNTHETIC**' : r.source} | [${r.inputShape.join(', ')}] | ${r.trainSamples} | ${r.createMs} | ${r.samplesPerSecond} | ${r.mbPerSecond} | ${r.trainMs} | ${r.dataWaitMs} | ${(100 * r.dataWaitShare).toFixed(2)} % |`,
    ),
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  console.log(md);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
