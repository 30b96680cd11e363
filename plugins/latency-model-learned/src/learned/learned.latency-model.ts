import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  defineLatencyModel,
  isNasxError,
  type ArchGraph,
  type Architecture,
  type LatencyModel,
  type LatencyModelDeps,
  type SearchSpace,
} from '@nasx/contracts';
import { predictorFingerprint, predictorStatePath } from '@nasx/predictors';
import { initTensorBackend } from '@nasx/tensor';
import { LearnedLatencyPredictor, sampleRows, type AdaptFit, type LearnedLatencyState } from './learned-latency';
import { learnedSchema, type LearnedOptions } from './learned.schema';
import { HELP_META_TRAIN_DEVICES, HELP_NB201_TABLE, ID, LatencyTable, PKG } from './latency-table';

/** Fewest measurements an adaptation accepts (a ridge fit with an intercept on fewer says nothing). */
const MIN_ADAPT = 3;

function configError(message: string, fix: string): NasxError {
  return new NasxError('config', `latency model "${ID}": ${message}`, { pkg: PKG, contribution: ID, fix });
}

/** Reads an adaptation file: a CSV with a header and columns `arch` and `latency_ms`. */
export function readAdaptFile(file: string): { archs: string[]; latencies: number[] } {
  const fail = (message: string, line?: number): NasxError =>
    new NasxError('data', `latency model "${ID}": ${file}${line ? `, line ${line}` : ''}: ${message}`, {
      pkg: PKG,
      contribution: ID,
      file,
      ...(line ? { line } : {}),
      fix: `write a CSV with the header "arch,latency_ms" and one measured architecture per line (at least ${MIN_ADAPT})`,
    });
  if (!fs.existsSync(file)) throw fail('the adaptation file does not exist');
  const lines = fs
    .readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = lines[0]!.split(',').map((h) => h.trim());
  const a = header.indexOf('arch');
  const l = header.indexOf('latency_ms');
  if (a < 0 || l < 0) throw fail(`the header "${lines[0]}" lacks the columns arch and latency_ms`, 1);
  const archs: string[] = [];
  const latencies: number[] = [];
  lines.slice(1).forEach((line, i) => {
    if (!line) return;
    const cells = line.split(',');
    const ms = Number(cells[l]);
    if (!cells[a] || !Number.isFinite(ms) || ms <= 0) throw fail(`"${line}" is not an architecture and a latency in ms > 0`, i + 2);
    archs.push(cells[a]!.trim());
    latencies.push(ms);
  });
  if (archs.length < MIN_ADAPT) throw fail(`${archs.length} measurements, fewer than ${MIN_ADAPT}`);
  return { archs, latencies };
}

/** The graphs of architecture strings of the table or an adaptation file, parsed by the run's space. */
function graphsOf(space: SearchSpace, archs: readonly string[], source: string): ArchGraph[] {
  return archs.map((text) => {
    try {
      return space.toGraph(space.parse(text));
    } catch (e) {
      if (!isNasxError(e)) throw e;
      throw new NasxError('config', `latency model "${ID}": the space "${space.id}" cannot read "${text}" of ${source}`, {
        pkg: PKG,
        contribution: ID,
        fix: `the latencies of ${source} are of NAS-Bench-201 cells: search the nb201 space (${e.message})`,
      });
    }
  });
}

/** What the model is fitted on, settled from the options before any training. */
interface Plan {
  readonly device: string;
  readonly trainDevices: readonly string[];
  readonly rows: readonly number[];
  readonly adapt?: { readonly archs: readonly string[]; readonly latencies: readonly number[]; readonly source: string; readonly fit: AdaptFit };
}

