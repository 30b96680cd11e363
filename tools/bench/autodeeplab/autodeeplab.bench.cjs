#!/usr/bin/env node
// Auto-DeepLab on the CamVid sample through the product path: `nasx run examples/camvid-autodeeplab.yaml`
// searches the cell and the network path (on two halves of the training split) and retrains the
// found network with the train estimator (validation mIoU: the validation split is held out from
// the search); `nasx evaluate` trains a fixed, hand-designed baseline of the same space, its filter
// multiplier chosen so its parameter count is the closest to the found network's, with the same
// estimator and seed. Per seed: the found architecture, both networks' parameters and validation
// mIoU, and the time per search epoch.
//   node tools/bench/autodeeplab/autodeeplab.bench.cjs [--seeds 0,1,2]
//   node tools/bench/autodeeplab/autodeeplab.bench.cjs --random 3 [--seeds 0,1,2]
//     (a control: that many architectures drawn uniformly from the space per seed, trained the same
//     way; the found network should beat them too)
//   node tools/bench/autodeeplab/autodeeplab.bench.cjs --report
// Data: NASX_DATA, else the shared data folder beside the repository (camvid-small/). Results merge
// into results.json by seed.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { ROOT, arg, DATA, CLI } = require('../common.cjs');
const { machineInfo } = require('../machine.cjs');

const RESULTS = path.join(__dirname, 'results.json');
const CONFIG = path.join(ROOT, 'examples', 'camvid-autodeeplab.yaml');
/** The fixed baseline: DeepLabv3's output-stride-16 path, a cell of 3×3 separable convolutions chaining the blocks. */
const BASELINE = 'sep_conv_3x3~0+sep_conv_3x3~1|sep_conv_3x3~1+sep_conv_3x3~2|sep_conv_3x3~2+sep_conv_3x3~3@4-8-16-16';

const previous = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : { runs: {} };
if (process.argv.includes('--report')) {
  report(previous);
  process.exit(0);
}

const seeds = arg('--seeds', '0,1,2').split(',').map(Number);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-adl-bench-'));
const cli = (args) => {
  const r = spawnSync(process.execPath, [CLI, ...args, '--data-dir', DATA], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) {
    console.error(`autodeeplab bench: nasx ${args[0]} failed:\n${r.stderr}`);
    process.exit(1);
  }
  return r.stdout;
};
const tensor = require(path.join(ROOT, 'libs', 'tensor', 'dist', 'index.js'));
const space = require(path.join(ROOT, 'plugins', 'search-space-autodeeplab', 'dist', 'index.js'));
const io = { inputShape: [3, 90, 120], outputShape: [11, 90, 120], numClasses: 11 };
const macro = { filterMultiplier: 4, stemChannels: 16, asppChannels: 16 };
const paramsOf = (text, F) => tensor.planNetwork(space.parseAutodeeplab(text), { ...io, macro: { ...macro, filterMultiplier: F } }).paramCount;

const randomCount = Number(arg('--random', 0));
if (randomCount > 0) {
  const { createRng } = require(path.join(ROOT, 'libs', 'kernel', 'dist', 'index.js'));
  const adl = new space.AutodeeplabSearchSpace({ blocks: 3, layers: 4 });
  for (const seed of seeds) {
    const rng = createRng(1000 + seed);
    const archs = Array.from({ length: randomCount }, () => adl.format(adl.sample(rng)));
    const out = cli(['evaluate', CONFIG, ...archs, '--json', '--set', `seed=${seed}`])
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const run = previous.runs[String(seed)];
    if (!run) {
      console.error(`autodeeplab bench: run the search for seed ${seed} first`);
      process.exit(1);
    }
    run.random = out.map((r) => ({ arch: r.arch, params: paramsOf(r.arch, macro.filterMultiplier), miou: r.metrics.val_miou }));
    fs.writeFileSync(RESULTS, JSON.stringify(previous, null, 1) + '\n');
    console.error(`autodeeplab seed ${seed}: random ${run.random.map((r) => r.miou.toFixed(2)).join(', ')}`);
  }
  report(previous);
  process.exit(0);
}

