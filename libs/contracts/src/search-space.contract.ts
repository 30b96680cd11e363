import type { InjectionToken } from 'tsyringe';
import type { ArchGraph, ArchGraphNode, Architecture } from './architecture';
import { NasxError, isNasxError } from './errors';
import type { Rng } from './rng';

/**
 * A search space: how to sample, mutate, encode and describe architectures.
 * Required members are the few every searcher needs; the rest are optional capabilities that
 * searchers check for (`if (space.enumerate) …`).
 */
export interface SearchSpace {
  /** Contribution id, stamped on every architecture it makes. */
  readonly id: string;
  /** Number of architectures, when finite and known (NB201: 15,625). */
  readonly size?: number;
  /** Number of equivalence classes by {@link Architecture.key}, when known (NB201: 6,466). */
  readonly uniqueSize?: number;

  /** A uniformly random architecture. */
  sample(rng: Rng): Architecture;
  /** A neighbour by one random change (for NB201: one edge set to a different op). */
  mutate(arch: Architecture, rng: Rng): Architecture;
  /** Fixed-length numeric vector (e.g. one-hot), for predictors and linear baselines. */
  encode(arch: Architecture): Float32Array;
  /** The op-level DAG. */
  toGraph(arch: Architecture): ArchGraph;
  /** Parse the space's text form (NB201: the official arch string). Throws `NasxError('architecture')`. */
  parse(text: string): Architecture;
  /** The space's text form of an architecture; `parse(format(a)).key === a.key`. */
  format(arch: Architecture): string;
  /**
   * Check that an architecture belongs to this space (its `space` id and genotype); throws a
   * `NasxError('architecture')` naming the problem. Returns the architecture re-keyed canonically.
   */
  validate(arch: Architecture): Architecture;

  /** Every architecture, lazily (only for spaces small enough). */
  enumerate?(): Iterable<Architecture>;
  /** All architectures one change away. */
  neighbours?(arch: Architecture): Architecture[];
  /** A child mixing two parents. */
  crossover?(a: Architecture, b: Architecture, rng: Rng): Architecture;
  /**
   * The sequence of categorical decisions that builds an architecture, for RL controllers
   * (MnasNet, CTNAS, AGNN): `decisions()` lists them with their choice counts,
   * `fromDecisions()` builds the architecture a controller chose, `toDecisions()` inverts it.
   * Where not every choice sequence is an architecture of the space (NB101: invalid specs, cells
   * outside a restricted set), `fromDecisions()` throws a `NasxError('architecture')` and
   * controllers sample again.
   */
  decisions?(): readonly { readonly name: string; readonly choices: readonly string[] }[];
  fromDecisions?(choices: readonly number[]): Architecture;
  toDecisions?(arch: Architecture): number[];
  /**
   * Every distinct op node any network of the space can contain, with concrete shapes (spaces
   * whose {@link toGraph} is network-level). Operator profilers time each to build a latency
   * lookup table that covers the whole space.
   */
  operators?(): readonly ArchGraphNode[];
  /** Length of {@link encode}'s vector. */
  readonly encodingLength?: number;
}

/** Injection token of the run's {@link SearchSpace}. */
export const SearchSpace: InjectionToken<SearchSpace> = Symbol.for('nasx.SearchSpace');

/** A space an RL controller can drive: it has {@link SearchSpace.decisions} and {@link SearchSpace.fromDecisions}. */
export type DecisionSpace = SearchSpace & Required<Pick<SearchSpace, 'decisions' | 'fromDecisions'>>;

/**
 * The space as a {@link DecisionSpace}, or a config error (pointer `/space`) for a searcher that
 * samples architectures as a sequence of decisions (MnasNet, CTNAS, AGNN controllers). Call it in
 * the searcher's `create()`.
 */
export function requireDecisions(space: SearchSpace, where: { readonly pkg: string; readonly contribution: string }): DecisionSpace {
  if (typeof space.decisions !== 'function' || typeof space.fromDecisions !== 'function') {
    throw new NasxError(
      'config',
      `searcher "${where.contribution}" samples architectures as a sequence of decisions, but space "${space.id}" does not provide decisions() and fromDecisions()`,
      {
        ...where,
        pointer: '/space',
        fix: 'use a space with decisions (e.g. nb201), or a searcher that needs only sample/mutate (regularized-evolution, random)',
      },
    );
  }
  return space as DecisionSpace;
}

/** Decision sequences that may be rejected in a row by {@link drawFromDecisions} before the run fails. */
export const MAX_DECISION_DRAWS = 100_000;

/**
 * Draws decision sequences (`draw`) until one is an architecture of the space and returns it with
 * the draw. Sequences that `fromDecisions` rejects with an `architecture` error (NB101's invalid
 * specs, cells outside a restricted space) are drawn again, each counted by `onReject`; other
 * errors propagate. After {@link MAX_DECISION_DRAWS} rejections in a row, a `run` error naming the
 * searcher. For RL controllers (MnasNet, CTNAS, AGNN): only accepted draws take part in the policy
 * update, so the controller learns the valid region.
 */
export function drawFromDecisions<T extends { readonly choices: readonly number[] }>(
  space: DecisionSpace,
  draw: () => T,
  where: { readonly pkg: string; readonly contribution: string; readonly onReject?: () => void; readonly fix: string },
): T & { readonly arch: Architecture } {
  for (let attempt = 0; attempt < MAX_DECISION_DRAWS; attempt++) {
    const d = draw();
    try {
      return { ...d, arch: space.fromDecisions(d.choices) };
    } catch (e) {
      if (!isNasxError(e) || e.kind !== 'architecture') throw e;
      where.onReject?.();
    }
  }
  throw new NasxError(
    'run',
    `searcher "${where.contribution}": ${MAX_DECISION_DRAWS.toLocaleString('en-US')} decision sequences in a row were not architectures of space "${space.id}"`,
    { pkg: where.pkg, contribution: where.contribution, fix: where.fix },
  );
}