/** Checks the options against the table and settles devices, training rows and adaptation data. */
export function planFit(options: LearnedOptions, table: LatencyTable, configDir: string): Plan {
  const { device, train, adapt, seed } = options;
  const inTable = table.devices.includes(device);
  // A device the table lacks is known only through a file of its measurements; the error lists the table's.
  if (!inTable && adapt?.file === undefined) table.latencies(device);
  const trainDevices = train.devices ?? (inTable && !adapt ? [device] : [...HELP_META_TRAIN_DEVICES].filter((d) => d !== device));
  for (const d of trainDevices) table.latencies(d, 'train.devices');
  const rows = (): number[] => {
    if (train.cells > table.archs.length) {
      throw configError(
        `train.cells is ${train.cells}, but ${table.file} has only ${table.archs.length} architectures`,
        `set train.cells to at most ${table.archs.length}`,
      );
    }
    return sampleRows(table.archs.length, train.cells, seed, 'train-cells');
  };
  if (trainDevices.includes(device)) {
    if (adapt)
      throw configError(`device "${device}" is one of train.devices, so there is nothing to adapt`, 'remove adapt, or remove the device from train.devices');
    return { device, trainDevices, rows: rows() };
  }
  if (!adapt || (adapt.samples === undefined && adapt.file === undefined)) {
    throw configError(
      `device "${device}" is not among the training devices (${trainDevices.join(', ')}), and no measurements of it are given`,
      `add adapt: { samples: 20 } (measurements from the table) or adapt: { file: <csv of arch,latency_ms> }, or add "${device}" to train.devices`,
    );
  }
  if (adapt.samples !== undefined && adapt.file !== undefined) throw configError('adapt has both samples and file', 'give one of adapt.samples and adapt.file');
  const fit: AdaptFit = { lambda: adapt.lambda, loss: adapt.loss };
  if (adapt.file !== undefined) {
    const file = path.resolve(configDir, adapt.file);
    return { device, trainDevices, rows: rows(), adapt: { ...readAdaptFile(file), source: file, fit } };
  }
  const measured = table.latencies(device);
  if (adapt.samples! > table.archs.length) {
    throw configError(
      `adapt.samples is ${adapt.samples}, but ${table.file} has only ${table.archs.length} architectures`,
      `set adapt.samples to at most ${table.archs.length}`,
    );
  }
  const picked = sampleRows(table.archs.length, adapt.samples!, seed, `adapt-${device}`);
  return {
    device,
    trainDevices,
    rows: rows(),
    adapt: { archs: picked.map((r) => table.archs[r]!), latencies: picked.map((r) => measured[r]!), source: `${table.file} (${device})`, fit },
  };
}

/** The run-facing model: a fitted {@link LearnedLatencyPredictor} for one target device. */
export class LearnedLatencyModel implements LatencyModel {
  readonly id = ID;
  readonly devices: readonly string[];

  constructor(
    private readonly space: SearchSpace,
    readonly predictor: LearnedLatencyPredictor,
    readonly device: string,
    readonly provenance: string,
    private readonly fingerprint: string,
  ) {
    this.devices = [device, ...predictor.knownDevices.filter((d) => d !== device)];
  }

  /** Writes the trained network to `<stateDir>/predictors/learned-<fingerprint>.json` unless it is there. */
  save(stateDir: string): void {
    const file = predictorStatePath(stateDir, ID, this.fingerprint);
    if (fs.existsSync(file)) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const state: StateFile = { fingerprint: this.fingerprint, predictor: this.predictor.toState({ adapted: false }) };
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state));
    fs.renameSync(tmp, file);
  }

  private graphOf(target: Architecture | ArchGraph): ArchGraph {
    return 'nodes' in target ? target : this.space.toGraph(target);
  }

  predict(target: Architecture | ArchGraph, device: string): number {
    return this.predictMany([target], device)[0]!;
  }

  /** Batched: encodes every graph, one forward pass per 4,096. */
  predictMany(targets: readonly (Architecture | ArchGraph)[], device: string): number[] {
    return this.predictor.predict(
      targets.map((t) => this.graphOf(t)),
      device,
    );
  }

  /** Frees the network. */
  dispose(): void {
    this.predictor.dispose();
  }
}

/** The saved form in the run folder: the fingerprint of what decided the training, and the trained predictor. */
interface StateFile {
  readonly fingerprint: string;
  readonly predictor: LearnedLatencyState;
}

