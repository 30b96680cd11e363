import {
  phaseReporter,
  NasxError,
  metricDirection,
  type Architecture,
  type Estimate,
  type Estimator,
  type EstimatorDeps,
  type LabelledArchitecture,
  type Rng,
  type SearchSpace,
  type WorkContext,
} from '@nasx/contracts';
import { checkLabelCount, type CheckSubject } from './checks';
import type { PredictorLabelsOptions } from './predictor-options';

/** Where errors point: the predictor's package and contribution. */
export interface PredictorPlace {
  readonly pkg: string;
  readonly contribution: string;
}

/**
 * `samples` architectures with distinct keys drawn from `space.sample(rng)`. Throws a `config`
 * error when the space has fewer distinct architectures (or they are too hard to find by sampling).
 */
export function sampleDistinct(space: SearchSpace, rng: Rng, samples: number, place: PredictorPlace): Architecture[] {
  if (space.uniqueSize !== undefined && samples > space.uniqueSize) {
    throw new NasxError('config', `labels.samples is ${samples}, but space "${space.id}" has only ${space.uniqueSize} distinct architectures`, {
      ...place,
      pointer: '/options/labels/samples',
      fix: `lower labels.samples to at most ${space.uniqueSize}`,
    });
  }
  const seen = new Set<string>();
  const out: Architecture[] = [];
  const attempts = 50 * samples + 1000;
  for (let i = 0; i < attempts && out.length < samples; i++) {
    const a = space.sample(rng);
    if (seen.has(a.key)) continue;
    seen.add(a.key);
    out.push(a);
  }
  if (out.length < samples) {
    throw new NasxError(
      'config',
      `found only ${out.length} distinct architectures of space "${space.id}" in ${attempts} samples, fewer than labels.samples = ${samples}`,
      {
        ...place,
        pointer: '/options/labels/samples',
        fix: `lower labels.samples to at most ${out.length}`,
      },
    );
  }
  return out;
}

/** The named estimator `labels.estimator` of the run, or a `config` error listing the ones there are. */
export function labelEstimatorOf(spec: PredictorLabelsOptions, deps: Pick<EstimatorDeps, 'estimators'>, place: PredictorPlace): Estimator {
  const e = deps.estimators[spec.estimator];
  if (e) return e;
  const names = Object.keys(deps.estimators);
  throw new NasxError(
    'config',
    `labels.estimator is "${spec.estimator}", which is not a named estimator of this run${names.length ? ` (named estimators: ${names.join(', ')})` : ' (the run has no named estimators)'}`,
    {
      ...place,
      pointer: '/options/labels/estimator',
      fix: `add the estimator to label with under "estimators:" in the config, e.g. "estimators: { ${spec.estimator}: { use: tabular, options: { ... } } }" (when this predictor is itself a named estimator, list that one first)`,
    },
  );
}

/**
 * Labels architectures with another estimator: its `metric` (default: its primary metric), negated
 * when the metric is to be minimised, so that larger is better as {@link LabelledArchitecture}
 * says. Uses `estimateMany` when the estimator has it. An architecture whose estimate fails or is
 * not finite is left out with a warning; a metric the estimator does not report is a `config` error.
 */
export async function labelArchitectures(
  archs: readonly Architecture[],
  estimator: Estimator,
  spec: PredictorLabelsOptions,
  ctx: WorkContext,
  place: PredictorPlace,
): Promise<LabelledArchitecture[]> {
  const metric = spec.metric ?? estimator.metrics[0]?.name;
  if (!metric) {
    throw new NasxError('config', `labels.estimator "${spec.estimator}" declares no metrics`, {
      ...place,
      pointer: '/options/labels/metric',
      fix: 'name the metric to learn in labels.metric',
    });
  }
  const direction = estimator.metrics.find((m) => m.name === metric)?.direction ?? metricDirection(metric) ?? 'maximize';
  const sign = direction === 'minimize' ? -1 : 1;

  let estimates: (Estimate | Error)[] | undefined;
  if (estimator.estimateMany) {
    try {
      estimates = await estimator.estimateMany(archs, { ...ctx, trial: 0 });
    } catch (e) {
      ctx.logger.warn(
        `${place.contribution}: labelling ${archs.length} architectures in one batch with "${spec.estimator}" failed (${e instanceof Error ? e.message : String(e)}); labelling them one by one`,
      );
    }
  }
  if (!estimates) {
    estimates = [];
    // The trial numbers of these estimates are labelling indices, not the run's trials: the phase
    // belongs to the preparation, so it carries none.
    const phase = phaseReporter({ emit: ctx.emit }, `labelling ${archs.length} architectures with ${spec.estimator}`, {
      total: archs.length,
      unit: 'archs',
      source: place.contribution,
    });
    for (const [i, a] of archs.entries()) {
      if (ctx.signal.aborted)
        throw new NasxError('run', 'labelling architectures for the predictor was cancelled', {
          ...place,
          fix: 'let the preparation finish, or resume the run later',
        });
      try {
        estimates.push(await estimator.estimate(a, { ...ctx, trial: i }));
      } catch (e) {
        estimates.push(e instanceof Error ? e : new Error(String(e)));
      }
      phase.update(i + 1);
    }
    phase.end();
  }

  const out: LabelledArchitecture[] = [];
  let failed = 0;
  for (const [i, arch] of archs.entries()) {
    const e = estimates[i];
    if (!e || e instanceof Error) {
      failed++;
      continue;
    }
    const v = e.metrics[metric];
    if (v === undefined) {
      throw new NasxError(
        'config',
        `labels.metric is "${metric}", but estimator "${spec.estimator}" reports ${Object.keys(e.metrics).join(', ') || 'no metrics'}`,
        {
          ...place,
          pointer: spec.metric ? '/options/labels/metric' : '/options/labels/estimator',
          fix: `set labels.metric to one of ${Object.keys(e.metrics).join(', ')}`,
        },
      );
    }
    if (!Number.isFinite(v)) {
      failed++;
      continue;
    }
    out.push({ arch, value: sign * v });
  }
  if (failed > 0)
    ctx.logger.warn(`${place.contribution}: ${failed} of ${archs.length} architectures could not be labelled by "${spec.estimator}" and are left out`);
  return out;
}

/**
 * The training set a predictor fits on in `prepare` (option `labels`): `labels.samples` distinct
 * architectures of the run's space, labelled by the named estimator; a clear error when fewer
 * usable labels than `minTrainingSize` remain.
 */
export async function prepareTrainingSet(
  labels: PredictorLabelsOptions,
  deps: Pick<EstimatorDeps, 'estimators' | 'space'>,
  ctx: WorkContext,
  subject: CheckSubject,
  minTrainingSize: number,
): Promise<LabelledArchitecture[]> {
  const place = subject.place;
  const estimator = labelEstimatorOf(labels, deps, place);
  const archs = sampleDistinct(deps.space, ctx.rng, labels.samples, place);
  const started = performance.now();
  const data = await labelArchitectures(archs, estimator, labels, ctx, place);
  ctx.logger.info(
    `${place.contribution}: labelled ${data.length} architectures with "${labels.estimator}" in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  checkLabelCount(subject, data.length, minTrainingSize, labels.estimator);
  return data;
}
