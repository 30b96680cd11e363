import {
  rankValue,
  type Architecture,
  type Estimate,
  type ObjectiveValue,
  type RunFinishedEvent,
  type RunStartedEvent,
  type SearchEvent,
} from '@nasx/contracts';
import { dominates } from '@nasx/stats';
import { parseParetoLabel, type ParetoObjective } from '../objective/objective';

/** What `nasx report` shows and `summary.json` holds: computed from the journal alone. */
export interface RunReport {
  readonly runId: string;
  readonly status: RunFinishedEvent['status'] | 'interrupted';
  readonly reason?: string;
  readonly seed?: number;
  readonly objective?: string;
  readonly contributions?: { readonly [slot: string]: string };
  readonly evaluations: number;
  readonly cachedAnswers: number;
  readonly failures: number;
  readonly budget?: RunStartedEvent['budget'];
  readonly elapsedMs: number;
  readonly sessions: number;
  readonly best?: {
    readonly trial: number;
    readonly arch: Architecture;
    readonly objective: ObjectiveValue;
    readonly estimate: Estimate;
    readonly text?: string;
  };
  /** The searcher's own pick, from `run-finished` (see `RunFinishedEvent.recommended`). */
  readonly recommended?: NonNullable<RunFinishedEvent['recommended']> & { readonly text?: string };
  /** Best objective after each counted evaluation where it improved: `[evaluations, objective]`. */
  readonly trajectory: readonly (readonly [number, ObjectiveValue])[];
  /** The best evaluated trials of the whole run (all sessions), best first, one per architecture. */
  readonly top: readonly TopTrial[];
  /** Multi-objective runs (two or more objectives): the Pareto front of the trials evaluated so far. */
  readonly front?: ParetoFront;
  /** Problems found reading the journal (damaged lines skipped). */
  readonly warnings?: readonly string[];
}

/** One row of a report's top-K table. */
export interface TopTrial {
  readonly trial: number;
  readonly arch: Architecture;
  readonly objective: ObjectiveValue;
  readonly estimate: Estimate;
  readonly text?: string;
}

/**
 * The Pareto front of a multi-objective run: the evaluated trials that no other evaluated trial
 * dominates (on the objective vectors, every component larger is better), one per architecture
 * key (its first measurement), sorted by the first objective, best first.
 */
export interface ParetoFront {
  /** The objectives in order, with their real directions (the trials' metrics hold the real values). */
  readonly objectives: readonly ParetoObjective[];
  readonly trials: readonly TopTrial[];
}

/** Rows of the top-K table by default. */
export const DEFAULT_TOP_K = 10;
/** Rows a report keeps (the most `nasx report --top` shows). */
const TOP_KEEP = 100;

/**
 * Builds a {@link RunReport} incrementally from events (live, while the run goes, or from a journal).
 */
export class ReportBuilder {
  private first: RunStartedEvent | undefined;
  private finished: RunFinishedEvent | undefined;
  private evaluations = 0;
  private cached = 0;
  private failures = 0;
  private best: RunReport['best'];
  private readonly trajectory: [number, ObjectiveValue][] = [];
  private sessions = 0;
  private elapsedMs = 0;
  private sessionStart = 0;
  private last = 0;
  private runId: string | undefined;
  /** Best first; a key at most once (its first measurement). Kept at {@link TOP_KEEP} rows. */
  private top: TopTrial[] = [];
  private readonly inTop = new Set<string>();
  /** Non-dominated trials so far (multi-objective runs), and every key already considered for it. */
  private front: TopTrial[] = [];
  private readonly frontSeen = new Set<string>();