/** Fits (or reloads from `deps.stateDir`) the learned latency model described by `options`. */
export async function createLearnedLatencyModel(options: LearnedOptions, deps: LatencyModelDeps): Promise<LearnedLatencyModel> {
  if (!deps.dataDir) {
    throw new NasxError('data', `latency model "${ID}" trains on latency tables in the data directory, and none is set`, {
      pkg: PKG,
      contribution: ID,
      fix: `give --data-dir, set dataDir in the config, or set NASX_DATA (it reads ${HELP_NB201_TABLE})`,
    });
  }
  const table = LatencyTable.inDataDir(deps.dataDir);
  const plan = planFit(options, table, deps.configDir);
  const { space } = deps;
  // The state holds the trained network only: adaptation is a closed-form fit of milliseconds,
  // redone on every start, so configs that differ only in how they adapt share one training.
  const training = {
    seed: options.seed,
    hidden: options.hidden,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    loss: options.loss,
    ensemble: options.ensemble,
  };
  const fingerprint = predictorFingerprint(ID, space.id, {
    training,
    trainDevices: plan.trainDevices,
    cells: plan.rows.length,
    table: { file: path.basename(table.file), rows: table.archs.length, size: fs.statSync(table.file).size },
  });
  const file = deps.stateDir ? predictorStatePath(deps.stateDir, ID, fingerprint) : undefined;
  await initTensorBackend();
  let predictor: LearnedLatencyPredictor | undefined;
  if (file && fs.existsSync(file)) {
    let saved: StateFile;
    try {
      saved = JSON.parse(fs.readFileSync(file, 'utf8')) as StateFile;
    } catch (e) {
      throw new NasxError('data', `latency model "${ID}": the saved state ${file} is not readable JSON (${(e as Error).message})`, {
        pkg: PKG,
        contribution: ID,
        file,
        fix: 'delete the file so that the model is trained again',
      });
    }
    if (saved.fingerprint === fingerprint) {
      predictor = LearnedLatencyPredictor.restore(saved.predictor);
      deps.logger.info(`latency model "${ID}": reloaded the trained network from ${file}`);
    }
  }
  if (!predictor) {
    const started = Date.now();
    const graphs = graphsOf(
      space,
      plan.rows.map((r) => table.archs[r]!),
      table.file,
    );
    predictor = await LearnedLatencyPredictor.fit(
      graphs,
      plan.trainDevices.map((d) => {
        const col = table.latencies(d);
        return { device: d, latencies: plan.rows.map((r) => col[r]!) };
      }),
      training,
    );
    deps.logger.info(`latency model "${ID}": trained on ${plan.trainDevices.join(', ')} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  let provenance = `learned: ${options.ensemble === 1 ? 'MLP' : `ensemble of ${options.ensemble} MLPs`} (${options.hidden} hidden) over the architecture graph, trained on ${plan.rows.length} cells of ${plan.trainDevices.join(', ')} from ${path.basename(table.file)} (seed ${options.seed})`;
  if (plan.adapt) {
    predictor.adapt(plan.device, graphsOf(space, plan.adapt.archs, plan.adapt.source), plan.adapt.latencies, plan.adapt.fit);
    provenance += `; ${plan.device} adapted from ${plan.adapt.archs.length} measurements of ${plan.adapt.source}`;
  }
  const model = new LearnedLatencyModel(space, predictor, plan.device, provenance, fingerprint);
  if (deps.stateDir) model.save(deps.stateDir);
  return model;
}

/** The `learned` latency-model contribution. */
export const learnedLatencyModel = defineLatencyModel<LearnedOptions>({
  id: ID,
  title: 'Learned latency predictor (HELP-style few-shot)',
  description:
    'A latency predictor over the architecture graph, trained on measured latencies of some devices from the data directory; predicts one of them, or an unseen device adapted from a few of its measurements.',
  optionsSchema: learnedSchema,
  create: (options, deps) => createLearnedLatencyModel(options, deps),
});
