#!/usr/bin/env node
// Data loading of the NAS-Bench-360 tasks (@nasx/task-nb360, BUILT: node tools/scripts/build.cjs):
// for each task, the time to read and prepare its data (create), the samples/s of a shuffled pass
// over its training split, and — while a small NB201 network trains on it — the share of training
// time spent waiting for the next batch (the trainer pulls batches from the split between steps).
//   node tools/bench/nb360-data/data.bench.cjs [--data-dir DIR] [--tasks ecg,satellite,darcy] [--steps 30]
//     [--spherical 50000,10000] [--deepsea 71753]   (generated releases of the real size class)
// Real samples are read where DIR has them (default: the shared data folder beside the repository).
// Tasks without a sample whose release format can be written here (DeepSEA .npz, Cosmic .tar of
// .npy arrays, FSD50K WAV chunks and manifests, NinaPro .npy, Spherical's gzip pickle) read generated
// files of that format through their full-release loaders, streamed from disk like the real files;
// the rest (CIFAR-100, PSICOV) run on synthetic data. Both are marked. Rows merge into results.json
// by task; RESULTS.md is written from it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');

const { ROOT, arg } = require('../common.cjs');
const dataDir = path.resolve(arg('--data-dir', path.join(ROOT, '..', 'shared', 'data', 'nas-bench-360-samples')));
const steps = Number(arg('--steps', '30'));
/** PSICOV's dense 57-channel 128×128 steps take ~20 s each on 2 cores: fewer of them. */
const STEPS = { psicov: 10 };

const os = require('node:os');
const nb360 = require(path.join(ROOT, 'plugins', 'task-nb360', 'dist', 'index.js'));
const tensor = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
const { createRng } = require(path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js'));

/** Spherical's generated release: training and test images. */
const SPHERICAL_IMAGES = arg('--spherical', '4096,2048').split(',').map(Number);
const { writeRelease } = require('./release-files.cjs');
const { timedSplit } = require('./timed-split.cjs');
const tasks = new Map(nb360.NB360_TASKS.map((t) => [t.id, t]));
const wanted = arg('--tasks', [...tasks.keys()].join(',')).split(',');

const deps = (seed) => ({ dataDir, configDir: ROOT, logger: { debug() {}, info() {}, warn() {}, error() {} }, rng: createRng(seed) });
/** Synthetic sizes: 4,096 samples, fewer where a sample is large (PSICOV proteins, Cosmic 128×128 maps, FSD50K clips). */
const SYNTHETIC_SIZE = { psicov: 256, cosmic: 512, fsd50k: 512 };
const options = (source, id) => ({ source, syntheticSize: SYNTHETIC_SIZE[id] ?? 4096, seed: 0 });

/**
 * Bytes of task data in memory after training: a streamed split's largest shard read (two halves with
 * prefetch), an in-memory split's arrays; undefined for splits built on demand (PSICOV holds its
 * proteins' features, which the set does not expose).
 */
function heldBytes(task) {
  let sum = 0;
  for (const k of ['train', 'validation', 'test']) {
    const set = task.data[k];
    if ('contents' in set) sum += task.splits[k].peakBytesHeld ?? 0;
    else if (set.writer) return undefined;
    else sum += set.x.byteLength + (set.values?.byteLength ?? 0);
  }
  return sum;
}

/** Writes RESULTS.md from the results; returns it. */
function report(out) {
  const sph = out.rows.find((r) => r.task === 'spherical' && r.releaseImages);
  const md = [
    '# NAS-Bench-360 task data: loading speed and data wait during training',
    '',
    `Machine: ${out.machine.cpu}, ${out.machine.cores} cores; backend ${out.backend}; node tools/bench/nb360-data/data.bench.cjs (rows of tasks run separately are merged; each row gives its date and the 1-minute load average when it was measured).`,
    '',
    'create: reading the files and preparing all splits (windowing, normalisation; for streamed releases: the directory and headers only). samples/s: one shuffled pass over the training split in batches of 64 (in-memory splits: float32 batches assembled from memory; streamed ones — DeepSEA, Cosmic, FSD50K, Spherical — read a shard at a time from disk, FSD50K decoding WAV and computing log-mel features, Spherical reading the arrays its pickle was unpacked to). *create again*: a second creation of a generated release (Spherical: from the unpacked arrays, without decompressing). *held*: bytes of task data in memory after training — a streamed split’s largest read (two half-shards with prefetch), an in-memory split’s arrays; – where samples are built on demand from per-item data (PSICOV). Data wait: time the trainer spent in the split’s iterator while training a small NB201 network (C=8, N=1) for the given steps, as a share of the training time; *after the first batch*: the same without the first batch’s wait (a streamed split reads its first shard then). *peak RSS*: the bench process’s peak resident memory when the row was done (with the tensor backend; rows run in one process include the tasks before them). **SYNTHETIC**: generated in memory (no sample, pickled release); *generated release format*: files of the release’s format with generated values, read by the full-release loader.',
    '',
    '| task | data | input | train samples | create (ms) | create again (ms) | held (MB) | peak RSS (MB) | samples/s | MB/s | training steps, ms | data wait (ms) | data wait share | after the first batch | measured (load) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...out.rows.map(
      (r) =>
        `| ${r.task} | ${r.source === 'synthetic' ? '**SYNTHETIC**' : r.source === 'sample' ? 'sample' : `*${r.source}*`} | [${r.inputShape.join(', ')}] | ${r.trainSamples} | ${r.createMs} | ${r.createAgainMs ?? '–'} | ${r.heldMB ?? '–'} | ${r.peakRssMB ?? '–'} | ${r.samplesPerSecond} | ${r.mbPerSecond} | ${r.trainSteps}, ${r.trainMs} | ${r.dataWaitMs} | ${(100 * r.dataWaitShare).toFixed(2)} % | ${(100 * r.steadyWaitShare).toFixed(2)} % | ${r.machine ? `${r.machine.date} (${r.machine.loadAverage1m})` : `2026-12-02 (${out.machine.loadAverage1m})`} |`,
    ),
    '',
    ...(sph
      ? [
          `Spherical: a generated \`s2_cifar100.gz\` of ${sph.releaseImages[0]} training and ${sph.releaseImages[1]} test images (${(((sph.releaseImages[0] + sph.releaseImages[1]) * 43200) / 1e9).toFixed(2)} GB as float32; the release has 60,000), unpacked to the cache folder in ${(sph.createMs / 1000).toFixed(1)} s on first use and found there in ${sph.createAgainMs} ms after; ${sph.heldMB} MB of images held while training, the process's peak ${sph.peakRssMB} MB with the tensor backend. NAS-Bench-360's loader holds all the images.`,
          '',
        ]
      : []),
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), md);
  return md;
}

