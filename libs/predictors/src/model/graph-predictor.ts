import type { ArchGraph, Json } from '@nasx/contracts';
import { predictorError } from '../predictor-error';
import { isRankingLoss } from './losses';
import { fitTargetTransform, invertTargetTransform, isFittedTargetTransform, type FittedTargetTransform } from './target-transform';
import type { SavedTensor } from './parameter-set';
import type { GraphEncoder, GraphModelDefinition, PredictorNetwork } from './predictor-model';
import { predictScores, trainPredictorNetwork, type TrainRunOptions } from './train-predictor';

/** Version of the saved predictor format. */
export const PREDICTOR_STATE_VERSION = 1;

/** A fitted predictor as JSON: everything needed to predict again without refitting. */
export interface PredictorState {
  readonly format: 'nasx-predictor';
  readonly version: number;
  /** {@link GraphModelDefinition.kind}. */
  readonly kind: string;
  /** Space of the training architectures. */
  readonly space: string;
  readonly trainingSize: number;
  readonly seed: number;
  /** The fitted encoder (vocabulary, padded size, feature scaling). */
  readonly encoder: Json;
  /** How labels became targets (a `standardize` model's predictions are mapped back to label units). */
  readonly target: FittedTargetTransform;
  readonly parameters: readonly SavedTensor[];
  readonly buffers: readonly SavedTensor[];
}

/**
 * A fitted graph predictor: encoder + network + target transform. Regression models (loss `mse`)
 * train on transformed labels (`quantile-normal` or `standardize`, see {@link TargetTransform});
 * ranking models train on the labels' order. Either way, larger ranks higher.
 */
export class GraphPredictor {
  private constructor(
    readonly definition: GraphModelDefinition,
    readonly space: string,
    readonly encoder: GraphEncoder,
    readonly network: PredictorNetwork,
    private readonly target: FittedTargetTransform,
    readonly trainingSize: number,
    readonly seed: number,
  ) {}

  /**
   * Fits a new predictor on graphs (all of `space`) and their targets (larger is better).
   * Frees the network when training fails.
   */
  static async fit(
    definition: GraphModelDefinition,
    space: string,
    graphs: readonly ArchGraph[],
    targets: readonly number[],
    run: TrainRunOptions,
  ): Promise<GraphPredictor> {
    const encoder = definition.fitEncoder(graphs);
    const batch = encoder.encode(graphs);
    const kind = isRankingLoss(definition.training.loss) ? 'none' : (definition.training.targets ?? 'standardize');
    const { transform: target, targets: y } = fitTargetTransform(kind, targets);
    const network = definition.createNetwork(encoder, run.seed);
    try {
      await trainPredictorNetwork(network, batch, y, definition.training, run);
    } catch (e) {
      network.parameters.dispose();
      throw e;
    }
    return new GraphPredictor(definition, space, encoder, network, target, graphs.length, run.seed);
  }

  /** Restores a saved predictor; a state of another model kind or format is a `data` error. */
  static restore(definition: GraphModelDefinition, state: PredictorState): GraphPredictor {
    if (state?.format !== 'nasx-predictor' || state.version !== PREDICTOR_STATE_VERSION) {
      throw predictorError(
        'data',
        `the saved predictor state has format ${String(state?.format)} version ${String(state?.version)}, expected nasx-predictor version ${PREDICTOR_STATE_VERSION}`,
        'delete the saved predictor state so that it is fitted again',
      );
    }
    if (state.kind !== definition.kind) {
      throw predictorError(
        'data',
        `the saved predictor state is a "${state.kind}" model, not "${definition.kind}"`,
        'delete the saved predictor state so that it is fitted again',
      );
    }
    if (!isFittedTargetTransform(state.target as unknown as Json)) {
      throw predictorError('data', 'the saved predictor state has no valid target transform', 'delete the saved predictor state so that it is fitted again');
    }
    const encoder = definition.restoreEncoder(state.encoder);
    const network = definition.createNetwork(encoder, state.seed);
    try {
      network.parameters.load(state);
    } catch (e) {
      network.parameters.dispose();
      throw e;
    }
    return new GraphPredictor(definition, state.space, encoder, network, state.target, state.trainingSize, state.seed);
  }

  /** Predictions for graphs (label units for `standardize` models, else a score), batched; larger ranks higher. */
  predict(graphs: readonly ArchGraph[], chunk = 1024): Float32Array {
    return invertTargetTransform(this.target, predictScores(this.network, this.encoder.encode(graphs), chunk));
  }

  /** The saved form. */
  toState(): PredictorState {
    return {
      format: 'nasx-predictor',
      version: PREDICTOR_STATE_VERSION,
      kind: this.definition.kind,
      space: this.space,
      trainingSize: this.trainingSize,
      seed: this.seed,
      encoder: this.encoder.toJSON(),
      target: this.target,
      ...this.network.parameters.save(),
    };
  }

  /** Frees the network's variables. */
  dispose(): void {
    this.network.parameters.dispose();
  }
}
