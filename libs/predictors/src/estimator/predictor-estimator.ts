import {
  phaseReporter,
  NasxError,
  defineEstimator,
  type Architecture,
  type ContributionDefinition,
  type Estimate,
  type EstimateContext,
  type EstimatorDeps,
  type Json,
  type JsonSchema,
  type LabelledArchitecture,
  type MetricDeclaration,
  type Predictor,
  type WorkContext,
} from '@nasx/contracts';
import { initTensorBackend } from '@nasx/tensor';
import { GraphPredictor } from '../model/graph-predictor';
import type { GraphModelDefinition } from '../model/predictor-model';
import { checkScorable, checkTrainingData, type CheckSubject } from './checks';
import { labelEstimatorOf, prepareTrainingSet, type PredictorPlace } from './labels';
import type { PredictorCommonOptions } from './predictor-options';
import { predictorFingerprint, predictorStatePath, readPredictorState, writePredictorState } from './state-file';

/** What a predictor plugin provides to {@link definePredictorEstimator}. */
export interface PredictorEstimatorDefinition<O extends PredictorCommonOptions> {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  /** The plugin's options schema (with the properties of `PREDICTOR_COMMON_SCHEMA_PROPERTIES`). */
  readonly optionsSchema: JsonSchema;
  /** The plugin's package name, for error locations. */
  readonly pkg: string;
  /** Fewest labelled architectures `fit` accepts. */
  readonly minTrainingSize: number;
  /** What the score is, for the metric declaration (e.g. "predicted label value (larger ranks higher)"). */
  readonly metricDescription: string;
  /** The model (encoder, network, training) for validated options. */
  createModel(options: O): GraphModelDefinition;
}

/**
 * Defines a learned performance predictor as an estimator contribution whose instances implement
 * {@link Predictor}. The plugin supplies the model; this supplies the rest:
 *
 * - `fit(data, ctx)`: checks the data (at least `minTrainingSize` architectures, all of the run's
 *   space, finite labels), turns architectures into `ArchGraph`s with the space, fits (seeded), and
 *   saves the fitted model to `ctx.stateDir` when there is one. Refitting replaces the model.
 * - `estimate` / `estimateMany`: batched inference; the metric is the contribution id, direction
 *   `maximize` (larger ranks higher). Unfitted, or given an architecture of another space: a clear error.
 * - `prepare(ctx)`: reloads a model saved by the same setup (contribution, space, options) from
 *   `ctx.stateDir`; otherwise, when the options name `labels`, samples `labels.samples` distinct
 *   architectures with `ctx.rng`, labels them with the run's named estimator `labels.estimator`
 *   and fits. Any estimator's output can be a label (accuracies from a table, supernet estimates,
 *   zero-cost scores).
 */
export function definePredictorEstimator<O extends PredictorCommonOptions>(def: PredictorEstimatorDefinition<O>): ContributionDefinition<'estimator', O> {
  return defineEstimator<O>({
    id: def.id,
    title: def.title,
    description: def.description,
    optionsSchema: def.optionsSchema,
    create(options, deps): PredictorEstimator<O> {
      const place = { pkg: def.pkg, contribution: def.id };
      // Fail at load time, not after the search started: the labelling estimator must exist.
      if (options.labels) labelEstimatorOf(options.labels, deps, place);
      return new PredictorEstimator(def, options, deps);
    },
  });
}

/** A {@link Predictor} built by {@link definePredictorEstimator}. */
export class PredictorEstimator<O extends PredictorCommonOptions> implements Predictor {
  readonly id: string;
  readonly metrics: readonly MetricDeclaration[];
  readonly minTrainingSize: number;
  private readonly place: PredictorPlace;
  private readonly model: GraphModelDefinition;
  private readonly seed: number;
  private readonly fingerprint: string;
  private readonly subject: CheckSubject;
  private fitted: GraphPredictor | undefined;

  constructor(
    def: PredictorEstimatorDefinition<O>,
    private readonly options: O,
    private readonly deps: EstimatorDeps,
  ) {
    this.id = def.id;
    this.metrics = [{ name: def.id, direction: 'maximize', description: def.metricDescription }];
    this.minTrainingSize = def.minTrainingSize;
    this.place = { pkg: def.pkg, contribution: def.id };
    this.subject = { what: `predictor "${def.id}"`, place: this.place };
    this.model = def.createModel(options);
    this.seed = options.seed ?? deps.rng.int(0x7fffffff);
    this.fingerprint = predictorFingerprint(def.id, deps.space.id, options);
  }