if (process.argv.includes('--report')) {
  console.log(report(JSON.parse(fs.readFileSync(path.join(__dirname, 'results.json'), 'utf8'))));
  process.exit(0);
}

(async () => {
  const info = await tensor.initTensorBackend();
  // Rows of tasks not run now are kept from the last results.
  const resultsFile = path.join(__dirname, 'results.json');
  const kept = fs.existsSync(resultsFile) ? JSON.parse(fs.readFileSync(resultsFile, 'utf8')).rows.filter((r) => !wanted.includes(r.task)) : [];
  const rows = [];
  for (const id of wanted) {
    const def = tasks.get(id);
    if (!def) throw new Error(`unknown task ${id}`);
    let task;
    let source = 'sample';
    const release = fs.mkdtempSync(path.join(os.tmpdir(), `nasx-bench-${id}-`));
    const generated = await writeRelease(id, release, { sphericalImages: SPHERICAL_IMAGES, deepseaRows: Number(arg('--deepsea', '16384')) });
    // The kernel's cache folder for releases unpacked for streaming (Spherical): inside the release folder, removed with it.
    const fullDeps = { ...deps(0), dataDir: release, cacheDir: path.join(release, 'cache') };
    const t0 = performance.now();
    if (generated) {
      source = 'generated release format';
      task = await def.create(options('full', id), fullDeps);
    } else {
      try {
        task = await def.create(options('sample', id), deps(0));
      } catch {
        source = 'synthetic';
        task = await def.create(options('synthetic', id), deps(0));
      }
    }
    const createMs = performance.now() - t0;
    // A second creation: what a later run (or another worker) pays once the release is unpacked.
    let createAgainMs;
    if (generated) {
      const t1 = performance.now();
      await def.create(options('full', id), fullDeps);
      createAgainMs = +(performance.now() - t1).toFixed(1);
    }
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
    const clock = { ms: 0, firstMs: 0, batches: 0 };
    const s0 = performance.now();
    const taskSteps = Math.min(steps, STEPS[id] ?? steps);
    await tensor.trainNetwork(net, timedSplit(task.splits.train, clock), { steps: taskSteps, batchSize: 64, loss: task.loss, rng: createRng(2) });
    const trainMs = performance.now() - s0;
    net.dispose();
    fs.rmSync(release, { recursive: true, force: true });
    const row = {
      task: id,
      source,
      inputShape: task.inputShape,
      trainSamples: task.splits.train.size,
      createMs: +createMs.toFixed(1),
      ...(createAgainMs !== undefined ? { createAgainMs } : {}),
      // The process's peak resident memory so far (all tasks run before this one included).
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      ...(id === 'spherical' && generated ? { releaseImages: SPHERICAL_IMAGES } : {}),
      heldMB: heldBytes(task) === undefined ? undefined : +(heldBytes(task) / 1e6).toFixed(1),
      samplesPerSecond: Math.round((1000 * samples) / passMs),
      mbPerSecond: +((samples * task.inputShape.reduce((a, b) => a * b, 1) * 4) / 1e6 / (passMs / 1000)).toFixed(1),
      trainSteps: taskSteps,
      trainMs: Math.round(trainMs),
      dataWaitMs: +clock.ms.toFixed(1),
      dataWaitShare: +(clock.ms / trainMs).toFixed(4),
      // After the first batch (the first shard's read, a start-up cost of streamed splits).
      steadyWaitMs: +(clock.ms - clock.firstMs).toFixed(1),
      steadyWaitShare: +((clock.ms - clock.firstMs) / (trainMs - clock.firstMs)).toFixed(4),
    };
    rows.push(row);
    console.error(
      `${id} (${source}): create ${row.createMs} ms, ${row.samplesPerSecond} samples/s (${row.mbPerSecond} MB/s); training ${taskSteps} steps ${row.trainMs} ms, waiting for data ${row.dataWaitMs} ms (${(100 * row.dataWaitShare).toFixed(2)} %; after the first batch ${(100 * row.steadyWaitShare).toFixed(2)} %)`,
    );
  }
  for (const r of rows) r.machine = { ...machineInfo(), date: new Date().toISOString().slice(0, 10) };
  rows.push(...kept);
  rows.sort((a, b) => [...tasks.keys()].indexOf(a.task) - [...tasks.keys()].indexOf(b.task));
  const out = { machine: machineInfo(), backend: info.name, dataDir: path.basename(dataDir), rows };
  fs.writeFileSync(resultsFile, JSON.stringify(out, null, 2) + '\n');
  console.log(report(out));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
