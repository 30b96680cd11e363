#!/usr/bin/env node
// Read-ahead depth of a streamed split against the time training waits for data, side by side in one
// run: FSD50K (a generated release: WAV chunks whose log-mel features are computed in threads that
// share the cores with training) trains a small NB201 network with the training split read with
// ShardedSplit prefetch 0 (no read-ahead), 1 (the next half-shard: the default) and 3 (FSD50K's
// setting: four quarter-shards in flight). Rounds interleave the depths so that a change in the
// machine's load falls on all of them. Needs the built packages (node tools/scripts/build.cjs).
//   node tools/bench/nb360-data/prefetch.bench.cjs [--steps 30] [--rounds 2] [--depths 0,1,3]
// Writes prefetch.results.json + PREFETCH.md.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { machineInfo } = require('../machine.cjs');
const { writeRelease } = require('./release-files.cjs');
const { timedSplit } = require('./timed-split.cjs');

const { ROOT, arg } = require('../common.cjs');
const steps = Number(arg('--steps', '30'));
const rounds = Number(arg('--rounds', '2'));
const depths = arg('--depths', '0,1,3').split(',').map(Number);

const nb360 = require(path.join(ROOT, 'plugins', 'task-nb360', 'dist', 'index.js'));
const data = require(path.join(ROOT, 'libs', 'data', 'dist', 'index.js'));
const tensor = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
const { createRng } = require(path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js'));

/** Writes PREFETCH.md from the results; returns it. */
function report(out) {
  const md = [
    '# Read-ahead depth against data wait (FSD50K, generated release)',
    '',
    `${out.date}, ${out.machine.cpu}, ${out.machine.cores} cores, backend ${out.backend}; 1-minute load average ${out.runs.map((r) => r.load.toFixed(2)).join(', ')} after each run. Made by \`node tools/bench/nb360-data/prefetch.bench.cjs\`.`,
    '',
    `A small NB201 network (C = 8, N = 1) trains ${out.steps} steps of 64 chunks on FSD50K's training split (1,024 generated clips of two 1-s WAV chunks; log-mel features computed in ${out.featureThreads} worker thread(s) while training runs on the same cores), its split read with each prefetch depth; ${rounds} rounds, depths interleaved, means shown. Wait: time the trainer spent in the split's iterator, as a share of the training time; *steady*: without the first batch.`,
    '',
    '| prefetch (parts ahead) | read size (chunks) | training (ms) | data wait | steady | data held (MB) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...out.rows.map(
      (r) =>
        `| ${r.depth}${r.depth === 1 ? ' (default)' : ''}${r.depth === nb360.FSD50K_PREFETCH ? ' (FSD50K)' : ''} | ${Math.ceil(out.shardRows / (r.depth + 1))} | ${r.trainMs} | ${(100 * r.waitShare).toFixed(2)} % | ${(100 * r.steadyWaitShare).toFixed(2)} % | ${r.heldMB} |`,
    ),
    '',
    `Without read-ahead the trainer waits for each part's features in turn. Reading ahead overlaps them with training; the shard's bytes held stay the same, since the reads shrink as the depth grows. What wait remains is the feature thread not getting a core: ${Math.max(...out.runs.map((r) => r.load)) > out.machine.cores ? `the 1-minute load average (up to ${Math.max(...out.runs.map((r) => r.load)).toFixed(2)}) was above the ${out.machine.cores} cores, so training, the feature thread and other work shared them, and read-ahead moves waiting more than it removes it (training time does not fall).` : 'on a quieter machine it is smaller.'}`,
    '',
  ].join('\n');
  fs.writeFileSync(path.join(__dirname, 'PREFETCH.md'), md);
  return md;
}

if (process.argv.includes('--report')) {
  console.log(report(JSON.parse(fs.readFileSync(path.join(__dirname, 'prefetch.results.json'), 'utf8'))));
  process.exit(0);
}

(async () => {
  const info = await tensor.initTensorBackend();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-prefetch-'));
  await writeRelease('fsd50k', dir);
  const def = nb360.NB360_TASKS.find((t) => t.id === 'fsd50k');
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const task = await def.create({ source: 'full', seed: 0 }, { dataDir: dir, configDir: ROOT, logger: silent, rng: createRng(0) });
  const set = task.data.train;
  const runs = [];
  for (let round = 0; round < rounds; round++) {
    for (const depth of depths) {
      const split = new data.ShardedSplit('train', set.contents, task.inputShape, set.shardRows, {}, task.outputShape, depth);
      const clock = { ms: 0, firstMs: 0, batches: 0 };
      const timed = timedSplit(split, clock);
      const net = tensor.buildNetwork(
        { space: 'nb201', genotype: { ops: [3, 3, 3, 1, 3, 3] }, key: 'bench' },
        { numClasses: task.numClasses, inputShape: task.inputShape, outputShape: task.outputShape, seed: 0, macro: { channels: 8, cellsPerStage: 1 } },
      );
      const t0 = performance.now();
      await tensor.trainNetwork(net, timed, { steps, batchSize: 64, loss: task.loss, rng: createRng(2) });
      const trainMs = performance.now() - t0;
      net.dispose();
      const run = {
        round,
        depth,
        trainMs: Math.round(trainMs),
        waitMs: Math.round(clock.ms),
        waitShare: +(clock.ms / trainMs).toFixed(4),
        steadyWaitShare: +((clock.ms - clock.firstMs) / (trainMs - clock.firstMs)).toFixed(4),
        heldMB: +(split.peakBytesHeld / 1e6).toFixed(1),
        load: os.loadavg()[0],
      };
      runs.push(run);
      console.error(JSON.stringify(run));
    }
  }
  fs.rmSync(dir, { recursive: true, force: true });
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = depths.map((depth) => {
    const rs = runs.filter((r) => r.depth === depth);
    return {
      depth,
      runs: rs.length,
      trainMs: Math.round(mean(rs.map((r) => r.trainMs))),
      waitShare: +mean(rs.map((r) => r.waitShare)).toFixed(4),
      steadyWaitShare: +mean(rs.map((r) => r.steadyWaitShare)).toFixed(4),
      heldMB: Math.max(...rs.map((r) => r.heldMB)),
    };
  });
  const out = {
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    backend: info.name,
    steps,
    rounds,
    shardRows: set.shardRows,
    featureThreads: Math.max(1, Math.min(4, os.cpus().length - 1)),
    runs,
    rows,
  };
  fs.writeFileSync(path.join(__dirname, 'prefetch.results.json'), JSON.stringify(out, null, 2) + '\n');
  console.log(report(out));
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
