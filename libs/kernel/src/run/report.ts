import type { Architecture, Estimate, ObjectiveValue, RunFinishedEvent, RunStartedEvent, SearchEvent } from '@nasx/contracts';

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
  readonly best?: { readonly trial: number; readonly arch: Architecture; readonly objective: ObjectiveValue; readonly estimate: Estimate; readonly text?: string };
  /** Best objective after each counted evaluation where it improved: `[evaluations, objective]`. */
  readonly trajectory: readonly (readonly [number, ObjectiveValue])[];
}

/** Build a report from journal events (works for finished and interrupted runs). */
export function reportFromJournal(events: readonly SearchEvent[], format?: (a: Architecture) => string): RunReport {
  const first = events.find((e): e is RunStartedEvent => e.type === 'run-started');
  const finished = [...events].reverse().find((e): e is RunFinishedEvent => e.type === 'run-finished');
  let evaluations = 0;
  let cached = 0;
  let failures = 0;
  let best: RunReport['best'];
  const trajectory: [number, ObjectiveValue][] = [];
  let sessions = 0;
  let elapsedMs = 0;
  let sessionStart = 0;
  let last = 0;
  for (const e of events) {
    if (e.type === 'run-started') {
      if (sessions > 0) elapsedMs += last - sessionStart;
      sessions++;
      sessionStart = e.time;
    }
    last = e.time;
    if (e.type === 'failed') failures++;
    if (e.type === 'evaluated') {
      if (e.cached) cached++;
      else evaluations++;
      if (e.type === 'evaluated' && (!best || scalar(e.objective) > scalar(best.objective))) {
        best = { trial: e.trial, arch: e.arch, objective: e.objective, estimate: e.estimate };
        trajectory.push([evaluations, e.objective]);
      }
    }
  }
  elapsedMs += last - sessionStart;
  if (best && format) best = { ...best, text: format(best.arch) };
  return {
    runId: first?.runId ?? events[0]?.runId ?? 'unknown',
    status: finished?.status ?? 'interrupted',
    reason: finished?.reason,
    seed: first?.seed,
    objective: first?.objective,
    contributions: first?.contributions,
    evaluations,
    cachedAnswers: cached,
    failures,
    budget: first?.budget,
    elapsedMs: finished ? Math.max(finished.elapsedMs, 0) : elapsedMs,
    sessions,
    best,
    trajectory,
  };
}

function scalar(v: ObjectiveValue): number {
  return typeof v === 'number' ? v : (v[0] as number);
}
