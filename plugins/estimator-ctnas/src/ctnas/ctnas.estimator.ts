import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  phaseReporter,
  defineEstimator,
  type Architecture,
  type Comparator,
  type Estimate,
  type EstimateContext,
  type EstimatorDeps,
  type Json,
  type LabelledArchitecture,
  type MetricDeclaration,
  type OptionsInput,
  type Predictor,
  type WorkContext,
  withSchemaDefaults,
} from '@nasx/contracts';
import {
  GcnGraphEncoder,
  SeededRandom,
  applyGradientStep,
  batchTensors,
  checkScorable,
  checkTrainingData,
  type CheckSubject,
  labelEstimatorOf,
  prepareTrainingSet,
  learningRateOf,
  propagate,
  predictorFingerprint,
  predictorStatePath,
  type PredictorPlace,
  type SavedTensor,
} from '@nasx/predictors';
import { initTensorBackend, tf } from '@nasx/tensor';
import { NacNetwork } from './nac.network';
import { ctnasSchema, type CtnasOptions } from './ctnas.schema';

const PKG = '@nasx/estimator-ctnas';
const ID = 'ctnas';

export type { CtnasOptions } from './ctnas.schema';

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const CTNAS_DEFAULTS: CtnasOptions = withSchemaDefaults<CtnasOptions>(ctnasSchema, {});

/** Version of the saved comparator format. */
export const CTNAS_STATE_VERSION = 1;

/** What the comparator saves in `<stateDir>/predictors/ctnas-<fingerprint>.json`. */
export interface CtnasStateFile {
  readonly format: 'nasx-ctnas';
  readonly version: number;
  readonly fingerprint: string;
  readonly contribution: string;
  readonly options: Json;
  readonly space: string;
  readonly seed: number;
  /** The labelled architectures it was fitted on. */
  readonly data: readonly LabelledArchitecture[];
  readonly encoder: Json;
  /** Indices into `data` of the reference set of `estimate`. */
  readonly references: readonly number[];
  readonly parameters: readonly SavedTensor[];
  readonly buffers: readonly SavedTensor[];
}

interface Fitted {
  readonly network: NacNetwork;
  readonly space: string;
  readonly references: readonly Architecture[];
  /** The labelled architectures it was fitted on. */
  readonly data: readonly LabelledArchitecture[];
}

/**
 * The Neural Architecture Comparator of CTNAS (Chen et al., "Contrastive Neural Architecture
 * Search with Neural Architecture Comparators", CVPR 2021) as an estimator that is both a
 * `Predictor` (fit on labelled architectures, or on labels from a named estimator in `prepare`)
 * and a `Comparator` (`compare(a, b)` = P(a better than b)).
 *
 * Training (Sec. 3.2, Eq. 3): binary cross-entropy of σ(logit(a, b)) against 1[y_a > y_b] over
 * ordered pairs of training architectures with different labels (ties carry no order and are
 * skipped); `pairsPerEpoch` pairs drawn per epoch (or all of them).
 *
 * As an estimator, `estimate(arch)` is the mean of compare(arch, r) over a fixed reference set of
 * `referenceSize` training architectures drawn with the model's seed at fit time: a scalar in
 * [0, 1] that ranks architectures, so the NAC can be benchmarked and used like any predictor.
 */
export class CtnasEstimator implements Predictor, Comparator {
  readonly id = ID;
  readonly metrics: readonly MetricDeclaration[] = [
    {
      name: ID,
      direction: 'maximize',
      description: 'mean NAC probability of beating a fixed reference sample of training architectures (0–1; larger ranks higher)',
    },
  ];
  readonly minTrainingSize = 10;
  private readonly place: PredictorPlace = { pkg: PKG, contribution: ID };
  private readonly subject: CheckSubject = { what: `comparator "${ID}"`, place: this.place };
  private readonly options: CtnasOptions;
  private readonly seed: number;
  private readonly fingerprint: string;
  private fitted: Fitted | undefined;
  /** Embeddings by architecture key (cleared on refit): the searcher compares against one baseline many times. */
  private readonly embeddings = new Map<string, Float32Array>();

  constructor(
    options: OptionsInput<CtnasOptions>,
    private readonly deps: EstimatorDeps,
  ) {
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    this.options = withSchemaDefaults<CtnasOptions>(ctnasSchema, options);
    this.seed = options.seed ?? deps.rng.int(0x7fffffff);
    this.fingerprint = predictorFingerprint(ID, deps.space.id, options);
  }

