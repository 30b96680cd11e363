import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type Logger } from '@nasx/contracts';
import { hypervolume, paretoFrontIndices } from '@nasx/stats';
import { createRng } from '../rng/rng';
import { parseParetoLabel, type ParetoObjective } from '../objective/objective';
import type { LoopParts } from './run-loop';
import { TrialRunner } from './trial-runner';

/** One architecture of an exact front. */
export interface ExactFrontPoint {
  /** The space's text form. */
  readonly text: string;
  readonly key: string;
  /** The objective vector (every component larger is better), as the run's searcher is told it. */
  readonly objective: readonly number[];
  /** The objective metrics with their real values and signs. */
  readonly metrics: { readonly [metric: string]: number };
}

/**
 * The true Pareto front of a run's objectives over its whole space: every architecture scored
 * through the run's estimation pipeline (estimator, report estimators, latency models, objective),
 * possible when the space enumerates and every part of the pipeline is a table lookup.
 */
export interface ExactFront {
  readonly objectives: readonly ParetoObjective[];
  /** Architectures scored (the size of the space). */
  readonly architectures: number;
  /** Architectures whose estimate failed (not on the front; the front is exact only when 0). */
  readonly failed: number;
  /** The non-dominated architectures, by the first objective, best first. */
  readonly points: readonly ExactFrontPoint[];
}

/** File of a run folder that caches its exact front. */
export const EXACT_FRONT_FILE = 'exact-front.json';

/**
 * Why the exact front of a run's pipeline cannot be computed cheaply, or `undefined` when it can:
 * the space must enumerate and the estimator, the report estimators and every latency model must
 * be tabulated (their `tabulated` capability: a lookup per architecture, no training or timing).
 */
export function exactFrontUnavailable(parts: Pick<LoopParts, 'space' | 'estimator' | 'reporters' | 'latencyModels'>): string | undefined {
  if (typeof parts.space.enumerate !== 'function') return `the search space "${parts.space.id}" cannot enumerate its architectures`;
  if (!parts.estimator.tabulated) return `the estimator "${parts.estimator.id}" is not a table lookup (it would train or compute every architecture)`;
  const reporter = parts.reporters.find((r) => !r.tabulated);
  if (reporter) return `the report estimator "${reporter.id}" is not a table lookup`;
  const latency = parts.latencyModels.find((l) => !l.model.tabulated);
  if (latency) return `the latency model "${latency.model.id}" (${latency.device}) is not a table lookup`;
  return undefined;
}

/**
 * Score every architecture of the space through the run's estimation pipeline and keep the
 * non-dominated ones. Throws a `NasxError('usage')` naming why when {@link exactFrontUnavailable}.
 */
export async function computeExactFront(parts: LoopParts, opts: { signal?: AbortSignal; logger: Logger }): Promise<ExactFront> {
  const why = exactFrontUnavailable(parts);
  if (why) throw new NasxError('usage', `the exact Pareto front needs a fully tabulated pipeline, but ${why}`);
  if (parts.objective.info.dimensions < 2)
    throw new NasxError('usage', `the objective "${parts.objective.info.label}" has one dimension: there is no Pareto front`);
  const signal = opts.signal ?? new AbortController().signal;
  const rng = createRng(0);
  for (const e of [...new Set([...Object.values(parts.estimators), parts.estimator])]) {
    await e.prepare?.({ runId: 'exact-front', rng: rng.fork(`prepare-${e.id}`), signal, logger: opts.logger, emit: () => undefined });
  }
  const runner = new TrialRunner(parts, { runId: 'exact-front', dedup: 'off', signal, logger: opts.logger, emit: () => undefined });
  const archs: Architecture[] = [];
  const vectors: number[][] = [];
  const metrics: { [metric: string]: number }[] = [];
  let failed = 0;
  let i = 0;
  for (const arch of (parts.space.enumerate as () => Iterable<Architecture>).call(parts.space)) {
    signal.throwIfAborted();
    const outcome = await runner.run({ trial: i++, arch }).outcome;
    if (!outcome.ok || typeof outcome.objective === 'number') {
      failed++;
      continue;
    }
    archs.push(arch);
    vectors.push([...outcome.objective]);
    metrics.push(Object.fromEntries(parts.objective.info.metrics.map((m) => [m, outcome.estimate.metrics[m] as number])));
  }
  const front = paretoFrontIndices(vectors).sort((a, b) => (vectors[b]![0] as number) - (vectors[a]![0] as number) || a - b);
  const objectives = parseParetoLabel(parts.objective.info.label) ?? parts.objective.info.metrics.map((m) => ({ metric: m, direction: 'maximize' as const }));
  return {
    objectives,
    architectures: i,
    failed,
    points: front.map((k) => ({
      text: parts.space.format(archs[k] as Architecture),
      key: (archs[k] as Architecture).key,
      objective: vectors[k] as number[],
      metrics: metrics[k] as Record<string, number>,
    })),
  };
}

/**
 * The exact front cached in a run folder, or why it cannot be computed (also cached: finding out
 * composes the run's pipeline, which for a training estimator loads its data), if known. A damaged
 * cache counts as none.
 */
export function readExactFront(runDir: string): ExactFront | { readonly unavailable: string } | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(runDir, EXACT_FRONT_FILE), 'utf8')) as ExactFront | { readonly unavailable: string };
  } catch {
    return undefined;
  }
}

/** Cache a run's exact front (or why there is none) in its folder (best effort: a read-only folder only costs a recomputation). */
export function writeExactFront(runDir: string, front: ExactFront | { readonly unavailable: string }): void {
  try {
    fs.writeFileSync(path.join(runDir, EXACT_FRONT_FILE), JSON.stringify(front) + '\n');
  } catch {
    // Not cached; computed again next time.
  }
}

/**
 * How a run's front compares with the exact one: the points of the exact front the run evaluated
 * (same objective vector), and the hypervolume ratio with the exact front's nadir (its worst value
 * of every objective) as the reference point.
 */
export function compareWithExact(found: readonly (readonly number[])[], exact: ExactFront): { found: number; hypervolumeRatio: number; reference: number[] } {
  const pts = exact.points.map((p) => p.objective);
  const reference = (pts[0] ?? []).map((_, k) => Math.min(...pts.map((p) => p[k] as number)));
  const keys = new Set(found.map((v) => v.join(',')));
  const hvExact = hypervolume(pts, reference);
  return {
    found: pts.filter((p) => keys.has(p.join(','))).length,
    hypervolumeRatio: hvExact > 0 ? hypervolume(found, reference) / hvExact : NaN,
    reference,
  };
}
