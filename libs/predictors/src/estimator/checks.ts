import { NasxError, type Architecture, type LabelledArchitecture } from '@nasx/contracts';
import type { PredictorPlace } from './labels';

/** Who is checking, for messages: e.g. `predictor "gcn"` or `comparator "ctnas"`. */
export interface CheckSubject {
  readonly what: string;
  readonly place: PredictorPlace;
}

/** Fails clearly unless `data` can train a model of the run's space: enough of it, all of `spaceId`, finite labels. */
export function checkTrainingData(s: CheckSubject, data: readonly LabelledArchitecture[], minTrainingSize: number, spaceId: string): void {
  if (data.length < minTrainingSize) {
    throw new NasxError('usage', `${s.what} needs at least ${minTrainingSize} labelled architectures to fit, got ${data.length}`, {
      ...s.place,
      fix: `label at least ${minTrainingSize} architectures (option labels.samples, or more data passed to fit())`,
    });
  }
  const foreign = data.filter((d) => d.arch.space !== spaceId);
  if (foreign.length > 0) {
    throw new NasxError(
      'architecture',
      `${s.what} fits architectures of the run's space "${spaceId}", but ${foreign.length} of the ${data.length} training architectures are of space "${foreign[0]!.arch.space}"`,
      {
        ...s.place,
        fix: `fit it on architectures of "${spaceId}" only (the run's space); a model for another space needs a run over that space`,
      },
    );
  }
  const bad = data.find((d) => !Number.isFinite(d.value));
  if (bad) {
    throw new NasxError('data', `${s.what} was given a non-finite label (${String(bad.value)}) for architecture ${bad.arch.key}`, {
      ...s.place,
      fix: 'leave out architectures whose label is missing or not a number',
    });
  }
}

/** Fails clearly when labelling in `prepare` left fewer usable labels than the model needs. */
export function checkLabelCount(s: CheckSubject, got: number, minTrainingSize: number, source: string): void {
  if (got < minTrainingSize) {
    throw new NasxError('run', `${s.what} got only ${got} usable labels from "${source}", fewer than the ${minTrainingSize} it needs`, {
      ...s.place,
      fix: `check why "${source}" fails on these architectures (the run log has its warnings), or raise labels.samples`,
    });
  }
}

/** Fails clearly unless every architecture is of the run's space and a model is fitted; returns the model. */
export function checkScorable<M>(s: CheckSubject, archs: readonly Architecture[], spaceId: string, fitted: M | undefined): M {
  const foreign = archs.find((a) => a.space !== spaceId);
  if (foreign) {
    throw new NasxError('architecture', `${s.what} scores architectures of the run's space "${spaceId}", not of "${foreign.space}"`, {
      ...s.place,
      fix: `propose architectures of "${spaceId}" (check the config's "space")`,
    });
  }
  if (fitted === undefined) {
    throw new NasxError('usage', `${s.what} has not been fitted yet`, {
      ...s.place,
      fix: 'give it options "labels: { estimator: <a named estimator of the run>, samples: 200 }" so that it fits itself before the search, or call fit() with labelled architectures first',
    });
  }
  return fitted;
}
