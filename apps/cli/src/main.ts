import { MAX_SEED, MAX_WORKERS, NasxError, formatNasxError, isNasxError } from '@nasx/contracts';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { addBrowserProfileOptions } from './commands/latency-browser.command';
import { pluginRoles } from './commands/new.command';
import { parseShape } from './commands/shape';
import { EXIT, processIO, type CliIO } from './io';
import type * as bench360Module from './commands/bench360.command';
import type * as cacheModule from './commands/cache.command';
import type * as compareModule from './commands/compare.command';
import type * as dataModule from './commands/data.command';
import type * as doctorModule from './commands/doctor.command';
import type * as evaluateModule from './commands/evaluate.command';
import type * as exportModule from './commands/export.command';
import type * as latencyModule from './commands/latency.command';
import type * as newModule from './commands/new.command';
import type * as pluginsModule from './commands/plugins.command';
import type * as predictorsModule from './commands/predictors.command';
import type * as reportModule from './commands/report.command';
import type * as resumeModule from './commands/resume.command';
import type * as runModule from './commands/run.command';
import type * as runsModule from './commands/runs.command';
import type * as schemaModule from './commands/schema.command';
import type * as scoreModule from './commands/score.command';
import type * as storeModule from './commands/store.command';
import type * as validateModule from './commands/validate.command';
import type * as workerModule from './commands/worker.command';
import type * as uiModule from './commands/ui.command';