  /** Whether a model is fitted (or was reloaded). */
  get isFitted(): boolean {
    return this.fitted !== undefined;
  }

  /** The fitted model (for benches and tests), if any. */
  get predictor(): GraphPredictor | undefined {
    return this.fitted;
  }

  async fit(data: readonly LabelledArchitecture[], ctx: WorkContext): Promise<void> {
    const space = this.deps.space;
    checkTrainingData(this.subject, data, this.minTrainingSize, space.id);
    await initTensorBackend();
    const graphs = data.map((d) => space.toGraph(d.arch));
    const every = Math.max(1, Math.floor(this.model.training.epochs / 20));
    const started = performance.now();
    const phase = phaseReporter(ctx, `fitting ${this.id} on ${data.length} architectures`, {
      total: this.model.training.epochs,
      unit: 'epochs',
      source: this.id,
    });
    const next = await GraphPredictor.fit(
      this.model,
      space.id,
      graphs,
      data.map((d) => d.value),
      {
        seed: this.seed,
        signal: ctx.signal,
        onEpoch: (r) => {
          phase.update(r.epoch);
          if (r.epoch % every === 0 || r.epoch === r.epochs)
            ctx.emit({ type: 'metric', name: `${this.id}/train_loss`, value: r.loss, step: r.epoch, source: this.id });
        },
      },
    ).finally(() => phase.end());
    this.fitted?.dispose();
    this.fitted = next;
    ctx.logger.info(`${this.id}: fitted on ${data.length} architectures in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (ctx.stateDir) {
      writePredictorState(predictorStatePath(ctx.stateDir, this.id, this.fingerprint), {
        fingerprint: this.fingerprint,
        contribution: this.id,
        options: this.options as unknown as Json,
        data,
        predictor: next.toState(),
      });
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
    const file = predictorStatePath(ctx.stateDir!, this.id, this.fingerprint);
    let saved;
    try {
      saved = readPredictorState(file);
    } catch (e) {
      ctx.logger.warn(`${this.id}: ignoring the unreadable saved predictor ${file} (${e instanceof Error ? e.message : String(e)})`);
      return false;
    }
    if (!saved) return false;
    if (saved.fingerprint !== this.fingerprint || saved.predictor?.space !== this.deps.space.id) {
      ctx.logger.warn(`${this.id}: ignoring the saved predictor ${file}, which belongs to another setup`);
      return false;
    }
    await initTensorBackend();
    try {
      const restored = GraphPredictor.restore(this.model, saved.predictor);
      this.fitted?.dispose();
      this.fitted = restored;
    } catch (e) {
      ctx.logger.warn(`${this.id}: ignoring the saved predictor ${file} (${e instanceof Error ? e.message : String(e)})`);
      return false;
    }
    ctx.logger.info(`${this.id}: reloaded the predictor fitted on ${saved.predictor.trainingSize} architectures from the run folder`);
    return true;
  }

  async estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
    return (await this.estimateMany([arch], ctx))[0]!;
  }

  async estimateMany(archs: readonly Architecture[], _ctx: EstimateContext): Promise<Estimate[]> {
    const space = this.deps.space;
    const fitted = checkScorable(this.subject, archs, space.id, this.fitted);
    if (fitted.space !== space.id) {
      throw new NasxError('architecture', `predictor "${this.id}" was fitted on space "${fitted.space}" and cannot score architectures of "${space.id}"`, {
        ...this.place,
        fix: `refit it on architectures of "${space.id}"`,
      });
    }
    if (archs.length === 0) return [];
    const started = performance.now();
    const scores = fitted.predict(archs.map((a) => space.toGraph(a)));
    const seconds = (performance.now() - started) / 1000 / archs.length;
    return Array.from(scores, (s) => ({ metrics: { [this.id]: s }, fidelity: { kind: 'predictor' }, cost: { seconds } }));
  }

  dispose(): void {
    this.fitted?.dispose();
    this.fitted = undefined;
  }
}
