/** Whether larger or smaller values of a metric are better. */
export type Direction = 'maximize' | 'minimize';

/**
 * A metric name: a base name optionally qualified by a fidelity in epochs, `val_acc@12`,
 * `test_acc@200`. The base name decides the direction (see {@link METRICS}).
 */
export type MetricName = string;

/** What an estimator or task declares about one metric it reports. */
export interface MetricDeclaration {
  readonly name: MetricName;
  readonly direction: Direction;
  /** Unit for display, e.g. `%`, `ms`, `M` (millions). */
  readonly unit?: string;
  readonly description?: string;
}

/** Well-known base metric names and their directions. Plugins may report others (declared). */
export const METRICS: { readonly [base: string]: { direction: Direction; unit?: string; description: string } } = {
  acc: { direction: 'maximize', unit: '%', description: 'accuracy' },
  train_acc: { direction: 'maximize', unit: '%', description: 'training accuracy' },
  val_acc: { direction: 'maximize', unit: '%', description: 'validation accuracy' },
  test_acc: { direction: 'maximize', unit: '%', description: 'test accuracy' },
  loss: { direction: 'minimize', description: 'loss' },
  train_loss: { direction: 'minimize', description: 'training loss' },
  val_loss: { direction: 'minimize', description: 'validation loss' },
  miou: { direction: 'maximize', unit: '%', description: 'mean intersection over union (dense prediction)' },
  mse: { direction: 'minimize', description: 'mean squared error' },
  rel_l2: { direction: 'minimize', description: 'relative L2 error (PDE tasks)' },
  f1: { direction: 'maximize', description: 'F1 score' },
  map: { direction: 'maximize', description: 'mean average precision' },
  auroc: { direction: 'maximize', description: 'area under the ROC curve' },
  score: { direction: 'maximize', description: 'a proxy or predictor score (higher ranks better)' },
  val_error: { direction: 'minimize', unit: '%', description: '0-1 error on the validation split (100 − accuracy)' },
  val_f1: { direction: 'maximize', description: 'macro F1 on the validation split' },
  val_map: { direction: 'maximize', description: 'mean average precision over classes on the validation split (multi-label)' },
  val_auroc: { direction: 'maximize', description: 'area under the ROC curve on the validation split' },
  val_rel_l2: { direction: 'minimize', description: 'relative L2 error on the validation split (PDE tasks)' },
  val_mae8: { direction: 'minimize', unit: 'Å', description: 'mean absolute error of distances below 8 Å on the validation split (PSICOV)' },
  params: { direction: 'minimize', unit: 'M', description: 'trainable parameters, millions' },
  flops: { direction: 'minimize', unit: 'M', description: 'floating point operations per sample, millions' },
  latency_ms: { direction: 'minimize', unit: 'ms', description: 'inference latency' },
  energy_mj: { direction: 'minimize', unit: 'mJ', description: 'inference energy' },
  synthetic: { direction: 'maximize', description: 'synthetic objective (not an accuracy)' },
};

/** Splits `val_acc@12` into `{ base: 'val_acc', epochs: 12 }`. */
export function parseMetricName(name: MetricName): { base: string; epochs?: number } {
  const at = name.indexOf('@');
  if (at < 0) return { base: name };
  const epochs = Number(name.slice(at + 1));
  return Number.isFinite(epochs) ? { base: name.slice(0, at), epochs } : { base: name };
}

/** The direction of a metric from its base name, or `undefined` when the name is not well known. */
export function metricDirection(name: MetricName): Direction | undefined {
  return METRICS[parseMetricName(name).base]?.direction;
}