  add(e: SearchEvent): void {
    this.runId ??= e.runId;
    if (e.type === 'run-started') {
      this.first ??= e;
      if (this.sessions > 0) this.elapsedMs += this.last - this.sessionStart;
      this.sessions++;
      this.sessionStart = e.time;
    }
    this.last = e.time;
    if (e.type === 'failed') this.failures++;
    else if (e.type === 'run-finished') this.finished = e;
    else if (e.type === 'evaluated') {
      if (e.cached) this.cached++;
      else {
        this.evaluations++;
        this.addTop({ trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate });
      }
      this.addFront({ trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate });
      if (!this.best || rankValue(e.objective) > rankValue(this.best.objective)) {
        this.best = { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate };
        this.trajectory.push([this.evaluations, e.objective]);
      }
    }
  }

  private addTop(t: TopTrial): void {
    if (this.inTop.has(t.arch.key)) return;
    const value = rankValue(t.objective);
    if (this.top.length >= TOP_KEEP && value <= rankValue((this.top[this.top.length - 1] as TopTrial).objective)) return;
    // Stable: an equal value goes after the earlier trials.
    let i = this.top.length;
    while (i > 0 && rankValue((this.top[i - 1] as TopTrial).objective) < value) i--;
    this.top.splice(i, 0, t);
    this.inTop.add(t.arch.key);
    if (this.top.length > TOP_KEEP) this.inTop.delete((this.top.pop() as TopTrial).arch.key);
  }

  /** Keep the front non-dominated as trials arrive: O(front) per trial. */
  private addFront(t: TopTrial): void {
    if (typeof t.objective === 'number' || t.objective.length < 2 || this.frontSeen.has(t.arch.key)) return;
    this.frontSeen.add(t.arch.key);
    const v = t.objective;
    if (this.front.some((f) => dominates(f.objective as number[], v))) return;
    this.front = this.front.filter((f) => !dominates(v, f.objective as number[]));
    this.front.push(t);
  }

  private buildFront(format?: (a: Architecture) => string): ParetoFront | undefined {
    const objectives = parseParetoLabel(this.first?.objective);
    if (!objectives && this.front.length === 0) return undefined;
    const trials = this.front
      .slice()
      .sort((a, b) => rankValue(b.objective) - rankValue(a.objective) || a.trial - b.trial)
      .map((t) => (format ? { ...t, text: format(t.arch) } : t));
    const dims = (this.front[0]?.objective as number[] | undefined)?.length ?? objectives?.length ?? 0;
    return { objectives: objectives ?? Array.from({ length: dims }, (_, i) => ({ metric: `objective ${i + 1}`, direction: 'maximize' as const })), trials };
  }

  build(format?: (a: Architecture) => string, topK = DEFAULT_TOP_K): RunReport {
    const front = this.buildFront(format);
    const best = this.best && format ? { ...this.best, text: format(this.best.arch) } : this.best;
    const rec = this.finished?.recommended;
    const recommended = rec && format ? { ...rec, text: format(rec.arch) } : rec;
    return {
      runId: this.first?.runId ?? this.runId ?? 'unknown',
      status: this.finished?.status ?? 'interrupted',
      reason: this.finished?.reason,
      seed: this.first?.seed,
      objective: this.first?.objective,
      contributions: this.first?.contributions,
      evaluations: this.evaluations,
      cachedAnswers: this.cached,
      failures: this.failures,
      budget: this.first?.budget,
      elapsedMs: this.finished ? Math.max(this.finished.elapsedMs, 0) : this.elapsedMs + (this.last - this.sessionStart),
      sessions: this.sessions,
      best,
      ...(recommended ? { recommended } : {}),
      trajectory: [...this.trajectory],
      top: this.top.slice(0, topK).map((t) => (format ? { ...t, text: format(t.arch) } : t)),
      ...(front ? { front } : {}),
    };
  }
}

/** Build a report from journal events (works for finished and interrupted runs). */
export function reportFromJournal(events: readonly SearchEvent[], format?: (a: Architecture) => string, topK = DEFAULT_TOP_K): RunReport {
  const b = new ReportBuilder();
  for (const e of events) b.add(e);
  return b.build(format, topK);
}
