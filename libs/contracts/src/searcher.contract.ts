import { Observable } from 'rxjs';
import type { InjectionToken } from 'tsyringe';
import type { Architecture } from './architecture';
import type { RunContext, WorkContext } from './context';
import type { Estimate, Fidelity } from './estimate';
import type { Estimator } from './estimator.contract';
import type { EventDraft, ObjectiveValue } from './events';
import type { ObjectiveInfo } from './objective';
import type { SearchSpace } from './search-space.contract';
import type { Task } from './task.contract';

/** A proposal that asks for a particular fidelity (multi-fidelity searchers). */
export interface FidelityProposal {
  readonly arch: Architecture;
  readonly fidelity: Fidelity;
}

/** The evaluated architecture a proposal was derived from (see {@link DerivedProposal}). */
export interface ProposalParent {
  readonly trial: number;
  readonly arch: Architecture;
}

/**
 * A proposal derived from an evaluated architecture (AGNN's conservative explorer changes one
 * action class of the best architecture so far): an estimator that shares parameters may start
 * from the parent's trained weights ({@link EstimateContext.parent}); others ignore it.
 */
export interface DerivedProposal {
  readonly arch: Architecture;
  readonly parent: ProposalParent;
  readonly fidelity?: Fidelity;
}

/** What `ask` returns: an architecture, or an architecture with a fidelity and/or a parent. */
export type Proposal = Architecture | FidelityProposal | DerivedProposal;

/** The outcome of a trial as a searcher sees it: the objective (larger is better), never raw metrics. */
export interface TrialResult {
  readonly trial: number;
  readonly arch: Architecture;
  /** `null` when the trial failed. */
  readonly objective: ObjectiveValue | null;
  /** Failure message for failed trials. */
  readonly error?: string;
  readonly fidelity?: Fidelity;
}

/**
 * A sample-based searcher (random, evolution, RL controllers, predictor-guided, BO): the kernel
 * asks for proposals, evaluates them with any concurrency and tells the results.
 *
 * Determinism contract: given the same RNG seed and the same sequence of `ask`/`tell` calls, a
 * searcher proposes the same architectures. The journal relies on this to resume a run by replay.
 */
export interface AskTellSearcher {
  readonly id: string;
  /**
   * Up to `n` proposals; fewer (or none) when the searcher has nothing more right now. Long work
   * here (ranking a pool, a controller update) checks `ctx.signal` so a stopped run stops at once.
   */
  ask(n: number, ctx: RunContext): Proposal[] | Promise<Proposal[]>;
  /** Results of earlier proposals, in proposal order; every result is told before `recommend()`. */
  tell(results: readonly TrialResult[], ctx: RunContext): void | Promise<void>;
  /** True when the searcher has finished on its own (space exhausted, policy converged). */
  done?(): boolean;
  /** The searcher's own pick of the best architecture (defaults to the best objective seen). */
  recommend?(): Architecture | undefined;
}

/** What the kernel evaluates for a loop searcher: journaled, budgeted, deduplicated like ask/tell trials. */
export interface EvaluationResult {
  readonly trial: number;
  readonly arch: Architecture;
  readonly estimate: Estimate;
  readonly objective: ObjectiveValue;
}

/** Context of a {@link LoopSearcher}'s run. */
export interface SearchLoopContext extends WorkContext {
  readonly space: SearchSpace;
  readonly estimator: Estimator;
  readonly estimators: { readonly [name: string]: Estimator };
  readonly task?: Task;
  readonly objective: ObjectiveInfo;
  /** Evaluate through the kernel (budget, dedup, journal, events). Rejects when the budget is spent. */
  evaluate(proposal: Proposal): Promise<EvaluationResult>;
}

/**
 * A searcher that owns its loop: gradient-based (Auto-DeepLab, DARTS), supernet-driven (RLNAS,
 * few-shot NAS) methods. It emits progress/metric/log drafts and uses `ctx.evaluate` for the
 * architectures it wants judged; the stream completes when the search ends.
 */
export interface LoopSearcher {
  readonly id: string;
  search(ctx: SearchLoopContext): Observable<EventDraft>;
}

/**
 * The event stream of a {@link LoopSearcher.search} whose loop is an async function: `run` gets an
 * `emit` for drafts and its promise ends the stream (completes, or errors with its rejection).
 * Unsubscribing stops the drafts; the loop itself stops on `ctx.signal`.
 *
 * @example
 * search(ctx) { return searchLoop((emit) => this.run(ctx, emit)); }
 */
export function searchLoop(run: (emit: (draft: EventDraft) => void) => Promise<void>): Observable<EventDraft> {
  return new Observable<EventDraft>((sub) => {
    let stopped = false;
    run((d) => {
      if (!stopped) sub.next(d);
    }).then(
      () => sub.complete(),
      (e: unknown) => sub.error(e),
    );
    return () => {
      stopped = true;
    };
  });
}

/** Either kind of searcher. */
export type Searcher = AskTellSearcher | LoopSearcher;

/** True for searchers that own their loop. */
export function isLoopSearcher(s: Searcher): s is LoopSearcher {
  return typeof (s as Partial<LoopSearcher>).search === 'function';
}

/** Normalise a proposal to `{ arch, fidelity?, parent? }`. */
export function proposalParts(p: Proposal): { arch: Architecture; fidelity?: Fidelity; parent?: ProposalParent } {
  if ('genotype' in p) return { arch: p };
  return { arch: p.arch, ...(p.fidelity ? { fidelity: p.fidelity } : {}), ...('parent' in p && p.parent ? { parent: p.parent } : {}) };
}

/** Injection token of the run's {@link Searcher}. */
export const Searcher: InjectionToken<Searcher> = Symbol.for('nasx.Searcher');
