/**
 * The `ghn` estimator: GHN-2 (Knyazev et al., "Parameter Prediction for Unseen Deep
 * Architectures", NeurIPS 2021). `prepare` meta-trains one graph hypernetwork (or loads one): each
 * step predicts all parameters of a meta-batch of training networks and descends their mean
 * cross-entropy on one image batch, in the GHN's parameters only (Sec. 3, eq. 1). It checkpoints
 * every few steps in the run's state folder, Adam's moments included, so a killed run resumes at
 * the last checkpoint and takes the steps the uninterrupted one would have. `estimate` then traces
 * the architecture's network, predicts its parameters in one forward pass and reports the
 * validation accuracy they give, without training; optionally the accuracy of seeded random
 * parameters beside it, and the accuracy after fine-tuning from the prediction.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  NasxError,
  phaseReporter,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EstimatorDeps,
  type Json,
  type MetricDeclaration,
  type Task,
  type WorkContext,
} from '@nasx/contracts';
import {
  accuracyWith,
  DEEPNETS_OPS,
  DEEPNETS_SPACE,
  evaluateWith,
  findNetworkBuilder,
  fineTune,
  Ghn,
  ghnNetwork,
  initialParameters,
  initTensorBackend,
  metaTrainStep,
  predictParameters,
  pruneTensorFiles,
  reinitializeParameters,
  sampleDeepNets,
  tf,
  writeFileAtomic,
  type GhnConfig,
  type GhnNetwork,
} from '@nasx/tensor';
import {
  GHN_CHECKPOINT_FORMAT,
  PKG,
  checkpointDir,
  readCheckpoint,
  readTensors,
  setupDifferences,
  setupFingerprint,
  writeCheckpoint,
  writeTensors,
  type GhnCheckpoint,
  type GhnSetup,
} from './checkpoint';
import type { GhnOptions } from './ghn.schema';
import { fixedBatches, loadImages, streamBatch, type ImageSet } from './images';

const CONTRIBUTION = 'ghn';
const place = { pkg: PKG, contribution: CONTRIBUTION };

const METRICS: readonly MetricDeclaration[] = [
  {
    name: 'ghn_acc',
    direction: 'maximize',
    unit: '%',
    description: 'top-1 validation accuracy of the network with the parameters GHN-2 predicts for it, untrained',
  },
  { name: 'ghn_loss', direction: 'minimize', description: 'validation cross-entropy with the predicted parameters' },
  { name: 'init_acc', direction: 'maximize', unit: '%', description: 'top-1 validation accuracy with seeded random parameters (option baseline)' },
  {
    name: 'ghn_finetune_acc',
    direction: 'maximize',
    unit: '%',
    description: 'top-1 validation accuracy after fineTune.steps SGD steps from the predicted parameters',
  },
];

function taskOf(deps: EstimatorDeps): Task {
  const task = deps.task;
  if (!task) {
    throw new NasxError('config', 'estimator "ghn" meta-trains on data, but the config has no task', {
      ...place,
      pointer: '/task',
      fix: 'add an image classification task, e.g. "task: mnist" or "task: cifar10" (with NASX_DATA)',
    });
  }
  if (task.numClasses === undefined || task.inputShape.length !== 3 || task.loss !== 'cross-entropy') {
    throw new NasxError(
      'config',
      `estimator "ghn" predicts parameters of image classifiers, but task "${task.id}" is ${task.modality} with input shape [${task.inputShape.join(', ')}] and loss ${task.loss}`,
      { ...place, pointer: '/task', fix: 'use an image classification task such as mnist or cifar10' },
    );
  }
  return task;
}

/** The space's network builder must describe its forward pass (the GHN reads the traced graph). */
function checkSpace(space: string): void {
  let builder;
  try {
    builder = findNetworkBuilder(space);
  } catch (e) {
    if (e instanceof NasxError) throw new NasxError('config', `estimator "ghn": ${e.message}`, { ...place, pointer: '/space', fix: e.fix });
    throw e;
  }
  if (!builder.graph) {
    throw new NasxError(
      'config',
      `estimator "ghn" reads the computational graph of each network, but the ${space} builder does not describe its forward pass`,
      {
        ...place,
        pointer: '/space',
        fix: 'search nb201, nb101, mnas, wrn or deepnets, whose builders describe their networks',
      },
    );
  }
}

/** The running β₁ᵗ, β₂ᵗ of tfjs's Adam, saved so a resumed schedule takes the same steps bit for bit. */
interface AdamInternals {
  readonly accBeta1: tf.Variable;
  readonly accBeta2: tf.Variable;
}

