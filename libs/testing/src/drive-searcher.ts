// A stand-in for the kernel's ask/tell loop in searcher tests: keeps `concurrency` trials in
// flight, completes them in a random order (when given an RNG), journals every call, and can
// replay a journal through a fresh searcher the way a resumed run does.
import {
  proposalParts,
  type Architecture,
  type AskTellSearcher,
  type Logger,
  type Rng,
  type SearcherDeps,
  type SearchSpace,
  type TrialResult,
} from '@nasx/contracts';
import { testDeps, testRunContext } from './contracts/common';

/**
 * Factory deps for a searcher under test: seeded RNG, a scalar objective, a budget of 100
 * evaluations; `logs` collects the logger's lines as `"<level>: <message>"`.
 */
export function searcherDeps(space: SearchSpace, seed: number, overrides: Partial<SearcherDeps> = {}): SearcherDeps & { logs: string[] } {
  const logs: string[] = [];
  const line = (level: string) => (m: string) => void logs.push(`${level}: ${m}`);
  const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  return {
    ...testDeps(seed, { logger }),
    space,
    objective: { label: 'maximize toy', dimensions: 1, metrics: ['val_acc'] },
    estimators: {},
    budget: { evaluations: 100 },
    logs,
    ...overrides,
  };
}

/** One call of the loop, as a journal records it. */
export type SearcherCall =
  { readonly type: 'ask'; readonly n: number; readonly keys: readonly string[] } | { readonly type: 'tell'; readonly results: readonly TrialResult[] };

/** Settings of {@link driveSearcher}. */
export interface DriveOptions {
  /** Proposals to evaluate in all. */
  readonly budget: number;
  /** Trials in flight at most. */
  readonly concurrency: number;
  /** Objective of an architecture (larger is better), `null` for a failed trial. */
  readonly objective: (arch: Architecture, trial: number) => number | null;
  /** Completion order: a random trial in flight finishes next; FIFO without it. */
  readonly completion?: Rng;
  /** Proposals per ask call (the kernel asks 1 per free slot). */
  readonly askSize?: number;
}

/** What {@link driveSearcher} saw: the journal of calls, the proposals in trial order, the results in tell order. */
export interface SearcherDrive {
  readonly calls: SearcherCall[];
  readonly proposals: Architecture[];
  readonly results: TrialResult[];
}

/**
 * Runs an ask/tell searcher the way the kernel does, without a kernel: asks while fewer than
 * `concurrency` trials are in flight (until `budget` proposals or `done()`), then completes one
 * trial at a time — a random one with `completion`, else the oldest — and tells its result.
 */
export async function driveSearcher(searcher: AskTellSearcher, opts: DriveOptions): Promise<SearcherDrive> {
  const calls: SearcherCall[] = [];
  const proposals: Architecture[] = [];
  const results: TrialResult[] = [];
  const inFlight: { trial: number; arch: Architecture }[] = [];
  for (;;) {
    while (inFlight.length < opts.concurrency && proposals.length < opts.budget && !searcher.done?.()) {
      const n = Math.min(opts.askSize ?? 1, opts.concurrency - inFlight.length, opts.budget - proposals.length);
      const got = (await searcher.ask(n, testRunContext())).map((p) => proposalParts(p).arch);
      calls.push({ type: 'ask', n, keys: got.map((a) => a.key) });
      for (const arch of got) {
        inFlight.push({ trial: proposals.length, arch });
        proposals.push(arch);
      }
      if (got.length < n) break;
    }
    if (inFlight.length === 0) break;
    const [t] = inFlight.splice(opts.completion ? opts.completion.int(inFlight.length) : 0, 1);
    if (!t) break;
    const result: TrialResult = { trial: t.trial, arch: t.arch, objective: opts.objective(t.arch, t.trial) };
    calls.push({ type: 'tell', results: [result] });
    results.push(result);
    await searcher.tell([result], testRunContext());
  }
  return { calls, proposals, results };
}

/**
 * Feeds a journal's calls to a (fresh) searcher, as a resumed run does; returns the keys it
 * proposed at each ask, to compare with the `keys` of the journal's asks.
 */
export async function replaySearcher(searcher: AskTellSearcher, calls: readonly SearcherCall[]): Promise<string[][]> {
  const asked: string[][] = [];
  for (const c of calls) {
    if (c.type === 'ask') asked.push((await searcher.ask(c.n, testRunContext())).map((p) => proposalParts(p).arch.key));
    else await searcher.tell(c.results, testRunContext());
  }
  return asked;
}