  /** Whether a model is fitted (or was reloaded). */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /**
   * The labelled architectures of the last fit (also after a reload from the run folder), so a
   * searcher can refit on them plus new results (CTNAS's data exploration).
   */
  get trainingData(): readonly LabelledArchitecture[] {
    return this.fitted?.data ?? [];
  }

  /** The reference set of `estimate` (after fitting). */
  get references(): readonly Architecture[] {
    return this.fitted?.references ?? [];
  }

  async fit(data: readonly LabelledArchitecture[], ctx: WorkContext): Promise<void> {
    const space = this.deps.space;
    checkTrainingData(this.subject, data, this.minTrainingSize, space.id);
    if (data.every((d) => d.value === data[0]!.value)) {
      throw new NasxError('data', `comparator "${ID}" was given ${data.length} architectures that all have the same label, so there is no pair to learn from`, {
        ...this.place,
        fix: 'label with an estimator whose values differ between architectures',
      });
    }
    await initTensorBackend();
    const started = performance.now();
    const graphs = data.map((d) => space.toGraph(d.arch));
    const encoder = GcnGraphEncoder.fit(graphs, { maxNodes: this.options.maxNodes });
    const network = new NacNetwork(encoder, this.options, this.seed);
    try {
      await this.train(network, encoder, graphs, data, ctx);
    } catch (e) {
      network.parameters.dispose();
      throw e;
    }
    const refs = new SeededRandom(this.seed, 'references').permutation(data.length).subarray(0, Math.min(this.options.referenceSize, data.length));
    this.replace({ network, space: space.id, references: Array.from(refs, (i) => data[i]!.arch), data: [...data] });
    ctx.logger.info(`${ID}: fitted the comparator on ${data.length} architectures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (ctx.stateDir) {
      const state: CtnasStateFile = {
        format: 'nasx-ctnas',
        version: CTNAS_STATE_VERSION,
        fingerprint: this.fingerprint,
        contribution: ID,
        options: this.options as unknown as Json,
        space: space.id,
        seed: this.seed,
        data,
        encoder: encoder.toJSON(),
        references: Array.from(refs),
        ...network.parameters.save(),
      };
      writeState(predictorStatePath(ctx.stateDir, ID, this.fingerprint), state);
    }
  }

  /** Binary cross-entropy on 1[y_a > y_b] over sampled ordered pairs (CTNAS Eq. 3), Adam with L2 and a cosine learning rate. */
  private async train(
    network: NacNetwork,
    encoder: GcnGraphEncoder,
    graphs: readonly import('@nasx/contracts').ArchGraph[],
    data: readonly LabelledArchitecture[],
    ctx: WorkContext,
  ): Promise<void> {
    const o = this.options;
    const n = data.length;
    const pairA: number[] = [];
    const pairB: number[] = [];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        if (data[i]!.value === data[j]!.value) continue; // ties (and i = j) carry no order
        pairA.push(i);
        pairB.push(j);
      }
    }
    const total = pairA.length;
    const perEpoch = o.pairsPerEpoch === 0 ? total : Math.min(o.pairsPerEpoch, total);
    const rng = new SeededRandom(this.seed, 'pairs');
    const inputs = batchTensors(encoder.encode(graphs));
    const variables = network.parameters.trainable();
    const optimizer = tf.train.adam(o.lr, 0.9, 0.999, 1e-8);
    const training = { learningRate: o.lr, schedule: 'cosine' as const, epochs: o.epochs };
    const every = Math.max(1, Math.floor(o.epochs / 20));
    const phase = phaseReporter(ctx, `fitting the ${ID} comparator on ${data.length} architectures`, { total: o.epochs, unit: 'epochs', source: ID });
    try {
      for (let epoch = 0; epoch < o.epochs; epoch++) {
        (optimizer as unknown as { learningRate: number }).learningRate = learningRateOf(training, epoch);
        const order = perEpoch === total ? rng.permutation(total) : Int32Array.from({ length: perEpoch }, () => rng.int(total));
        let sum = 0;
        let batches = 0;
        for (let start = 0; start < perEpoch; start += o.batchSize) {
          if (ctx.signal.aborted)
            throw new NasxError('run', 'comparator training was cancelled', { ...this.place, fix: 'let the preparation finish, or resume the run later' });
          const idx = order.subarray(start, Math.min(perEpoch, start + o.batchSize));
          const a = Int32Array.from(idx, (k) => pairA[k]!);
          const b = Int32Array.from(idx, (k) => pairB[k]!);
          const y = Float32Array.from(idx, (k) => (data[pairA[k]!]!.value > data[pairB[k]!]!.value ? 1 : 0));
          // Row selection as a product with one-hot matrices (the tfjs build has no GatherV2 gradient).
          const sa = new Float32Array(idx.length * n);
          const sb = new Float32Array(idx.length * n);
          for (let k = 0; k < idx.length; k++) {
            sa[k * n + a[k]!] = 1;
            sb[k * n + b[k]!] = 1;
          }
          const loss = tf.tidy(() => {
            const selA = tf.tensor2d(sa, [idx.length, n]);
            const selB = tf.tensor2d(sb, [idx.length, n]);
            const yt = tf.tensor1d(y);
            const { value, grads } = tf.variableGrads(() => {
              const e = network.embed(inputs);
              const z = network.pairLogits(propagate(selA, e), propagate(selB, e));
              // BCE with logits: softplus(z) − y·z.
              return tf.mean(tf.sub(tf.softplus(z), tf.mul(yt, z))) as tf.Scalar;
            }, variables);
            applyGradientStep(optimizer, variables, grads, o.weightDecay);
            return value;
          });
          sum += (await loss.data())[0]!;
          loss.dispose();
          batches++;
        }
        if ((epoch + 1) % every === 0 || epoch + 1 === o.epochs)
          ctx.emit({ type: 'metric', name: `${ID}/train_loss`, value: sum / Math.max(1, batches), step: epoch + 1, source: ID });
        phase.update(epoch + 1);
      }
    } finally {
      phase.end();
      optimizer.dispose();
      tf.dispose(Object.values(inputs));
    }
  }

  async prepare(ctx: WorkContext): Promise<void> {
    if (ctx.stateDir && (await this.reload(ctx))) return;
    const labels = this.options.labels;
    if (!labels) return;
    await this.fit(await prepareTrainingSet(labels, this.deps, ctx, this.subject, this.minTrainingSize), ctx);
  }

  /** Loads the model this setup saved before; false when there is none (or it cannot be used). */
  private async reload(ctx: WorkContext): Promise<boolean> {
    const file = predictorStatePath(ctx.stateDir!, ID, this.fingerprint);
    if (!fs.existsSync(file)) return false;
    let network: NacNetwork | undefined;
    try {
      const s = JSON.parse(fs.readFileSync(file, 'utf8')) as CtnasStateFile;
      if (s.format !== 'nasx-ctnas' || s.version !== CTNAS_STATE_VERSION)
        throw new Error(`format ${String(s.format)} version ${String(s.version)}, expected nasx-ctnas version ${CTNAS_STATE_VERSION}`);
      if (s.fingerprint !== this.fingerprint || s.space !== this.deps.space.id) throw new Error('it belongs to another setup');
      await initTensorBackend();
      network = new NacNetwork(GcnGraphEncoder.fromJSON(s.encoder), this.options, s.seed);
      network.parameters.load(s);
      this.replace({ network, space: s.space, references: s.references.map((i) => s.data[i]!.arch), data: s.data });
      ctx.logger.info(`${ID}: reloaded the comparator fitted on ${s.data.length} architectures from the run folder`);
      return true;
    } catch (e) {
      network?.parameters.dispose();
      ctx.logger.warn(`${ID}: ignoring the saved comparator ${file} (${e instanceof Error ? e.message : String(e)})`);
      return false;
    }
  }

  private replace(next: Fitted): void {
    this.fitted?.network.parameters.dispose();
    this.fitted = next;
    this.embeddings.clear();
  }

  /** The fitted model, or a clear error; checks the architectures' space. */
  private ready(archs: readonly Architecture[]): Fitted {
    return checkScorable(this.subject, archs, this.deps.space.id, this.fitted);
  }

  /** Embeddings of architectures as one `[m, hidden]` array, computed once per key. */
  private embeddingsOf(fitted: Fitted, archs: readonly Architecture[]): Float32Array {
    const d = fitted.network.arch.hidden;
    const missing = [...new Map(archs.filter((a) => !this.embeddings.has(a.key)).map((a) => [a.key, a])).values()];
    for (let start = 0; start < missing.length; start += 512) {
      const chunk = missing.slice(start, start + 512);
      const inputs = batchTensors(fitted.network.graphEncoder.encode(chunk.map((a) => this.deps.space.toGraph(a))));
      const e = tf.tidy(() => fitted.network.embed(inputs));
      const values = e.dataSync() as Float32Array;
      tf.dispose([e, ...Object.values(inputs)]);
      if (this.embeddings.size > 50_000) this.embeddings.clear();
      chunk.forEach((a, i) => this.embeddings.set(a.key, values.slice(i * d, (i + 1) * d)));
    }
    const out = new Float32Array(archs.length * d);
    archs.forEach((a, i) => out.set(this.embeddings.get(a.key)!, i * d));
    return out;
  }

  /** P(a[k] better than b[k]) for each k. */
  compareMany(a: readonly Architecture[], b: readonly Architecture[]): Float32Array {
    if (a.length !== b.length) throw new Error(`${PKG}: compareMany needs as many first as second architectures (${a.length} vs ${b.length})`);
    const fitted = this.ready([...a, ...b]);
    if (a.length === 0) return new Float32Array(0);
    const d = fitted.network.arch.hidden;
    const ea = this.embeddingsOf(fitted, a);
    const eb = this.embeddingsOf(fitted, b);
    const p = tf.tidy(() => tf.sigmoid(fitted.network.pairLogits(tf.tensor2d(ea, [a.length, d]), tf.tensor2d(eb, [b.length, d]))));
    const out = p.dataSync() as Float32Array;
    p.dispose();
    return Float32Array.from(out);
  }

  /** P(`a` better than `b`) by the NAC (Comparator). */
  async compare(a: Architecture, b: Architecture): Promise<number> {
    return this.compareMany([a], [b])[0]!;
  }

  async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
    return (await this.estimateMany([arch], ctx))[0]!;
  }

  /** Mean P(arch better than r) over the fixed reference set r ∈ R. */
  async estimateMany(archs: readonly Architecture[], _ctx: EstimateContext): Promise<Estimate[]> {
    const fitted = this.ready(archs);
    if (archs.length === 0) return [];
    const started = performance.now();
    const refs = fitted.references;
    const R = refs.length;
    const out: Estimate[] = [];
    for (let start = 0; start < archs.length; start += 256) {
      const chunk = archs.slice(start, start + 256);
      const first: Architecture[] = [];
      const second: Architecture[] = [];
      for (const a of chunk)
        for (const r of refs) {
          first.push(a);
          second.push(r);
        }
      const p = this.compareMany(first, second);
      chunk.forEach((_, i) => {
        let s = 0;
        for (let k = 0; k < R; k++) s += p[i * R + k]!;
        out.push({ metrics: { [ID]: s / R }, fidelity: { kind: 'predictor' }, cost: { seconds: 0 } });
      });
    }
    const seconds = (performance.now() - started) / 1000 / archs.length;
    return out.map((e) => ({ ...e, cost: { seconds } }));
  }

  dispose(): void {
    this.fitted?.network.parameters.dispose();
    this.fitted = undefined;
    this.embeddings.clear();
  }
}

/** Writes the state atomically (a temporary file renamed into place). */
function writeState(file: string, state: CtnasStateFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state));
  fs.renameSync(tmp, file);
}

/** The `ctnas` estimator contribution: the NAC, a `Predictor` and a `Comparator`. */
export const ctnasEstimator = defineEstimator<CtnasOptions>({
  id: ID,
  title: 'CTNAS comparator (NAC)',
  description:
    "Neural Architecture Comparator of CTNAS (Chen et al., CVPR 2021): a GCN over both cells' op graphs, their embeddings concatenated and an MLP with a sigmoid giving P(a better than b); trained with binary cross-entropy on pairs of labelled architectures.",
  optionsSchema: ctnasSchema,
  create(options, deps): CtnasEstimator {
    // Fail at load time, not after the search started: the labelling estimator must exist.
    if (options.labels) labelEstimatorOf(options.labels, deps, { pkg: PKG, contribution: ID });
    return new CtnasEstimator(options, deps);
  },
});
