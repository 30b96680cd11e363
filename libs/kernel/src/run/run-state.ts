import type { Architecture, Estimate, EventDraft, ObjectiveValue, RunFinishedEvent, SearchEvent } from '@nasx/contracts';
import type { Objective } from '../objective/objective';

/** The best trial so far. */
export interface BestTrial {
  readonly trial: number;
  readonly arch: Architecture;
  readonly objective: ObjectiveValue;
  readonly estimate: Estimate;
}

/**
 * Counters of a run shared by the loop and the middlewares: stamps events with run id, sequence
 * number and time, and keeps evaluations, failures and the best trial. A resumed run starts from the
 * counts its journal holds.
 */
export class RunState {
  seq: number;
  evaluations = 0;
  failures = 0;
  trials = 0;
  best: BestTrial | undefined;
  finished: RunFinishedEvent | undefined;
  /** The searcher's own pick, asked when the run finishes (searchers with `recommend()`). */
  recommender: (() => Architecture | undefined) | undefined;
  /** The first measurement of every key evaluated (for the recommendation's numbers). */
  private readonly measured = new Map<string, BestTrial>();
  /** Wall-clock milliseconds spent by earlier sessions of this run (resume). */
  priorElapsedMs = 0;
  readonly startedAt = Date.now();

  constructor(
    readonly runId: string,
    readonly objective: Objective,
    startSeq = 0,
  ) {
    this.seq = startSeq;
  }

  /** Milliseconds of search so far, across sessions. */
  elapsedMs(): number {
    return this.priorElapsedMs + (Date.now() - this.startedAt);
  }

  /** Stamp a draft into an event. */
  stamp<E extends SearchEvent>(draft: EventDraft<E> | EventDraft): E {
    return { ...draft, runId: this.runId, seq: this.seq++, time: Date.now() } as unknown as E;
  }

  /** Update counters from an event (live or replayed). Returns true if it made a new best. */
  observe(e: SearchEvent): boolean {
    if (e.type === 'proposed') this.trials = Math.max(this.trials, e.trial + 1);
    else if (e.type === 'failed') this.failures++;
    else if (e.type === 'evaluated') {
      if (!e.cached) this.evaluations = Math.max(this.evaluations + 1, e.evaluations);
      if (!this.measured.has(e.arch.key)) this.measured.set(e.arch.key, { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate });
      if (!this.best || this.objective.better(e.objective, this.best.objective)) {
        this.best = { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate };
        return true;
      }
    } else if (e.type === 'new-best') {
      this.best = { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate };
    } else if (e.type === 'run-finished') this.finished = e;
    return false;
  }

  /** The `run-finished` event for a status. */
  finish(status: RunFinishedEvent['status'], reason: string): RunFinishedEvent {
    const e = this.stamp<RunFinishedEvent>({
      type: 'run-finished',
      status,
      reason,
      evaluations: this.evaluations,
      failures: this.failures,
      elapsedMs: this.elapsedMs(),
      ...(this.best ? { best: this.best } : {}),
      ...this.recommendation(),
    });
    this.finished = e;
    return e;
  }

  /** `{ recommended }` from the searcher's `recommend()`, with its first measurement if any; `{}` when there is none or it throws. */
  private recommendation(): { recommended?: RunFinishedEvent['recommended'] } {
    let arch: Architecture | undefined;
    try {
      arch = this.recommender?.();
    } catch {
      return {};
    }
    if (!arch) return {};
    const m = this.measured.get(arch.key);
    return { recommended: m ? { ...m, arch } : { arch } };
  }
}
