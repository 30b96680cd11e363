import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { definePlugin, type JsonObject, type PluginDefinition, type SearchEvent } from '@nasx/contracts';
import { Kernel, readJournal, reportFromJournal, type KernelOptions, type RunReport } from '@nasx/kernel';
import { lastValueFrom, toArray } from 'rxjs';
import { toyEstimator } from './fixtures/toy.estimator';
import { toySearchSpace } from './fixtures/toy.search-space';
import { toyHillClimber } from './fixtures/toy.searcher';

/** The toy plugin (space `toy`, estimator `toy-score`, searcher `toy-hill-climber`). */
export const toyPlugin: PluginDefinition = definePlugin({ contributions: [toySearchSpace, toyEstimator, toyHillClimber] });

/** A finished in-process run. */
export interface TestRun {
  readonly runId: string;
  readonly runDir?: string;
  readonly events: SearchEvent[];
  readonly report: RunReport;
  /** Events of one type. */
  of<T extends SearchEvent['type']>(type: T): Extract<SearchEvent, { type: T }>[];
}

/** A kernel for tests with helpers to run configs to completion. */
export interface TestKernel {
  readonly kernel: Kernel;
  /** A fresh temporary directory for run folders. */
  readonly runsDir: string;
  run(config: JsonObject, opts?: { persist?: boolean; overrides?: string[] }): Promise<TestRun>;
  resume(runDir: string): Promise<TestRun>;
  /** Remove the temporary directory. */
  cleanup(): void;
}

function toTestRun(runId: string, runDir: string | undefined, events: SearchEvent[]): TestRun {
  const all = runDir ? readJournal(path.join(runDir, 'events.ndjson')) : events;
  return {
    runId,
    runDir,
    events,
    report: reportFromJournal(all),
    of: <T extends SearchEvent['type']>(type: T) => events.filter((e): e is Extract<SearchEvent, { type: T }> => e.type === type),
  };
}

/**
 * Start a kernel for tests: the toy plugin plus `plugins`, no discovery unless asked, run folders in
 * a temporary directory.
 *
 * @example
 * const tk = startTestKernel({ plugins: [{ name: '@nasx/searcher-random', definition: plugin }] });
 * const run = await tk.run({ space: 'toy', estimator: 'toy-score', searcher: 'random', budget: { evaluations: 20 } });
 * expect(run.report.evaluations).toBe(20);
 */
export function startTestKernel(options: Omit<KernelOptions, 'plugins'> & { plugins?: KernelOptions['plugins'] } = {}): TestKernel {
  const kernel = Kernel.open({ discover: false, ...options, plugins: [{ name: '@nasx/testing (toy)', definition: toyPlugin }, ...(options.plugins ?? [])] });
  const runsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-test-runs-'));
  return {
    kernel,
    runsDir,
    async run(config, opts = {}) {
      const resolved = kernel.loadConfigObject({ runsDir, ...config }, { overrides: opts.overrides });
      const handle = await kernel.start(resolved, { persist: opts.persist ?? true, runsDir });
      const events = await lastValueFrom(handle.events$.pipe(toArray()));
      return toTestRun(handle.runId, handle.runDir, events);
    },
    async resume(runDir) {
      const handle = await kernel.resume(runDir);
      const events = await lastValueFrom(handle.events$.pipe(toArray()));
      return toTestRun(handle.runId, handle.runDir, events);
    },
    cleanup() {
      fs.rmSync(runsDir, { recursive: true, force: true });
    },
  };
}
