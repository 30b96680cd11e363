import type { Architecture, LabelledArchitecture, Predictor, Rng, SearchSpace, WorkContext } from '@nasx/contracts';
import { kendallTau, spearman } from '@nasx/stats';
import { RidgeBaseline } from '../baselines/ridge.baseline';

/**
 * A training set of `train` architectures with distinct keys and a held-out set of `test`
 * architectures none of which shares a key (is isomorphic) with a training one, drawn in a seeded
 * random order from `pool` — the protocol of NASLib's predictor study, so a predictor is never
 * scored on a cell it saw under another name.
 */
export function heldOutSplit(
  pool: readonly LabelledArchitecture[],
  sizes: { readonly train: number; readonly test: number },
  rng: Rng,
): { train: LabelledArchitecture[]; test: LabelledArchitecture[] } {
  const order = rng.shuffle(pool.map((_, i) => i));
  const seen = new Set<string>();
  const train: LabelledArchitecture[] = [];
  const test: LabelledArchitecture[] = [];
  for (const i of order) {
    const cell = pool[i]!;
    if (train.length < sizes.train) {
      if (!seen.has(cell.arch.key)) {
        seen.add(cell.arch.key);
        train.push(cell);
      }
    } else if (test.length < sizes.test && !seen.has(cell.arch.key)) test.push(cell);
    if (train.length === sizes.train && test.length === sizes.test) break;
  }
  return { train, test };
}

/** How well scores rank the held-out architectures: Kendall τ-b and Spearman ρ against their labels. */
export function rankingQuality(scores: ArrayLike<number>, test: readonly LabelledArchitecture[]): { kendallTau: number; spearman: number } {
  const s = Array.from(scores);
  const truth = test.map((d) => d.value);
  return { kendallTau: kendallTau(s, truth), spearman: spearman(s, truth) };
}

/** Architectures of labelled data, in order. */
export function archsOf(data: readonly LabelledArchitecture[]): Architecture[] {
  return data.map((d) => d.arch);
}

/**
 * Fits a predictor and the ridge baseline on `train` and returns each one's Kendall τ on `test`:
 * the check of the predictor papers' claim that a learned predictor ranks better than a linear
 * model of the encoding from a few hundred labelled architectures.
 */
export async function predictorVersusRidge(
  predictor: Predictor,
  space: SearchSpace,
  train: readonly LabelledArchitecture[],
  test: readonly LabelledArchitecture[],
  ctx: WorkContext,
): Promise<{ predictor: number; ridge: number }> {
  await predictor.fit(train, ctx);
  const scores = (await predictor.estimateMany!(archsOf(test), { ...ctx, trial: 0 })).map((r) => r.metrics[predictor.metrics[0]!.name] as number);
  const ridge = new RidgeBaseline(space, { lambda: 1 });
  ridge.fit(train);
  return { predictor: rankingQuality(scores, test).kendallTau, ridge: rankingQuality(ridge.predict(archsOf(test)), test).kendallTau };
}
