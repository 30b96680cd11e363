#!/usr/bin/env node
// Distributed evaluation through BullMQ on Redis (the bullmq executor and `nasx worker`), side by
// side with the same runs in-process, all through the built CLI:
//
//   1. throughput: tabular NB201 evaluations (regularised evolution, dedup off) on 4 workers,
//      against the in-process run; evaluations/s from each run's summary (elapsed search time);
//   2. overhead per training job: the `train` estimator on MNIST, 50 evaluations one at a time on
//      one worker, against the same run in-process: (remote − in-process) / 50;
//   3. load tests: 2,000 tabular evaluations and 50 training evaluations over 4 workers, one worker
//      killed with SIGKILL at a third of the run and Redis restarted (no persistence: its queue is
//      lost and the run queues the lost jobs again) at two thirds; the journal's evaluated trials,
//      the best and the count must equal the in-process run's.
//
//   node tools/bench/distributed/distributed.bench.cjs [--evaluations 4000] [--workers 4]
//
// Data: NASX_DATA, else the shared/data folder beside the repository (nas-bench-201/). Writes
// results.json and RESULTS.md beside this script. Needs redis-server (Debian: redis-server).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const CLI = path.join(ROOT, 'apps', 'cli', 'bin', 'nasx.js');
const DATA = process.env.NASX_DATA || path.resolve(ROOT, '..', 'shared', 'data');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const EVALUATIONS = Number(arg('--evaluations', 4000));
const WORKERS = Number(arg('--workers', 4));
const PARTS = arg('--parts', 'throughput,overhead,load').split(',');
const testing = path.join(ROOT, 'libs', 'testing', 'dist', 'index.js');
if (!fs.existsSync(testing) || !fs.existsSync(path.join(ROOT, 'plugins', 'executor-bullmq', 'dist', 'index.js'))) {
  console.error('distributed bench: build first (node tools/scripts/build.cjs)');
  process.exit(2);
}
const { startRedisServer, redisServerPath } = require(testing);
if (!redisServerPath()) {
  console.error('distributed bench: needs redis-server (Debian: apt-get install redis-server)');
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-distributed-bench-'));

const TABULAR = (name, evaluations, extra = []) =>
  [
    `name: ${name}`,
    'seed: 11',
    'space: nb201',
    `dataDir: ${JSON.stringify(DATA)}`,
    'estimator: { use: tabular, options: { benchmark: nb201, dataset: cifar10, metric: val_acc, epochs: 12 } }',
    'searcher: { use: regularized-evolution, options: { population: 50, sampleSize: 10 } }',
    'objective: val_acc@12',
    'dedup: false',
    'concurrency: 256',
    `budget: { evaluations: ${evaluations} }`,
    ...extra,
    '',
  ].join('\n');
const TRAIN = (name, concurrency, extra = []) =>
  [
    `name: ${name}`,
    'seed: 5',
    'space: nb201',
    'task: { use: mnist, options: { limit: 1000 } }',
    'estimator: { use: train, options: { steps: 20, batchSize: 32, lr: 0.1, macro: { channels: 4, cellsPerStage: 1 } } }',
    'searcher: random',
    'objective: val_acc',
    `concurrency: ${concurrency}`,
    'budget: { evaluations: 50 }',
    // In-process, train runs in the kernel's worker-thread pool (its default): one thread here.
    ...(extra.length ? extra : ['workers: 1']),
    '',
  ].join('\n');

function writeConfig(name, text) {
  const file = path.join(work, `${name}.yaml`);
  fs.writeFileSync(file, text);
  return file;
}

/** Runs a config to completion; returns the run folder, the summary and the wall time. */
function runSync(name, text) {
  const file = writeConfig(name, text);
  const runs = path.join(work, 'runs', name);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'run', file, '--runs-dir', runs, '-q'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${name} failed:\n${r.stderr}`);
  return folder(runs, Date.now() - t0);
}

function folder(runs, wallMs) {
  const dir = path.join(runs, fs.readdirSync(runs)[0]);
  return { dir, wallMs, summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')) };
}

function bestOf(summary) {
  const b = summary.best;
  return b ? JSON.stringify([b.trial, b.arch.key, b.objective]) : 'none';
}

function evaluated(dir) {
  return fs
    .readFileSync(path.join(dir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"evaluated"'))
    .map((l) => {
      const e = JSON.parse(l);
      return `${e.trial} ${e.arch ? e.arch.key : e.ref} ${JSON.stringify(e.objective)}`;
    });
}

function startWorkers(redis, n) {
  return Array.from({ length: n }, () =>
    spawn(process.execPath, [CLI, 'worker', '--redis', redis.url, '--lease', '2', '--data-dir', DATA, '--state-dir', path.join(work, 'worker-state'), '-q'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
}

/** Runs a config in the background, killing a worker and restarting Redis at given evaluation counts. */
async function runWithFaults(name, text, redis, workers, killAt, restartAt) {
  const file = writeConfig(name, text);
  const runs = path.join(work, 'runs', name);
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, 'run', file, '--runs-dir', runs, '-q'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise((r) => child.once('exit', (code) => r(code)));
  const count = () => {
    if (!fs.existsSync(runs) || !fs.readdirSync(runs).length) return 0;
    const j = path.join(runs, fs.readdirSync(runs)[0], 'events.ndjson');
    return fs.existsSync(j) ? (fs.readFileSync(j, 'utf8').match(/"type":"evaluated"/g) || []).length : 0;
  };
  const faults = {};
  while (count() < killAt) await new Promise((r) => setTimeout(r, 5));
  workers[0].kill('SIGKILL');
  faults.killedAt = count();
  while (count() < restartAt) await new Promise((r) => setTimeout(r, 5));
  await redis.restart();
  faults.restartedAt = count();
  const code = await exited;
  if (code !== 0) throw new Error(`${name} failed:\n${err}`);
  const out = folder(runs, Date.now() - t0);
  const failures = fs
    .readFileSync(path.join(out.dir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter((l) => l.includes('"type":"failed"'))
    .map((l) => JSON.parse(l).error);
  if (failures.length) console.error(`${name}: failed trials:\n${failures.join('\n')}`);
  return { ...out, faults, failures, warnings: err.split('\n').filter((l) => /vanished|retrying|restart/i.test(l)).length };
}

async function main() {
  const results = {
    date: new Date().toISOString(),
    machine: `${os.cpus().length} × ${os.cpus()[0].model}`,
    node: process.version,
    redis: spawnSync(redisServerPath(), ['--version'], { encoding: 'utf8' }).stdout.trim(),
  };

  let redis;
  let workers;
  if (PARTS.includes('throughput')) {
    // 1. Throughput.
    redis = await startRedisServer({ persist: false });
    workers = startWorkers(redis, WORKERS);
    const remoteTab = (name, n) => TABULAR(name, n, [`executor: { use: bullmq, options: { redis: "${redis.url}", batchSize: 32 } }`]);
    const local = runSync('tabular-local', TABULAR('tabular-local', EVALUATIONS));
    const cold = runSync('tabular-bullmq-cold', remoteTab('tabular-bullmq-cold', EVALUATIONS));
    const warm = runSync('tabular-bullmq', remoteTab('tabular-bullmq', EVALUATIONS));
    const rate = (r) => r.summary.evaluations / (r.summary.elapsedMs / 1000);
    results.throughput = {
      evaluations: EVALUATIONS,
      workers: WORKERS,
      batchSize: 32,
      concurrency: 256,
      inProcess: { perSecond: rate(local), elapsedMs: local.summary.elapsedMs, wallMs: local.wallMs },
      bullmqFirstRun: { perSecond: rate(cold), elapsedMs: cold.summary.elapsedMs, wallMs: cold.wallMs },
      bullmq: { perSecond: rate(warm), elapsedMs: warm.summary.elapsedMs, wallMs: warm.wallMs },
      sameTrials: JSON.stringify(evaluated(local.dir)) === JSON.stringify(evaluated(warm.dir)),
    };
    console.error(`throughput: in-process ${rate(local).toFixed(0)}/s, bullmq ${rate(warm).toFixed(0)}/s (first run ${rate(cold).toFixed(0)}/s)`);

    for (const w of workers) w.kill('SIGKILL');
    await redis.dispose();
  }
  if (PARTS.includes('overhead')) {
    // 2. Overhead per training job: one worker, one trial at a time.
    redis = await startRedisServer({ persist: false });
    workers = startWorkers(redis, 1);
    const trainLocal = runSync('train-local', TRAIN('train-local', 1));
    const remoteTrain = (name) => TRAIN(name, 1, [`executor: { use: bullmq, options: { redis: "${redis.url}", batchSize: 1 } }`]);
    runSync('train-bullmq-warmup', remoteTrain('train-bullmq-warmup'));
    const trainRemote = runSync('train-bullmq', remoteTrain('train-bullmq'));
    results.trainingOverhead = {
      evaluations: 50,
      inProcessElapsedMs: trainLocal.summary.elapsedMs,
      bullmqElapsedMs: trainRemote.summary.elapsedMs,
      perJobMs: (trainRemote.summary.elapsedMs - trainLocal.summary.elapsedMs) / 50,
      sameTrials: JSON.stringify(evaluated(trainLocal.dir)) === JSON.stringify(evaluated(trainRemote.dir)),
    };
    console.error(`training: overhead ${results.trainingOverhead.perJobMs.toFixed(1)} ms per job`);
    for (const w of workers) w.kill('SIGKILL');
    await redis.dispose();
  }

  // 3. Load tests with a killed worker and a Redis restart (no persistence).
  results.loadTests = [];
  for (const spec of !PARTS.includes('load')
    ? []
    : [
        { name: 'tabular', evaluations: 2000, make: (n, extra) => TABULAR(n, 2000, extra), batchSize: 4 },
        { name: 'train', evaluations: 50, make: (n, extra) => TRAIN(n, 8, extra), batchSize: 1 },
      ]) {
    redis = await startRedisServer({ persist: false });
    workers = startWorkers(redis, WORKERS);
    const inProcess = runSync(`${spec.name}-load-local`, spec.make(`${spec.name}-load-local`, []));
    const remote = await runWithFaults(
      `${spec.name}-load-bullmq`,
      spec.make(`${spec.name}-load-bullmq`, [`executor: { use: bullmq, options: { redis: "${redis.url}", batchSize: ${spec.batchSize} } }`]),
      redis,
      workers,
      Math.round(spec.evaluations / 3),
      Math.round((2 * spec.evaluations) / 3),
    );
    const a = evaluated(inProcess.dir);
    const b = evaluated(remote.dir);
    const row = {
      name: spec.name,
      workers: WORKERS,
      evaluations: remote.summary.evaluations,
      faults: remote.faults,
      lostJobWarnings: remote.warnings,
      distinctTrials: new Set(b.map((l) => l.split(' ')[0])).size,
      sameTrials: JSON.stringify(a) === JSON.stringify(b),
      // The best trial, architecture and objective (its estimate's cost is a time, never equal).
      sameBest: bestOf(inProcess.summary) === bestOf(remote.summary),
      sameCount: inProcess.summary.evaluations === remote.summary.evaluations,
      wallMs: remote.wallMs,
      inProcessWallMs: inProcess.wallMs,
    };
    results.loadTests.push(row);
    console.error(`load test ${spec.name}: ${JSON.stringify(row)}`);
    for (const w of workers) w.kill('SIGKILL');
    await redis.dispose();
  }

  if (PARTS.length < 3) {
    console.error(JSON.stringify(results, null, 2));
    return;
  }
  fs.writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const t = results.throughput;
  const lines = [
    '# Distributed evaluation (bullmq executor, nasx worker) against in-process',
    '',
    `\`node tools/bench/distributed/distributed.bench.cjs\`, ${results.machine}, Node ${results.node}, ${results.redis.split(' ').slice(0, 3).join(' ')} on the loopback address (no persistence), ${results.date.slice(0, 10)}. Every process (Redis, the run, ${WORKERS} workers) shares the same 2 cores.`,
    '',
    '## Throughput: tabular NB201 evaluations',
    '',
    `Regularised evolution, ${t.evaluations} evaluations, dedup off, ${t.concurrency} trials in flight; the bullmq runs pack ${t.batchSize} trials per job over ${t.workers} workers. Evaluations/s over the search (the summary's elapsed time; start-up excluded).`,
    '',
    '| executor | evaluations/s | search time | wall time (with start-up) |',
    '|---|---:|---:|---:|',
    `| in-process | ${t.inProcess.perSecond.toFixed(0)} | ${(t.inProcess.elapsedMs / 1000).toFixed(2)} s | ${(t.inProcess.wallMs / 1000).toFixed(2)} s |`,
    `| bullmq, ${t.workers} workers (first run: workers compose the pipeline and load the table) | ${t.bullmqFirstRun.perSecond.toFixed(0)} | ${(t.bullmqFirstRun.elapsedMs / 1000).toFixed(2)} s | ${(t.bullmqFirstRun.wallMs / 1000).toFixed(2)} s |`,
    `| bullmq, ${t.workers} workers | **${t.bullmq.perSecond.toFixed(0)}** | ${(t.bullmq.elapsedMs / 1000).toFixed(2)} s | ${(t.bullmq.wallMs / 1000).toFixed(2)} s |`,
    '',
    `Same trials as in-process: ${t.sameTrials ? 'yes' : 'NO'}.`,
    '',
    '## Overhead per training job',
    '',
    `The \`train\` estimator (20 SGD steps on MNIST, 4-channel NB201 skeleton), 50 evaluations one at a time (concurrency 1): in-process ${(results.trainingOverhead.inProcessElapsedMs / 1000).toFixed(1)} s, through bullmq on one worker ${(results.trainingOverhead.bullmqElapsedMs / 1000).toFixed(1)} s (second run; the first composed and loaded MNIST on the worker): **${results.trainingOverhead.perJobMs.toFixed(1)} ms per job**. Same trials: ${results.trainingOverhead.sameTrials ? 'yes' : 'NO'}.`,
    '',
    '## Load tests: a worker killed, Redis restarted',
    '',
    '| run | workers | worker killed (SIGKILL) at | Redis restarted at | evaluations | trials equal in-process | best equal | count equal |',
    '|---|---:|---:|---:|---:|---|---|---|',
    ...results.loadTests.map(
      (r) =>
        `| ${r.name} (${r.evaluations}) | ${r.workers} | evaluation ${r.faults.killedAt} | evaluation ${r.faults.restartedAt} | ${r.evaluations} counted, ${r.distinctTrials} trials told (the rest answered from the cache), each once | ${r.sameTrials ? 'yes' : 'NO'} | ${r.sameBest ? 'yes' : 'NO'} | ${r.sameCount ? 'yes' : 'NO'} |`,
    ),
    '',
    'Redis runs without persistence here, so its restart loses the queue: the run finds the jobs it is waiting for missing and queues them again under the same ids; the killed worker’s job returns to the queue when its 2-second lease expires.',
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n'));
  console.error(lines.join('\n'));
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