for (const seed of seeds) {
  const runsDir = path.join(work, `search-${seed}`);
  const t0 = Date.now();
  cli(['run', CONFIG, '--quiet', '--runs-dir', runsDir, '--set', `seed=${seed}`]);
  const searchSeconds = Math.round((Date.now() - t0) / 1000);
  const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0]);
  const events = fs
    .readFileSync(path.join(runDir, 'events.ndjson'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  const evaluated = events.find((e) => e.type === 'evaluated');
  const state = JSON.parse(fs.readFileSync(path.join(runDir, 'state', 'autodeeplab', 'autodeeplab.json'), 'utf8'));
  const found = state.epochs.at(-1).arch;
  const foundParams = paramsOf(found, macro.filterMultiplier);
  // The baseline's filter multiplier: the one whose parameter count is closest to the found network's.
  let F = 1;
  for (let f = 1; f <= 16; f++) if (Math.abs(paramsOf(BASELINE, f) - foundParams) < Math.abs(paramsOf(BASELINE, F) - foundParams)) F = f;
  const t1 = Date.now();
  const base = JSON.parse(
    cli(['evaluate', CONFIG, BASELINE, '--json', '--set', `seed=${seed}`, '--set', `estimator.options.macro.filterMultiplier=${F}`])
      .trim()
      .split('\n')
      .at(-1),
  );
  previous.runs[String(seed)] = {
    seed,
    date: new Date().toISOString().slice(0, 10),
    machine: machineInfo(),
    found,
    foundParams,
    foundMiou: evaluated.estimate.metrics.val_miou,
    baseline: BASELINE,
    baselineF: F,
    baselineParams: paramsOf(BASELINE, F),
    baselineMiou: base.metrics.val_miou,
    epochs: state.epochs.map((e) => ({
      epoch: e.epoch + 1,
      seconds: +e.seconds.toFixed(1),
      trainLoss: +e.trainLoss.toFixed(4),
      archLoss: e.archLoss === null ? null : +e.archLoss.toFixed(4),
      alphaEntropy: +e.alphaEntropy.toFixed(4),
      betaEntropy: +e.betaEntropy.toFixed(4),
      arch: e.arch,
    })),
    searchAndRetrainSeconds: searchSeconds,
    baselineSeconds: Math.round((Date.now() - t1) / 1000),
  };
  fs.writeFileSync(RESULTS, JSON.stringify(previous, null, 1) + '\n');
  const r = previous.runs[String(seed)];
  console.error(
    `autodeeplab seed ${seed}: found ${found} (${foundParams} params) mIoU ${r.foundMiou.toFixed(2)}; baseline F=${F} (${r.baselineParams}) mIoU ${r.baselineMiou.toFixed(2)}`,
  );
}
report(previous);

function report(res) {
  const runs = Object.values(res.runs).sort((a, b) => a.seed - b.seed);
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = (xs) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));
  const searchEpochs = runs.flatMap((r) => r.epochs.filter((e) => e.archLoss !== null).map((e) => e.seconds));
  const warmEpochs = runs.flatMap((r) => r.epochs.filter((e) => e.archLoss === null).map((e) => e.seconds));
  const lines = [
    '# Auto-DeepLab on the CamVid sample: the found network against a fixed baseline',
    '',
    'Made by `node tools/bench/autodeeplab/autodeeplab.bench.cjs`. Each seed: `nasx run examples/camvid-autodeeplab.yaml` searches (B = 3 blocks, L = 4 layers, F = 4; 8 epochs, architecture steps from epoch 4; 128 training images per epoch, halved between weight and architecture steps; 90×120 images) and retrains the found network with the `train` estimator (400 SGD steps of 8 images, lr 0.05 cosine); `nasx evaluate` trains the fixed baseline with the same estimator and seed. Metric: mean IoU (%) over the 11 classes on the 50 validation images, which the search never reads.',
    '',
    `Baseline: \`${BASELINE}\` (DeepLabv3’s output-stride-16 path, a chain of 3×3 separable convolutions), its filter multiplier F chosen per seed so its parameter count is the closest to the found network’s.`,
    '',
    '| seed | found architecture | params | val mIoU (%) | baseline F | baseline params | baseline val mIoU (%) | random architectures: val mIoU (%) (params) | search + retrain (s) |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...runs.map(
      (r) =>
        `| ${r.seed} | \`${r.found}\` | ${r.foundParams.toLocaleString('en-US')} | ${r.foundMiou.toFixed(2)} | ${r.baselineF} | ${r.baselineParams.toLocaleString('en-US')} | ${r.baselineMiou.toFixed(2)} | ${r.random ? r.random.map((x) => `${x.miou.toFixed(2)} (${x.params.toLocaleString('en-US')})`).join(', ') : '–'} | ${r.searchAndRetrainSeconds} |`,
    ),
    runs.length > 1
      ? `| mean ± sd | | | ${mean(runs.map((r) => r.foundMiou)).toFixed(2)} ± ${sd(runs.map((r) => r.foundMiou)).toFixed(2)} | | | ${mean(runs.map((r) => r.baselineMiou)).toFixed(2)} ± ${sd(runs.map((r) => r.baselineMiou)).toFixed(2)} | ${runs.every((r) => r.random) ? `${mean(runs.flatMap((r) => r.random.map((x) => x.miou))).toFixed(2)} ± ${sd(runs.flatMap((r) => r.random.map((x) => x.miou))).toFixed(2)}` : ''} | |`
      : '',
    '',
    `Time per search epoch (16 images per step: 8 for the weights, 8 for α and β): ${searchEpochs.length ? mean(searchEpochs).toFixed(1) : '–'} s with architecture steps, ${warmEpochs.length ? mean(warmEpochs).toFixed(1) : '–'} s in warm-up (weight steps only), 8 steps per epoch; machine: ${runs[0]?.machine.cpu ?? ''}, ${runs[0]?.machine.backend ?? 'onednn'} backend, load ${runs.map((r) => r.machine.loadAverage1m).join(', ')}.`,
    '',
    ...(res.notes ?? []),
    '',
    '## Per epoch (seconds, training loss, architecture loss, α and β entropy)',
    '',
    ...runs.map(
      (r) =>
        `- seed ${r.seed}: ${r.epochs.map((e) => `${e.epoch}: ${e.seconds} s, ${e.trainLoss}, ${e.archLoss ?? '–'}, ${e.alphaEntropy}, ${e.betaEntropy}`).join('; ')}`,
    ),
    '',
  ];
  fs.writeFileSync(path.join(__dirname, 'RESULTS.md'), lines.join('\n'));
}