// Each command's module is loaded when that command runs: `nasx --help`, `nasx plugins` or a
// mistyped flag no longer load the kernel, the store, the web server and the tensor code of every
// other command (`nasx --version` went from ~0.48 s to ~0.17 s).
/* eslint-disable @typescript-eslint/no-require-imports -- the command modules are loaded on first use */
const commands = {
  bench360: (): typeof bench360Module => require('./commands/bench360.command'),
  cache: (): typeof cacheModule => require('./commands/cache.command'),
  compare: (): typeof compareModule => require('./commands/compare.command'),
  data: (): typeof dataModule => require('./commands/data.command'),
  doctor: (): typeof doctorModule => require('./commands/doctor.command'),
  evaluate: (): typeof evaluateModule => require('./commands/evaluate.command'),
  export: (): typeof exportModule => require('./commands/export.command'),
  latency: (): typeof latencyModule => require('./commands/latency.command'),
  new: (): typeof newModule => require('./commands/new.command'),
  plugins: (): typeof pluginsModule => require('./commands/plugins.command'),
  predictors: (): typeof predictorsModule => require('./commands/predictors.command'),
  report: (): typeof reportModule => require('./commands/report.command'),
  resume: (): typeof resumeModule => require('./commands/resume.command'),
  run: (): typeof runModule => require('./commands/run.command'),
  runs: (): typeof runsModule => require('./commands/runs.command'),
  schema: (): typeof schemaModule => require('./commands/schema.command'),
  score: (): typeof scoreModule => require('./commands/score.command'),
  store: (): typeof storeModule => require('./commands/store.command'),
  validate: (): typeof validateModule => require('./commands/validate.command'),
  worker: (): typeof workerModule => require('./commands/worker.command'),
  ui: (): typeof uiModule => require('./commands/ui.command'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

function integer(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

/** A seed: 0 … 2^32-1 (larger seeds used to be reduced modulo 2^32 without a word: 4294967296 ran as seed 0). */
function seed(value: string): number {
  const n = integer(value);
  if (n > MAX_SEED) throw new InvalidArgumentError(`seeds are 32-bit: give 0 to ${MAX_SEED}`);
  return n;
}

/** Worker threads: 0 … 64 (each holds a tensor backend; 100,000 exhausted memory before starting). */
function workers(value: string): number {
  const n = integer(value);
  if (n > MAX_WORKERS) throw new InvalidArgumentError(`at most ${MAX_WORKERS} worker threads`);
  return n;
}

/** `900x600`: a plot's width and height in pixels, 200 to 8000 each. */
function plotSize(value: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[x×]\s*(\d+)\s*$/.exec(value);
  const [w, h] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!(w >= 200 && w <= 8000 && h >= 200 && h <= 8000)) throw new InvalidArgumentError('expected WIDTHxHEIGHT in pixels, each 200 to 8000, e.g. 900x600');
  return { width: w, height: h };
}

/** A positive integer option (batch, repeats, classes). */
function positive(value: string): number {
  const n = integer(value);
  if (n < 1) throw new InvalidArgumentError('expected an integer ≥ 1');
  return n;
}

/** `3x32x32`: an input shape, channels first. */
function shape(value: string): number[] {
  try {
    return parseShape(value);
  } catch {
    throw new InvalidArgumentError('expected an input shape channels first, e.g. 3x224x224');
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Build the command tree; each action stores its exit code. */
function program(io: CliIO, setCode: (p: Promise<number> | number) => Promise<void>): Command {
  const p = new Command('nasx')
    .description('nasx: neural architecture search — compose a task, search space, estimator and searcher in a config file and run it')
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside the compiled src/ (rootDir), so it cannot be imported
    .version(require('../package.json').version as string, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  p.command('run')
    .description('run a search pipeline (progress on stderr, summary at the end; journal in runs/<id>/)')
    .argument('<config>', 'pipeline config (YAML or JSON)')
    .option('--seed <n>', 'seed of every random stream, 0 to 2^32-1 (overrides the config)', seed)
    .option('--set <path=value>', 'override a config value, e.g. searcher.options.population=20 (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: config dataDir, else $NASX_DATA)')
    .option('--runs-dir <dir>', 'where run folders are written (default: config runsDir, else runs/)')
    .option('--no-journal', 'do not write a run folder (no resume)')
    .option('--json', 'one JSON search event per line on stdout (for scripts)')
    .option('-q, --quiet', 'no progress, only the final summary')
    .action((config: string, o) => setCode(commands.run().runCommand(io, config, o)));

  p.command('resume')
    .description('continue an interrupted run from its journal')
    .argument('<runDir>', 'a run folder, e.g. runs/nb201-rea-20260101-120000-1a2b')
    .option('--data-dir <dir>', "data directory, replacing the run's (the data moved, or another machine)")
    .option('--json', 'one JSON search event per line on stdout')
    .option('-q, --quiet', 'no progress, only the final summary')
    .action((dir: string, o) => setCode(commands.resume().resumeCommand(io, dir, o)));

  p.command('report')
    .description('summary of a run: best architecture, trajectory, budget used')
    .argument('<runDir>', 'a run folder')
    .option('--top <k>', 'rows of the top-trials table (default 10, at most 100)', integer)
    .option('--json', 'the report as JSON')
    .option(
      '--svg <file>',
      'also draw the best-so-far trajectory (against evaluations and wall-clock seconds), or the Pareto front of a multi-objective run, as SVG',
    )
    .option('--png <file>', 'the same plot as PNG')
    .option('--size <WxH>', 'size of the plot in pixels (default 900x600)', plotSize)
    .option('--front', 'only the Pareto front of a multi-objective run (and the exact front, when known)')
    .option('--no-exact', 'skip the exact front (scoring the whole space when the pipeline is fully tabulated; cached in the run folder)')
    .action((dir: string, o) => setCode(commands.report().reportCommand(io, dir, o)));

  p.command('validate')
    .description('check a config: schema, plugin ids, options, data (creates every contribution without running)')
    .argument('<config>', 'pipeline config (YAML or JSON)')
    .option('--seed <n>', 'seed (0 to 2^32-1)', seed)
    .option('--set <path=value>', 'override a config value (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: config dataDir, else $NASX_DATA)')
    .option('--static', 'only check the file against the schemas (do not create the contributions)')
    .action((config: string, o) => setCode(commands.validate().validateCommand(io, config, o)));

  p.command('runs')
    .description('list the runs of a runs directory, newest first, from the experiment store (<runs-dir>/nasx.db, brought up to date with the journals first)')
    .option('--runs-dir <dir>', 'the runs directory (default runs/)')
    .option('--name <text>', 'only runs whose id or config name contains this')
    .option('--space <id>', 'only runs of this search space')
    .option('--searcher <id>', 'only runs of this searcher')
    .option('--estimator <id>', 'only runs of this estimator')
    .option('--status <status>', 'only runs that are running, finished, failed or interrupted')
    .option('--limit <n>', 'at most this many (the newest)', positive)
    .option('--json', 'the runs as JSON')
    .action((o) => setCode(commands.runs().runsCommand(io, o)));

  p.command('compare')
    .description('put runs side by side: pipeline, budget used, search time, best value and architecture, and the best so far at common evaluation counts')
    .argument('<run...>', 'run ids (a prefix only one run has will do) or run folders')
    .option('--runs-dir <dir>', 'the runs directory (default: the folder of the run folders given, else runs/)')
    .option('--json', 'the comparison as JSON')
    .option('--plot <file>', 'also draw the best-so-far curves (against evaluations and search seconds) into an .svg or .png file')
    .option('--svg <file>', 'the same plot as SVG (as nasx report --svg)')
    .option('--png <file>', 'the same plot as PNG')
    .option('--size <WxH>', 'size of the plot in pixels (default 900x600)', plotSize)
    .action((ids: string[], o) => setCode(commands.compare().compareCommand(io, ids, o)));

  p.command('ui')
    .description('serve the web view of a runs directory: runs, a live page per run (trajectory, trials, Pareto front, cell), comparisons')
    .option('--runs-dir <dir>', 'the runs directory (default runs/)')
    .option('--host <address>', 'address to bind (default 127.0.0.1; another address requires the token)', '127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', integer, 8080)
    .option('--token <token>', 'access token (default: none on loopback, a random one elsewhere)')
    .action((o) => setCode(commands.ui().uiCommand(io, o)));

  p.command('store')
    .description('the experiment store of a runs directory (<runs-dir>/nasx.db), an index of the run journals')
    .command('rebuild')
    .description('drop the store (also a damaged one) and index every journal again; the runs are not touched')
    .option('--runs-dir <dir>', 'the runs directory (default runs/)')
    .action((o) => setCode(commands.store().storeRebuildCommand(io, o)));

  p.command('worker')
    .description(
      'serve a distributed executor: evaluate the trials of runs whose config has executor: { use: bullmq, … }, until Ctrl-C or SIGTERM (start any number, on any machine with the plugins and data)',
    )
    .option('--redis <url>', 'Redis server, redis://[user@]host:port[/db] or rediss:// for TLS (password: $NASX_REDIS_PASSWORD)', 'redis://127.0.0.1:6379')
    .option('--queue <name>', 'queue prefix, as the runs’ executor.options.queue', 'nasx')
    .option('--concurrency <n>', 'jobs this process runs at once', positive)
    .option('--lease <seconds>', 'lease of a job: a worker that dies holds it this long before it is queued again', Number)
    .option('--estimators <ids>', 'serve only these estimators (comma-separated; default: every one installed)')
    .option('--data-dir <dir>', 'data directory of this machine (default: $NASX_DATA)')
    .option('--state-dir <dir>', 'where preparations (trained supernets, fitted predictors) are kept (default: the temporary folder)')
    .option('--plugins <dir>', 'an extra plugin package folder (repeatable)', collect)
    .option('--options <json|file>', 'further executor options as JSON (e.g. TLS files)')
    .option('--executor <id>', 'executor plugin', 'bullmq')
    .option('-q, --quiet', 'only warnings and errors')
    .action((o) => setCode(commands.worker().workerCommand(io, o)));

  p.command('bench360')
    .description(
      "NAS-Bench-360's protocol: search each task with a pipeline, retrain the found architecture and the WRN baseline, and write a results table beside the paper's numbers",
    )
    .argument('[config]', 'pipeline config whose searcher, estimator and space are run on each task (default: random search over NB201 with short training)')
    .option('--tasks <ids>', 'comma-separated task ids (default: ecg,satellite,darcy)')
    .option('--budget <name>', 'smoke (seconds, a set-up check), small (CPU minutes), medium, or paper (NAS-Bench-360 sizes)', 'small')
    .option('--seeds <n>', 'seeds per task (default: 2 for small, 3 otherwise)', positive)
    .option('--source <source>', "tasks' data: auto (release files, else the real sample), full, sample, synthetic", 'auto')
    .option('-o, --out <dir>', 'output folder (default bench360/<budget>); running again continues from the results there')
    .option('--set <path=value>', 'override a config value (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory with the tasks’ files (default: config dataDir, else $NASX_DATA)')
    .option(
      '--device <prefix>',
      'report the searched cell’s latency (and energy) on a device of the latency table where it measured the task, e.g. pi5_litert or pixel_litert (HW-NAS-Bench-360: cifar100, ninapro, darcy)',
    )
    .action((config: string | undefined, o) => setCode(commands.bench360().bench360Command(io, config, o)));

  p.command('evaluate')
    .description("estimate given architectures with a pipeline's space and estimator (e.g. query a benchmark table)")
    .argument('<config>', 'pipeline config (its space parses the architectures, its estimator scores them)')
    .argument('<arch...>', "architectures in the space's text form, e.g. NB201 arch strings")
    .option('--set <path=value>', 'override a config value (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: config dataDir, else $NASX_DATA)')
    .option('--json', 'one JSON line per architecture')
    .action((config: string, archs: string[], o) => setCode(commands.evaluate().evaluateCommand(io, config, archs, o)));

  p.command('export')
    .description("write an architecture's network (a run's best, a trial, or --arch) as a TensorFlow.js model, untrained or trained with --train")
    .argument('<source>', 'a run folder (runs/<id>) or a pipeline config')
    .option('--arch <string>', "the architecture, in the space's text form (default: the run's best)")
    .option('--trial <n>', 'the architecture of this evaluated trial of the run', integer)
    .option('-o, --out <dir>', 'output folder for model.json and group1-shard1of1.bin (default exports/<name>-trial<N>)')
    .option('--train', "train the network on the run's task first, as its train estimator does")
    .option('--epochs <n>', "with --train: epochs (default: the run's train budget, else 1)", integer)
    .option('--steps <n>', 'with --train: optimiser steps', integer)
    .option('--seed <n>', "seed of the initial weights and the data order, 0 to 2^32-1 (default: the run's seed)", seed)
    .option('--task <id>', "the task whose input and classes the network takes (default: the run's)")
    .option('--macro <name=n>', "skeleton setting, e.g. channels=16 (repeatable; default: the run's train estimator's, else the space's)", collect)
    .option('--layout <nchw|nhwc>', 'input layout of the model: nchw (as nasx networks, default) or nhwc (images)')
    .option('--set <path=value>', 'override a config value (repeatable)', collect)
    .option('--data-dir <dir>', "data directory (default: the run's, else $NASX_DATA)")
    .option('--force', 'write into a non-empty output folder')
    .action((source: string, o) => setCode(commands.export().exportCommand(io, source, o)));

  p.command('score')
    .description('score architectures with any estimator (e.g. a zero-cost proxy on a task) and write CSV or JSON lines')
    .argument('[arch...]', "architectures in the space's text form")
    .requiredOption('--estimator <id>', 'estimator contribution id')
    .option('--space <id>', 'search space', 'nb201')
    .option('--task <id>', 'task (for estimators that need data)')
    .option('--archs <file>', 'a file with one architecture per line')
    .option('--all', 'every architecture of the space (with -o, the same command again continues a killed or stopped run)')
    .option('-o, --out <file>', 'output file (.csv, or .jsonl / .json for JSON lines); default: CSV on stdout')
    .option('--workers <n>', `worker threads, 0 to ${MAX_WORKERS} (default: one per core for compute-heavy estimators)`, workers)
    .option('--seed <n>', 'seed (0 to 2^32-1)', seed)
    .option('--set <path=value>', 'override a config value, e.g. estimator.options.batchSize=64 (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: $NASX_DATA)')
    .option('--dedup', 'score one architecture per canonical key (isomorphic cells share a score)')
    .option('--runs-dir <dir>', 'where the run folder is written (default runs/)')
    .option('--no-journal', 'do not write a run folder')
    .option('-q, --quiet', 'no progress')
    .action((archs: string[], o) => setCode(commands.score().scoreCommand(io, archs, o)));

  p.command('predictors')
    .description(
      'learned performance predictors: "bench" fits each predictor and the ridge/random baselines on nested training sets and reports Kendall τ / Spearman ρ on held-out architectures',
    )
    .argument('<action>', 'bench')
    .option(
      '--config <file>',
      'take the space, the labelling estimator (its estimator), predictor options (estimators.<id>), seed and data directory from a run config',
    )
    .option('--space <id>', 'search space (default nb201)')
    .option('--labels <id>', 'labelling estimator id (default: tabular, CIFAR-10 test accuracy after 200 epochs)')
    .option('--predictors <ids>', 'comma-separated predictor estimator ids', 'gcn,renas')
    .option('--sizes <list>', 'comma-separated training-set sizes', '25,50,100,200,424')
    .option('--seeds <n>', 'seeds (splits) per size', integer, 3)
    .option('--test <n>', 'held-out architectures per seed', integer, 1000)
    .option('--seed <n>', 'seed of the pool and of the predictors', seed)
    .option('--set <path=value>', 'override a config value, e.g. estimator.options.dataset=cifar100 or estimators.gcn.options.epochs=40 (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: $NASX_DATA)')
    .option('-o, --out <dir>', 'output folder for predictors-bench.{json,md,svg}', 'predictors-bench')
    .option('-q, --quiet', 'no progress lines')
    .action((action: string, o) => setCode(commands.predictors().predictorsCommand(io, action, o)));

  p.command('plugins')
    .description('list installed plugins and their contributions (read from manifests; no plugin code is loaded)')
    .option('--json', 'as JSON')
    .action((o) => setCode(commands.plugins().pluginsCommand(io, o)));

  const data = p
    .command('data')
    .description('benchmark data: download and convert it from its upstream release (fetch), show what is installed (list), check it (verify)');
  data
    .command('fetch')
    .description('download each dataset from its official location (or --from), verify it, convert it, and record where it came from')
    .argument('<id...>', 'dataset ids, e.g. nb201 cifar10 (nasx data list shows them)')
    .option('--data-dir <dir>', 'data directory to install into (default: $NASX_DATA)')
    .option('--from <mirror>', 'take the upstream files from a mirror: an http(s) URL or folder holding them under their upstream names (or the file itself)')
    .option('--force', 'fetch again even when installed, and download again')
    .option('--sha256 <hex>', 'the sha256 the upstream file must have (for files with no published checksum)')
    .action((ids: string[], o) => setCode(commands.data().dataFetchCommand(io, ids, o)));
  data
    .command('list')
    .description('list the datasets of the installed plugins (from manifests), whether they are installed, and where they came from')
    .option('--data-dir <dir>', 'data directory (default: $NASX_DATA)')
    .option('--json', 'as JSON')
    .action((o) => setCode(commands.data().dataListCommand(io, o)));
  data
    .command('verify')
    .description('check the installed files against the sha256s recorded when they were fetched')
    .argument('[id...]', 'dataset ids (default: every fetched dataset)')
    .option('--data-dir <dir>', 'data directory (default: $NASX_DATA)')
    .action((ids: string[], o) => setCode(commands.data().dataVerifyCommand(io, ids, o)));

  const latency = p
    .command('latency')
    .description('hardware latency: list the devices of the latency models (devices), predict architectures (predict), profile this machine (profile)');
  latency
    .command('devices')
    .description(
      'every installed latency model with the devices it knows here (table columns, lookup tables in the data directory, …) and the options that select each',
    )
    .option('--data-dir <dir>', 'data directory (default: $NASX_DATA)')
    .option('--space <id>', 'space for models that need one to list their devices (default nb201)')
    .option('--json', 'as JSON')
    .action((o) => setCode(commands.latency().latencyDevicesCommand(io, o)));
  latency
    .command('predict')
    .description("latency (and energy, where known) of architectures in the space's text form, from a config's latency models or --model")
    .argument('[arch...]', "architectures in the space's text form")
    .option('--config <file>', 'a pipeline config: its space and its latency: entries')
    .option('--space <id>', 'search space (default nb201)')
    .option('--model <id>', 'latency model, e.g. table or lut (nasx latency devices lists them)')
    .option('--device <name>', "the model's device, e.g. pixel3 (table) or pixel1 (lut with --table proxylessnas)")
    .option('--table <file>', 'lut: the operator table (tfnas, proxylessnas, or a file written by nasx latency profile)')
    .option('--input <CxHxW>', "the space's input shape (network-level spaces), e.g. 3x224x224", shape)
    .option('--classes <n>', "the space's number of classes", positive)
    .option('--archs <file>', 'a file with one architecture per line')
    .option('--set <path=value>', 'override a config value, e.g. seed=1 (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: config dataDir, else $NASX_DATA)')
    .option('--json', 'one JSON line per architecture')
    .action((archs: string[], o) => setCode(commands.latency().latencyPredictCommand(io, archs, o)));
  addBrowserProfileOptions(latency.command('profile'))
    .description(
      "time every operator of a network-level space on this machine's TensorFlow.js backend (--browser: in a web browser, e.g. a phone's) and write an operator table for the lut latency model",
    )
    .requiredOption('-o, --out <file>', 'the table to write (nasx operator-table CSV)')
    .option('--space <id>', 'search space (default mnas)')
    .option('--config <file>', 'take the space (and its options) from a pipeline config')
    .option('--input <CxHxW>', "input shape of the networks, e.g. 3x32x32 (default: the space's)", shape)
    .option('--classes <n>', "classes of the classifier (default: the space's)", positive)
    .option('--batch <n>', 'batch size of the timed passes (default 1)', positive)
    .option('--repeats <n>', 'timed runs per operator (default 5)', positive)
    .option('--warmup <n>', 'untimed runs per operator first (default 2)', integer)
    .option('--statistic <median|min>', 'what of the timed runs is kept: median (default) or min (steadier on a busy machine)')
    .option('--device <name>', 'device name written in the table (default local-<backend>; --browser: from the browser and backend, e.g. pixel-7-chrome-webgl)')
    .option(
      '--backend <name>',
      'tensor backend: auto, tensorflow, wasm or cpu (default: $NASX_BACKEND, else the fastest installed); --browser: webgl (default, falls back to wasm, then cpu), wasm or cpu',
    )
    .option('--set <path=value>', 'override a config value (repeatable)', collect)
    .option('--data-dir <dir>', 'data directory (default: config dataDir, else $NASX_DATA)')
    .option('--force', 'replace an existing table')
    .option('-q, --quiet', 'no progress lines')
    .action((o) => setCode(commands.latency().latencyProfileCommand(io, o)));

  const cache = p.command('cache').description("nasx's per-user cache folder (NASX_CACHE_DIR): what it holds (show), and deleting it (clear)");
  cache
    .command('show')
    .description('the cache folder and the size of each part: compiled validators, the NB101 index, releases unpacked for streaming')
    .option('--json', 'as JSON')
    .action((o) => setCode(commands.cache().cacheShowCommand(io, o)));
  cache
    .command('clear')
    .description('delete cached files (all of them, or the parts named); the runs that need them rebuild them')
    .argument('[part...]', 'unpacked, ajv, nb101 (default: everything)')
    .option('--stale', 'only unpacked releases whose pickle is gone or changed')
    .action((parts: string[], o) => setCode(commands.cache().cacheClearCommand(io, parts, o)));

  p.command('doctor')
    .description('show the tensor backend in use, the backends passed over and why, and how to enable each')
    .option('--json', 'as JSON')
    .action((o) => setCode(commands.doctor().doctorCommand(io, o)));

  p.command('schema')
    .description('print the JSON Schema of pipeline configs for the installed plugins (for editors)')
    .option('-o, --out <file>', 'write to a file instead of stdout')
    .action((o) => setCode(commands.schema().schemaCommand(io, o)));

  p.command('new')
    .description('scaffold a project')
    .command('plugin')
    .description('a standalone plugin project (like npm create @nasx/plugin) that builds and passes its contract suites as generated')
    .argument('[name]', 'contribution id, kebab-case (e.g. hill-climb)')
    .option('--role <role>', `extension point: ${pluginRoles().join(', ')}`)
    .option('--scope <scope>', 'npm scope of the package, e.g. @acme (package @acme/<role>-<name>; default nasx-<role>-<name>)')
    .option('--dir <dir>', 'folder to create (default ./<role>-<name>)')
    .option('--title <text>', 'short human title of the contribution')
    .option('--description <text>', 'one or two sentences about it')
    .action((name: string | undefined, o) => setCode(commands.new().newPluginCommand(io, name, o)));

  return p;
}

/** Causes of a failed file operation that are the user's to fix (a path, a disk, permissions), not an internal error. */
const FS_CAUSES: Record<string, { what: string; fix: string }> = {
  ENOENT: { what: 'no such file or folder', fix: 'check the path (create the folder first)' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'check the path' },
  EISDIR: { what: 'it is a folder, not a file', fix: 'give a file name' },
  EACCES: { what: 'permission denied', fix: 'choose a path you can write, or fix the permissions' },
  EPERM: { what: 'operation not permitted', fix: 'choose a path you can write, or fix the permissions' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a writable path' },
  ENOSPC: { what: 'the disk is full', fix: 'free disk space, or write elsewhere' },
  EDQUOT: { what: 'the disk quota is exceeded', fix: 'free disk space, or write elsewhere' },
  ENAMETOOLONG: { what: 'the name is too long', fix: 'use a shorter path' },
};

/** A Node file-system error with a path (e.g. writing -o into a missing folder) as a user-facing error. */
function fileSystemError(e: unknown): NasxError | undefined {
  const x = e as NodeJS.ErrnoException | undefined;
  const cause = x?.code ? FS_CAUSES[x.code] : undefined;
  if (!cause || typeof x?.path !== 'string' || typeof x.syscall !== 'string') return undefined;
  return new NasxError('usage', `cannot ${x.syscall} ${x.path}: ${cause.what} (${x.code})`, { fix: cause.fix });
}

/** Run the CLI; resolves to the exit code (see {@link EXIT}: 0 ok, 1 run failed, 2 bad input, 130/143/141 stopped). Never prints a stack for a user mistake. */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  let pending: Promise<number> | number = EXIT.ok;
  const cmd = program(io, (c) => {
    pending = c;
    // Returned to commander so parseAsync awaits the command (and its errors reach the catch below).
    return Promise.resolve(c).then(() => undefined);
  });
  try {
    if (argv.length === 0) {
      cmd.outputHelp();
      return EXIT.input;
    }
    await cmd.parseAsync([...argv], { from: 'user' });
    return await pending;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode === 0 || e.code === 'commander.helpDisplayed' || e.code === 'commander.version' ? EXIT.ok : EXIT.input;
    }
    if (isNasxError(e)) {
      io.err(formatNasxError(e) + '\n');
      return e.isInputError ? EXIT.input : EXIT.failed;
    }
    const fsError = fileSystemError(e);
    if (fsError) {
      io.err(formatNasxError(fsError) + '\n');
      return EXIT.input;
    }
    const err = e as Error;
    io.err(`nasx: internal error: ${err?.message ?? String(e)}\n`);
    if (io.env['NASX_DEBUG']) io.err(`${err?.stack ?? ''}\n`);
    else io.err('(set NASX_DEBUG=1 for the stack trace, and please report it)\n');
    return EXIT.failed;
  }
}
