import type { Architecture, Estimate, EventDraft, ObjectiveValue, RunFinishedEvent, SearchEvent } from '@nasx/contracts';
import type { Objective } from '../objective/objective';

/** The best trial so far. */
export interface BestTrial {
  readonly trial: number;
  readonly arch: Architecture;
  readonly objective: ObjectiveValue;
  readonly estimate: Estimate;
}

/** The limits of a run the loop enforces (the wall clock is a timer: `wallClockBudget`). */
export interface RunLimits {
  /** Counted evaluations (cached answers do not count). */
  readonly evaluations?: number;
  /** Failed trials before the run fails; 0 never stops for failures. */
  readonly failures: number;
}

/** Where a resumed run continues from. */
export interface RunResumePoint {
  /** The journal's events (without `run-finished`), replayed into the counters. */
  readonly events: readonly SearchEvent[];
  /** Sequence number of the next event. */
  readonly nextSeq: number;
  /** Wall-clock milliseconds of the earlier sessions. */
  readonly priorElapsedMs: number;
}

/**
 * The one owner of a run's counters: stamps events with run id, sequence number and time, counts
 * trials, evaluations and failures, keeps the best trial, and answers every budget question. Its
 * state changes only through {@link observe} (an event, live or replayed) and {@link finish}, so
 * the loop, the middlewares and the report can read it but never disagree about it.
 */
export class RunState {
  private seqValue = 0;
  private evaluationsValue = 0;
  private failuresValue = 0;
  private trialsValue = 0;
  private bestValue: BestTrial | undefined;
  private finishedValue: RunFinishedEvent | undefined;
  /** The first measurement of every key evaluated (for the recommendation's numbers). */
  private readonly measured = new Map<string, BestTrial>();
  private priorElapsedMs = 0;
  private readonly startedAt = Date.now();

  constructor(
    readonly runId: string,
    readonly objective: Objective,
    readonly limits: RunLimits = { failures: 0 },
    /** The searcher's own pick, asked when the run finishes (searchers with `recommend()`). */
    private readonly recommender?: () => Architecture | undefined,
  ) {}

  /** Continue from a journal: counters from its events, numbering and elapsed time after them. */
  restore(point: RunResumePoint): void {
    for (const e of point.events) this.observe(e);
    this.finishedValue = undefined;
    this.seqValue = point.nextSeq;
    this.priorElapsedMs = point.priorElapsedMs;
  }

  get seq(): number {
    return this.seqValue;
  }
  /** Counted evaluations so far (all sessions). */
  get evaluations(): number {
    return this.evaluationsValue;
  }
  get failures(): number {
    return this.failuresValue;
  }
  /** Trials proposed so far: the number of the next trial. */
  get trials(): number {
    return this.trialsValue;
  }
  get best(): BestTrial | undefined {
    return this.bestValue;
  }
  get finished(): RunFinishedEvent | undefined {
    return this.finishedValue;
  }

  /** Milliseconds of search so far, across sessions. */
  elapsedMs(): number {
    return this.priorElapsedMs + (Date.now() - this.startedAt);
  }

  /** Evaluations the budget still allows, `Infinity` without an evaluation budget. */
  evaluationsLeft(): number {
    return this.limits.evaluations === undefined ? Infinity : Math.max(0, this.limits.evaluations - this.evaluationsValue);
  }

  /** The evaluation budget is spent. */
  budgetSpent(): boolean {
    return this.evaluationsLeft() === 0;
  }

  /** The failure limit is reached. */
  failureLimitReached(): boolean {
    return this.limits.failures > 0 && this.failuresValue >= this.limits.failures;
  }

  /** Stamp a draft into an event. */
  stamp<E extends SearchEvent>(draft: EventDraft<E> | EventDraft): E {
    return { ...draft, runId: this.runId, seq: this.seqValue++, time: Date.now() } as unknown as E;
  }

  /** Update the counters from an event (live or replayed). Returns true if it made a new best. */
  observe(e: SearchEvent): boolean {
    switch (e.type) {
      case 'proposed':
        this.trialsValue = Math.max(this.trialsValue, e.trial + 1);
        return false;
      case 'failed':
        this.failuresValue++;
        return false;
      case 'evaluated': {
        if (!e.cached) this.evaluationsValue = Math.max(this.evaluationsValue + 1, e.evaluations);
        const trial: BestTrial = { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate };
        if (!this.measured.has(e.arch.key)) this.measured.set(e.arch.key, trial);
        if (!this.bestValue || this.objective.better(e.objective, this.bestValue.objective)) {
          this.bestValue = trial;
          return true;
        }
        return false;
      }
      case 'run-finished':
        this.finishedValue = e;
        return false;
      default:
        return false;
    }
  }

  /** The `run-finished` event for a status (once: later calls return the first). */
  finish(status: RunFinishedEvent['status'], reason: string): RunFinishedEvent {
    if (this.finishedValue) return this.finishedValue;
    const e = this.stamp<RunFinishedEvent>({
      type: 'run-finished',
      status,
      reason,
      evaluations: this.evaluationsValue,
      failures: this.failuresValue,
      elapsedMs: this.elapsedMs(),
      ...(this.bestValue ? { best: this.bestValue } : {}),
      ...this.recommendation(),
    });
    this.finishedValue = e;
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