/** GHN-2's estimator; see the file header. */
export function createGhnEstimator(options: GhnOptions, deps: EstimatorDeps): Estimator {
  const task = taskOf(deps);
  checkSpace(deps.space.id);
  const numClasses = task.numClasses!;
  const inputShape = [...task.inputShape];
  const macro = { ...(options.macro as { [k: string]: number }) };
  const train = options.train;
  const graphSpace = train.graphs === 'deepnets' ? DEEPNETS_SPACE : deps.space.id;
  const ranges = {
    channels: [...train.deepnets.channels],
    layers: [train.deepnets.layers[0]!, train.deepnets.layers[1]!] as [number, number],
    nodes: [train.deepnets.nodes[0]!, train.deepnets.nodes[1]!] as [number, number],
    stem: [...train.deepnets.stem],
    ops: DEEPNETS_OPS,
  };
  for (const [name, r] of [
    ['layers', ranges.layers],
    ['nodes', ranges.nodes],
  ] as const) {
    if (r[0] > r[1])
      throw new NasxError('config', `train.deepnets.${name} is [${r.join(', ')}]: its minimum is above its maximum`, {
        ...place,
        pointer: `/estimator/options/train/deepnets/${name}`,
        fix: `write [min, max], e.g. [${r[1]}, ${r[0]}]`,
      });
  }
  const ghnConfig = (seed: number): GhnConfig => ({
    hidden: options.ghn.hidden,
    maxShape: [options.ghn.maxShape[0]!, options.ghn.maxShape[1]!, options.ghn.maxShape[2]!, options.ghn.maxShape[3]!],
    numClasses,
    virtualEdges: options.ghn.virtualEdges,
    layerNorm: options.ghn.layerNorm,
    weightNorm: options.ghn.weightNorm,
    seed,
  });
  if (ghnConfig(0).maxShape[2] !== ghnConfig(0).maxShape[3])
    throw new NasxError('config', `ghn.maxShape [${options.ghn.maxShape.join(', ')}] has a non-square kernel`, {
      ...place,
      pointer: '/estimator/options/ghn/maxShape',
      fix: 'use [o, i, k, k], e.g. [64, 64, 5, 5]',
    });

  /** The GHN architecture as a checkpoint's setup records it. */
  const ghnArchitecture = {
    hidden: options.ghn.hidden,
    maxShape: [...options.ghn.maxShape],
    virtualEdges: options.ghn.virtualEdges,
    layerNorm: options.ghn.layerNorm,
    weightNorm: options.ghn.weightNorm,
  };
  // A GHN to load is checked before the run starts (missing, unfinished, or for another setup).
  const loadedGhn = options.load ? loadGhn(path.resolve(deps.configDir ?? process.cwd(), options.load)) : undefined;
  function loadGhn(file: string): { file: string; checkpoint: GhnCheckpoint } {
    const loaded = readCheckpoint(file);
    if (!loaded)
      throw new NasxError('config', `load names ${file}, which does not exist`, {
        ...place,
        pointer: '/estimator/options/load',
        fix: 'point at the ghn.json in the ghn/ folder of a run’s state folder',
      });
    const wanted = {
      graphs: '',
      inputShape,
      numClasses,
      ghn: ghnArchitecture,
      schedule: {},
      seed: 0,
    };
    const differences = setupDifferences({ ...loaded.setup, schedule: {}, seed: 0, graphs: '' }, wanted);
    if (differences.length)
      throw new NasxError('config', `the GHN in ${file} was trained for another setup: ${differences.join('; ')}`, {
        ...place,
        pointer: '/estimator/options/load',
        fix: 'use the task and ghn options it was trained with, or leave out load to meta-train a new GHN',
      });
    if (!loaded.complete)
      throw new NasxError('config', `the GHN in ${file} did not finish meta-training`, {
        ...place,
        pointer: '/estimator/options/load',
        fix: 'resume the run that trains it, or leave out load',
      });
    return { file, checkpoint: loaded };
  }

  let ghn: Ghn | undefined;
  let trainKeys = new Set<string>();
  let val: { x: tf.Tensor4D; labels: tf.Tensor1D }[] = [];
  let trainImages: ImageSet | undefined;
  let ready: Promise<void> | undefined;

  const netOptions = (space: string) => ({ numClasses, inputShape, ...(space === deps.space.id && Object.keys(macro).length ? { macro } : {}) });

  async function prepareOnce(ctx: WorkContext): Promise<void> {
    await initTensorBackend();
    await task.load?.();
    const seed = options.seed ?? ctx.rng.fork('ghn').int(0x7fffffff);
    const trainSize = Math.min(task.splits.train.size, train.trainLimit);
    let setup: GhnSetup = {
      graphs: graphSpace,
      inputShape,
      numClasses,
      ghn: ghnArchitecture,
      schedule: {
        count: train.count,
        epochs: train.epochs,
        metaBatch: train.metaBatch,
        batchSize: train.batchSize,
        lr: train.lr,
        weightDecay: train.weightDecay,
        gradClip: train.gradClip,
        trainSize,
        ...(train.graphs === 'deepnets' ? { ranges: { channels: ranges.channels, layers: ranges.layers, nodes: ranges.nodes, stem: ranges.stem } } : { macro }),
      },
      seed,
    };
    let dir: string;
    let checkpoint: GhnCheckpoint | undefined;
    if (loadedGhn) {
      setup = loadedGhn.checkpoint.setup;
      dir = path.dirname(loadedGhn.file);
      checkpoint = loadedGhn.checkpoint;
    } else {
      dir = checkpointDir(ctx.stateDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ghn-')), setup);
      checkpoint = readCheckpoint(path.join(dir, 'ghn.json'));
      if (checkpoint && checkpoint.fingerprint !== setupFingerprint(setup)) checkpoint = undefined;
    }
    const manifest = path.join(dir, 'ghn.json');
    ghn = new Ghn(ghnConfig(setup.seed));
    // The training graphs: drawn once and kept beside the checkpoint (graphs.json), so a resumed or
    // loaded GHN knows exactly which graphs it was trained on (and which estimates are held out).
    const archs = trainingGraphs(dir, ctx, setup);
    trainKeys = new Set(archs.map((a) => a.key));
    if (checkpoint)
      ghn.assign(new Map([...readTensors(dir, checkpoint.weights, manifest)].map(([k, v]) => [k, { shape: ghn!.variables.get(k)?.shape ?? [], values: v }])));
    if (!checkpoint?.complete) await metaTrain(ctx, dir, setup, archs, checkpoint);
    const valSet = await loadImages(task.splits.validation, options.valLimit, ctx.rng.fork('ghn-validation'));
    val = fixedBatches(valSet, options.evalBatchSize);
    if (options.fineTune.steps > 0) trainImages ??= await loadImages(task.splits.train, trainSize, ctx.rng.fork('ghn-train-images'));
  }

  function trainingGraphs(dir: string, ctx: WorkContext, setup: GhnSetup): Architecture[] {
    const file = path.join(dir, 'graphs.json');
    if (fs.existsSync(file)) {
      try {
        return (JSON.parse(fs.readFileSync(file, 'utf8')) as { graphs: Architecture[] }).graphs;
      } catch (e) {
        throw new NasxError('data', `${file} is not a list of training graphs: ${e instanceof Error ? e.message : String(e)}`, {
          ...place,
          file,
          fix: 'delete the GHN folder so the GHN is meta-trained again',
        });
      }
    }
    if (options.load) {
      throw new NasxError('data', `the GHN folder ${dir} has no graphs.json`, { ...place, file, fix: 'copy the whole GHN folder' });
    }
    const graphRng = ctx.rng.fork('ghn-graphs');
    const archs: Architecture[] = [];
    const keys = new Set<string>();
    const want = Number(setup.schedule['count']);
    for (let attempt = 0; archs.length < want && attempt < want * 50; attempt++) {
      const a = setup.graphs === DEEPNETS_SPACE ? sampleDeepNets(graphRng, ranges) : deps.space.sample(graphRng);
      if (keys.has(a.key)) continue;
      keys.add(a.key);
      archs.push(a);
    }
    writeFileAtomic(file, `${JSON.stringify({ space: setup.graphs, graphs: archs })}\n`);
    return archs;
  }

  async function metaTrain(
    ctx: WorkContext,
    dir: string,
    setup: GhnSetup,
    archs: readonly Architecture[],
    checkpoint: GhnCheckpoint | undefined,
  ): Promise<void> {
    const g = ghn!;
    const images = (trainImages = await loadImages(task.splits.train, Number(setup.schedule['trainSize']), ctx.rng.fork('ghn-train-images')));
    const perEpoch = Math.ceil(archs.length / train.metaBatch);
    const total = perEpoch * train.epochs;
    const optimizer = tf.train.adam(train.lr);
    const vars = [...g.variables.values()];
    let done = checkpoint?.stepsDone ?? 0;
    let seconds = checkpoint?.seconds ?? 0;
    const history = [...(checkpoint?.history ?? [])];
    if (checkpoint?.optimizer) {
      // Adam's weights: `iter`, then first and second moments in variable order (tfjs's getWeights layout).
      const saved = readTensors(dir, checkpoint.optimizer, path.join(dir, 'ghn.json'));
      const order = ['iter', ...vars.map((_, i) => `m${i}`), ...vars.map((_, i) => `v${i}`)];
      await optimizer.setWeights(
        order.map((k, i) => {
          const v = i === 0 ? undefined : vars[(i - 1) % vars.length]!;
          return { name: k, tensor: i === 0 ? tf.scalar(saved.get(k)![0]!) : tf.tensor(saved.get(k)!, v!.shape) };
        }),
      );
      // setWeights recomputes β^t by pow(); the running products it replaces differ in the last bits.
      const acc = optimizer as unknown as AdamInternals;
      acc.accBeta1.assign(tf.scalar(saved.get('accBeta1')![0]!));
      acc.accBeta2.assign(tf.scalar(saved.get('accBeta2')![0]!));
      ctx.logger.info(`ghn: resuming meta-training at step ${done + 1} of ${total} (${path.join(dir, 'ghn.json')})`);
    } else
      ctx.logger.info(`ghn: GHN-2 of ${g.paramCount} parameters, meta-training on ${archs.length} ${setup.graphs} graphs for ${total} steps, state in ${dir}`);
    const graphRng = ctx.rng.fork('ghn-meta-batches');
    const dataRng = ctx.rng.fork('ghn-data');
    const cache = new Map<number, number[]>();
    const phase = phaseReporter(ctx, 'meta-training GHN-2', { total, unit: 'steps', source: CONTRIBUTION });
    phase.update(done);
    const save = async (complete: boolean, lossSum: number, lossCount: number) => {
      if (lossCount) history.push({ step: done, loss: lossSum / lossCount });
      const weights = writeTensors(dir, 'ghn.bin', new Map([...g.weights()].map(([k, v]) => [k, v.values])));
      let opt;
      if (!complete) {
        const w = await optimizer.getWeights();
        const named = new Map<string, Float32Array>();
        w.forEach((t, i) => named.set(i === 0 ? 'iter' : i <= vars.length ? `m${i - 1}` : `v${i - 1 - vars.length}`, t.tensor.dataSync() as Float32Array));
        const acc = optimizer as unknown as AdamInternals;
        named.set('accBeta1', acc.accBeta1.dataSync() as Float32Array);
        named.set('accBeta2', acc.accBeta2.dataSync() as Float32Array);
        opt = writeTensors(dir, 'adam.bin', named);
      }
      writeCheckpoint(dir, {
        format: GHN_CHECKPOINT_FORMAT,
        fingerprint: setupFingerprint(setup),
        setup,
        stepsDone: done,
        totalSteps: total,
        complete,
        history,
        weights,
        ...(opt ? { optimizer: opt } : {}),
        seconds,
      });
      // Earlier checkpoints' files (and, once complete, Adam's state), no longer named by the manifest.
      pruneTensorFiles(dir, [weights, opt]);
    };
    try {
      let lossSum = 0;
      let lossCount = 0;
      while (done < total) {
        ctx.signal.throwIfAborted();
        const started = performance.now();
        const epoch = Math.floor(done / perEpoch);
        const order = graphRng.fork(`epoch-${epoch}`).shuffle(archs.map((_, i) => i));
        const at = (done % perEpoch) * train.metaBatch;
        const nets: GhnNetwork[] = order.slice(at, at + train.metaBatch).map((i) => ghnNetwork(archs[i]!, netOptions(archs[i]!.space)));
        const batch = g.prepare(nets.map((n) => n.compute));
        const b = streamBatch(images, train.batchSize, dataRng, done, cache);
        const r = metaTrainStep(g, optimizer, nets, batch, b.x, b.labels, { weightDecay: train.weightDecay, gradClip: train.gradClip });
        tf.dispose([b.x, b.labels]);
        if (!Number.isFinite(r.loss))
          throw new NasxError('run', `GHN meta-training diverged at step ${done + 1} (loss ${r.loss})`, {
            ...place,
            fix: 'lower train.lr, or keep train.gradClip at 5',
          });
        lossSum += r.loss;
        lossCount++;
        done++;
        seconds += (performance.now() - started) / 1000;
        phase.update(done);
        if (done % train.checkpointEvery === 0 || done === total) {
          await save(done === total, lossSum, lossCount);
          ctx.emit({ type: 'metric', name: 'ghn_meta_loss', value: lossSum / lossCount, step: done, source: CONTRIBUTION });
          ctx.logger.info(`ghn: step ${done}/${total}: meta-training loss ${(lossSum / lossCount).toFixed(4)} (${seconds.toFixed(0)} s)`);
          lossSum = 0;
          lossCount = 0;
        }
        // Let the event loop breathe (progress, cancellation).
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      phase.end();
      optimizer.dispose();
    }
  }

  const prepare = (ctx: WorkContext): Promise<void> => {
    ready ??= prepareOnce(ctx).catch((e: unknown) => {
      ready = undefined;
      throw e;
    });
    return ready;
  };

  async function estimateOne(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
    const started = performance.now();
    if (arch.space !== deps.space.id) {
      throw new NasxError('architecture', `estimator "ghn" was given an architecture of space "${arch.space}" in a run over "${deps.space.id}"`, {
        ...place,
        fix: 'estimate architectures of the configured space',
      });
    }
    const net = ghnNetwork(arch, netOptions(arch.space));
    const t0 = performance.now();
    const params = predictParameters(ghn!, net);
    const predictSeconds = (performance.now() - t0) / 1000;
    try {
      const r = evaluateWith(net, params, val);
      const metrics: { [k: string]: number } = { ghn_acc: 100 * r.accuracy, ghn_loss: r.loss };
      if (options.baseline) {
        const init = initialParameters(net, ctx.trial);
        try {
          metrics['init_acc'] = 100 * accuracyWith(net, init, val);
        } finally {
          tf.dispose(Object.values(init));
        }
      }
      let curves: { [k: string]: Json } | undefined;
      if (options.fineTune.steps > 0) {
        // GHN-2 Sec. 5.2: the same SGD steps on the same batches from predicted and (with baseline) random parameters.
        // GHN-orth (Knyazev 2022): both starts get the same noise and orthogonalisation, so the
        // comparison still isolates what the predicted values add.
        const { orthogonalize, noise, fromLayer } = options.fineTune;
        const run = async (given: Readonly<Record<string, tf.Tensor>>) => {
          const rng = ctx.rng.fork(`ghn-finetune-${ctx.trial}`);
          const cache = new Map<number, number[]>();
          let step = 0;
          const start = reinitializeParameters(net, given, { orthogonalize, noise, fromLayer, seed: ctx.trial });
          try {
            return await fineTune(net, start, {
              steps: options.fineTune.steps,
              lr: options.fineTune.lr,
              momentum: options.fineTune.momentum,
              nextBatch: async () => streamBatch(trainImages!, options.fineTune.batchSize, rng, step++, cache),
              evaluate: (p) => 100 * accuracyWith(net, p, val),
              at: options.fineTune.at,
            });
          } finally {
            tf.dispose(Object.values(start));
          }
        };
        const ghnCurve = await run(params);
        metrics['ghn_finetune_acc'] = ghnCurve[ghnCurve.length - 1]!.value;
        curves = { steps: ghnCurve.map((c) => c.step), ghn: ghnCurve.map((c) => c.value) };
        if (options.baseline) {
          const init = initialParameters(net, ctx.trial);
          try {
            const initCurve = await run(init);
            metrics['init_finetune_acc'] = initCurve[initCurve.length - 1]!.value;
            curves['init'] = initCurve.map((c) => c.value);
          } finally {
            tf.dispose(Object.values(init));
          }
        }
      }
      return {
        metrics,
        cost: { seconds: (performance.now() - started) / 1000, flops: net.plan.flops },
        info: {
          predictSeconds,
          nodes: net.compute.nodes.length,
          params: net.plan.paramCount,
          heldOut: !trainKeys.has(arch.key),
          valSamples: val.reduce((n, b) => n + b.labels.shape[0], 0),
          ...(curves ? { fineTune: curves } : {}),
        },
      };
    } finally {
      tf.dispose(Object.values(params));
    }
  }

  return {
    id: CONTRIBUTION,
    metrics: METRICS,
    prepare,
    async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
      await prepare(ctx);
      ctx.signal.throwIfAborted();
      return estimateOne(arch, ctx);
    },
    dispose(): void {
      ghn?.dispose();
      ghn = undefined;
      for (const b of val) tf.dispose([b.x, b.labels]);
      val = [];
    },
  };
}
