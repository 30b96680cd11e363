import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  isNasxError,
  phaseReporter,
  type Architecture,
  type Estimate,
  type EventDraft,
  type JsonObject,
  type LatencyModel,
  type PluginDefinition,
  type RunStartedEvent,
  type SearchEvent,
  type SearchSpace,
  type Task,
} from '@nasx/contracts';
import { Observable, concat, defer, finalize, tap } from './rx';
import { cacheDir } from './ajv';
import { composeLatency, composeRun, composeSpaceAndTask, createRunLogger } from './composition-root';
import { ConfigDocument } from './config/config-document';
import { composePipelineSchema } from './config/compose-schema';
import { applyOverrides } from './config/overrides';
import type { ResolvedConfig } from './config/resolved-config';
import { validateConfig } from './config/validate-config';
import { ensureFinished } from './middlewares/finish.middleware';
import { journal } from './middlewares/journal.middleware';
import { wallClockBudget } from './middlewares/wall-clock.middleware';
import type { DiscoveredPlugin } from './plugins/discovered-plugin';
import { discoverPlugins } from './plugins/discovery';
import { PluginRegistry, inlinePlugin } from './plugins/plugin-registry';
import { JournalWriter, journalJson, loadJournal } from './run/journal';
import { ReportBuilder, reportFromJournal, type RunReport } from './run/report';
import { computeExactFront, exactFrontUnavailable, readExactFront, writeExactFront, type ExactFront } from './run/exact-front';
import { runLoop } from './run/run-loop';
import { untilAborted } from './run/trial-runner';
import { RunState, type RunResumePoint } from './run/run-state';
import { RUN_FILES, createRunFolder, lockRunFolder, readRunFolder, runsDirError, type RunFolderLock, type SavedRunConfig } from './run/run-store';
import { KERNEL_VERSION } from './version';
import { createRng } from './rng/rng';
import { builtinPlugin } from './builtin/builtin.plugin';

/** How to open a kernel. */
export interface KernelOptions {
  /** Project roots whose dependencies and workspace packages hold plugins (default: the nearest package.json above cwd). */
  readonly roots?: readonly string[];
  /** Extra plugin package directories. */
  readonly paths?: readonly string[];
  /** Plugins given as code (tests, embedding), in addition to discovered ones. */
  readonly plugins?: readonly { readonly name: string; readonly definition: PluginDefinition }[];
  /** Skip discovery (only inline plugins). */
  readonly discover?: boolean;
}

/** Options of a run. */
export interface StartOptions {
  /** Write `runs/<id>/` (config, journal, summary). Default true. */
  readonly persist?: boolean;
  /** Overrides the config's runsDir. */
  readonly runsDir?: string;
}

/** A started run: a cold event stream (subscribe to run it) and a graceful stop. */
export interface RunHandle {
  readonly runId: string;
  /** The run folder, when persisted. */
  readonly runDir?: string;
  readonly config: ResolvedConfig;
  readonly events$: Observable<SearchEvent>;
  /** The space's text form of an architecture (NB201: the official arch string). */
  format(arch: Architecture): string;
  /** The report of the whole run so far, earlier sessions of a resumed run included. */
  report(): RunReport;
  /** What resuming found and repaired (damaged journal lines moved aside, a stale lock taken over), for the user. */
  readonly warnings: readonly string[];
  /** Finish gracefully: no new trials, in-flight ones cancelled, status `cancelled`. */
  stop(): void;
}

/**
 * The saved config of a run folder as a document: errors name the run's config.json, relative
 * paths resolve against the folder of the config the run was started from.
 */
function savedConfigDocument(runDir: string, saved: SavedRunConfig, data: JsonObject = saved.config): ConfigDocument {
  const original = saved.configDir ?? (saved.configFile && !saved.configFile.startsWith('<') ? path.dirname(saved.configFile) : undefined);
  const base = original && fs.existsSync(original) ? original : runDir;
  return ConfigDocument.fromObject(data, path.join(runDir, RUN_FILES.config), base);
}

/** Write `summary.json`; a full disk or a vanished folder is reported as the run's data error. */
function writeSummary(file: string, report: RunReport): void {
  try {
    fs.writeFileSync(file, JSON.stringify(JSON.parse(journalJson(report)), null, 2) + '\n');
  } catch (e) {
    throw runsDirError(path.dirname(file), e, 'the run folder');
  }
}

/** Nearest directory at or above `from` that has a package.json. */
export function findProjectRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}

/**
 * The nasx kernel: knows the installed plugins (from manifests), loads and validates configs and
 * starts, resumes and reports runs.
 *
 * @example
 * const kernel = Kernel.open();
 * const config = kernel.loadConfig('examples/nb201-rea.yaml', { overrides: ['seed=3'] });
 * const run = await kernel.start(config);
 * run.events$.subscribe((e) => console.log(e.type));
 */
export class Kernel {
  private constructor(
    private registryValue: PluginRegistry,
    private problemsValue: NasxError[],
  ) {}

  /** Discover plugins (manifests only: no plugin code is imported). */
  static open(options: KernelOptions = {}): Kernel {
    const roots = options.roots ?? [findProjectRoot(process.cwd())];
    const found = options.discover === false ? { plugins: [], problems: [] } : discoverPlugins({ roots, paths: options.paths });
    const inline = [inlinePlugin('@nasx/kernel', builtinPlugin, KERNEL_VERSION), ...(options.plugins ?? []).map((p) => inlinePlugin(p.name, p.definition))];
    return new Kernel(new PluginRegistry([...found.plugins, ...inline]), found.problems);
  }

  get registry(): PluginRegistry {
    return this.registryValue;
  }

  /** Problems found in manifests (duplicate ids, bad schemas, incompatible kernel ranges). */
  get problems(): readonly NasxError[] {
    return this.problemsValue;
  }

  get plugins(): readonly DiscoveredPlugin[] {
    return this.registryValue.plugins;
  }

  /**
   * Throws the first manifest problem that concerns a contribution the config selects (a duplicate
   * id, a broken package of that id). Problems of other packages do not stop a run: those packages
   * are simply unavailable, and `nasx plugins` reports them.
   */
  assertHealthy(config?: ResolvedConfig): void {
    const selected = config
      ? new Set(
          [config.space, config.task, config.estimator, config.searcher, ...Object.values(config.estimators), ...config.latency].flatMap((e) =>
            e ? [e.id] : [],
          ),
        )
      : undefined;
    const p = this.problemsValue.find((e) => !selected || (e.where.contribution !== undefined && selected.has(e.where.contribution)));
    if (p) throw p;
  }

  /** The composed JSON Schema of pipeline configs for the installed plugins. */
  schema(): object {
    return composePipelineSchema(this.registryValue);
  }

  private withConfigPlugins(doc: ConfigDocument, data: JsonObject): void {
    const extra = (data['plugins'] as string[] | undefined) ?? [];
    if (!extra.length || !Array.isArray(extra)) return;
    const found = discoverPlugins({ roots: [], paths: extra.map((p) => path.resolve(doc.dir, String(p))) });
    const known = new Set(this.registryValue.plugins.map((p) => p.dir));
    const added = found.plugins.filter((p) => !known.has(p.dir));
    this.registryValue = new PluginRegistry([...this.registryValue.plugins, ...added]);
    const problem = found.problems[0];
    if (problem) throw problem.at({ file: doc.file, line: doc.lineOf('/plugins'), pointer: '/plugins' });
  }

  /** Read, override and validate a config file. Throws `NasxError` with file, line and pointer. */
  loadConfig(file: string, opts: { overrides?: readonly string[]; seed?: number } = {}): ResolvedConfig {
    return this.resolve(ConfigDocument.read(path.resolve(file)), opts);
  }

  /** Validate an in-memory config (tests, embedding). */
  loadConfigObject(data: JsonObject, opts: { overrides?: readonly string[]; seed?: number; file?: string } = {}): ResolvedConfig {
    const file = opts.file === undefined ? path.join(process.cwd(), '<inline config>') : opts.file.startsWith('<') ? opts.file : path.resolve(opts.file);
    return this.resolve(ConfigDocument.fromObject(data, file), opts);
  }

  private resolve(doc: ConfigDocument, opts: { overrides?: readonly string[]; seed?: number }): ResolvedConfig {
    let data = applyOverrides(doc.data, opts.overrides ?? []);
    if (opts.seed !== undefined) data = { ...data, seed: opts.seed };
    this.withConfigPlugins(doc, data);
    return validateConfig(doc, data, this.registryValue);
  }

  /** Compose a run (creating every contribution, so data and option errors surface now) and return its handle. */
  async start(config: ResolvedConfig, opts: StartOptions = {}): Promise<RunHandle> {
    this.assertHealthy(config);
    const persist = opts.persist ?? true;
    const runsDir = path.resolve(opts.runsDir ?? config.runsDir);
    const data: JsonObject = { ...config.data, seed: config.seed };
    const saved = {
      kernelVersion: KERNEL_VERSION,
      createdAt: new Date().toISOString(),
      configFile: config.file,
      configDir: path.resolve(config.dir),
      config: data,
    };
    return this.launch(config, persist ? { runsDir, saved } : undefined, undefined);
  }

  /**
   * Resume an interrupted run from its folder: replay the journal into the searcher, then go on.
   * Relative paths of the config (`plugins`, `dataDir`, plugin options) resolve against the folder of
   * the config the run was started from, whatever the working directory; `dataDir` replaces the
   * data directory (the data moved, or another machine).
   */
  async resume(runDir: string, opts: { dataDir?: string } = {}): Promise<RunHandle> {
    const dir = path.resolve(runDir);
    const saved = readRunFolder(dir);
    // One writer per run: the lock is taken before the journal is read (and maybe repaired), and
    // held by the resumed run until it ends.
    const warnings: string[] = [];
    const lock = lockRunFolder(dir, { warn: (m) => warnings.push(m) });
    try {
      const journal = loadJournal(path.join(dir, RUN_FILES.journal), { repair: true });
      warnings.push(...journal.warnings);
      const events = journal.events;
      const finished = events.find((e) => e.type === 'run-finished');
      if (finished && finished.type === 'run-finished' && finished.status !== 'cancelled') {
        throw new NasxError('usage', `run ${saved.runId} already finished (${finished.status}: ${finished.reason}); there is nothing to resume`, {
          file: dir,
          fix: `see its results with "nasx report ${runDir}", or start a new run`,
        });
      }
      const data: JsonObject = opts.dataDir === undefined ? saved.config : { ...saved.config, dataDir: path.resolve(opts.dataDir) };
      const doc = savedConfigDocument(dir, saved, data);
      this.withConfigPlugins(doc, data);
      const config = validateConfig(doc, data, this.registryValue);
      // A run stopped by the user (Ctrl-C) continues as if it had been interrupted.
      const replay = events.filter((e) => e.type !== 'run-finished');
      const nextSeq = events.length ? (events[events.length - 1] as SearchEvent).seq + 1 : 0;
      return await this.launch(
        config,
        { dir, runId: saved.runId, lock },
        { events: replay, nextSeq, priorElapsedMs: reportFromJournal(replay).elapsedMs },
        warnings,
      );
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  private async launch(
    config: ResolvedConfig,
    folder: { runsDir: string; saved: Parameters<typeof createRunFolder>[2] } | { dir: string; runId: string; lock: RunFolderLock } | undefined,
    resumeFrom: RunResumePoint | undefined,
    warnings: readonly string[] = [],
  ): Promise<RunHandle> {
    const replay = resumeFrom?.events ?? [];
    const log = createRunLogger();
    // Compose before creating the folder: a bad option or a missing data directory leaves no debris.
    let runId = 'dry-run';
    let runDir: string | undefined;
    if (folder && 'dir' in folder) {
      runId = folder.runId;
      runDir = folder.dir;
    }
    const composition = await composeRun(this.registryValue, config, { logger: log.logger, stateDir: runDir ? path.join(runDir, RUN_FILES.state) : undefined });
    let writer: JournalWriter | undefined;
    try {
      if (folder && 'runsDir' in folder) {
        const created = createRunFolder(folder.runsDir, config.name, folder.saved);
        runId = created.runId;
        runDir = created.dir;
        (composition.parts as { stateDir?: string }).stateDir = path.join(runDir, RUN_FILES.state);
        for (const l of composition.parts.latencyModels) l.model.save?.(path.join(runDir, RUN_FILES.state));
      }
      // A resumed run already holds the folder's lock; a new run's writer takes it.
      writer = runDir ? new JournalWriter(path.join(runDir, RUN_FILES.journal), folder && 'lock' in folder ? { lock: false } : {}) : undefined;
    } catch (e) {
      // No run: release what was composed (a worker pool would otherwise keep running).
      await composition.dispose().catch(() => undefined);
      throw e;
    }
    const release = folder && 'lock' in folder ? folder.lock : undefined;
    const { parts } = composition;
    const searcher = parts.searcher as { recommend?: () => Architecture | undefined };
    const recommend = typeof searcher.recommend === 'function' ? () => searcher.recommend?.() : undefined;
    const state = new RunState(runId, parts.objective, { evaluations: config.budget.evaluations, failures: config.budget.failures }, recommend);
    if (resumeFrom) state.restore(resumeFrom);
    const stop = new AbortController();
    const contributions: Record<string, string> = { space: config.space.id, estimator: config.estimator.id, searcher: config.searcher.id };
    if (config.task) contributions['task'] = config.task.id;
    for (const [k, v] of Object.entries(config.estimators)) contributions[`estimators.${k}`] = v.id;
    config.latency.forEach((l, i) => (contributions[`latency.${i}`] = l.id));

    const summaryFile = runDir ? path.join(runDir, RUN_FILES.summary) : undefined;
    // The summary is built as the run goes (from the replayed journal first), not re-read at the end.
    const summary = new ReportBuilder();
    for (const e of replay) summary.add(e);

    let preparing: Promise<void> = Promise.resolve();
    const format = (a: Architecture): string => parts.space.format(a);
    const events$ = defer(() => {
      // A run in progress keeps the process alive: a trial waiting on a promise that holds no
      // handle would otherwise let Node exit mid-run with code 0 (and per-trial deadlines are
      // unref'd timers).
      const keepAlive = setInterval(() => undefined, 60_000);
      const started = state.stamp<RunStartedEvent>({
        type: 'run-started',
        seed: config.seed,
        resumed: replay.length > 0,
        contributions,
        objective: parts.objective.info.label,
        budget: { evaluations: config.budget.evaluations, seconds: config.budget.seconds },
      });
      const prepare$ = new Observable<SearchEvent>((sub) => {
        sub.next(started);
        // The preparation stops with the run (Ctrl-C, unsubscription); the loop that follows then
        // finishes the run as cancelled.
        const cancel = new AbortController();
        const onStop = (): void => cancel.abort(new NasxError('run', 'the run was stopped'));
        if (stop.signal.aborted) onStop();
        else stop.signal.addEventListener('abort', onStop, { once: true });
        // Named estimators first: the primary one may use them while preparing (a predictor labels
        // its training set with a table or a supernet, which must be ready by then).
        const estimators = [...new Set([...Object.values(parts.estimators), parts.estimator])].filter((e) => e.prepare);
        preparing = (async () => {
          const emit = (d: EventDraft): void => {
            if (!sub.closed) sub.next(state.stamp(d));
          };
          for (const e of estimators) {
            cancel.signal.throwIfAborted();
            // A display names the phase at once; the estimator may report finer phases inside it.
            const phase = phaseReporter({ emit }, `preparing estimator ${e.id}`, { source: 'kernel' });
            await e.prepare?.({
              runId,
              rng: parts.rng.fork(`prepare-${e.id}`),
              signal: cancel.signal,
              logger: log.logger,
              emit,
              stateDir: parts.stateDir,
            });
            phase.end();
          }
        })();
        untilAborted(preparing, cancel.signal).then(
          () => sub.complete(),
          (err: unknown) => (cancel.signal.aborted ? sub.complete() : sub.error(err)),
        );
        return () => {
          stop.signal.removeEventListener('abort', onStop);
          cancel.abort(new NasxError('run', 'the run ended'));
        };
      });
      const loop$ = runLoop(
        parts,
        { concurrency: config.concurrency, dedup: config.dedup, trialSeconds: config.budget.trialSeconds, replay, stopSignal: stop.signal },
        state,
        log,
      );
      return concat(prepare$, loop$).pipe(finalize(() => clearInterval(keepAlive)));
    }).pipe(
      wallClockBudget(state, config.budget.seconds),
      ensureFinished(state),
      journal(writer),
      tap({
        next: (e) => {
          if (e.type !== 'progress' && e.type !== 'phase') summary.add(e);
        },
        complete: () => {
          // Non-finite values (a -Infinity objective) are encoded as in the journal.
          if (summaryFile) writeSummary(summaryFile, summary.build(format));
        },
      }),
      // Estimators are released only once a preparation still running has settled.
      finalize(() => {
        release?.release();
        void preparing.catch(() => undefined).then(() => composition.dispose());
      }),
    );

    return { runId, runDir, config, events$, format, report: () => summary.build(format), warnings, stop: () => stop.abort() };
  }

  /**
   * The validated config of a run folder, with `overrides` (`dataDir=…`, `task=mnist`): the run's
   * own plugins are loaded and relative paths resolve as on resume. For tools that work on a
   * run's results (`nasx export`).
   */
  loadRunConfig(runDir: string, opts: { overrides?: readonly string[] } = {}): ResolvedConfig {
    const dir = path.resolve(runDir);
    const saved = readRunFolder(dir);
    const data = applyOverrides(saved.config, opts.overrides ?? []);
    const doc = savedConfigDocument(dir, saved, data);
    this.withConfigPlugins(doc, data);
    return validateConfig(doc, data, this.registryValue);
  }

  /**
   * Creates only the search space and the task of a config (no estimator or searcher; the task's
   * data loaded only with `loadTask`). Call `dispose()` when done.
   */
  async createSpaceAndTask(config: ResolvedConfig, opts: { loadTask?: boolean } = {}): Promise<{ space: SearchSpace; task?: Task; dispose(): Promise<void> }> {
    this.assertHealthy(config);
    return composeSpaceAndTask(this.registryValue, config, { logger: createRunLogger().logger, loadTask: opts.loadTask ?? false });
  }

  /**
   * Creates only the search space and the latency models of a config (`latency:`), each with the
   * device it answers for and the metric names a run would report. Call `dispose()` when done.
   */
  async createLatencyModels(config: ResolvedConfig): Promise<{
    space: SearchSpace;
    latencies: readonly { readonly model: LatencyModel; readonly device: string; readonly metric: string; readonly energyMetric?: string }[];
    dispose(): Promise<void>;
  }> {
    this.assertHealthy(config);
    return composeLatency(this.registryValue, config, { logger: createRunLogger().logger });
  }

  /** Create every contribution of a config (finding data and option problems) and release them; no run. */
  async check(config: ResolvedConfig): Promise<void> {
    this.assertHealthy(config);
    const composition = await composeRun(this.registryValue, config, { logger: createRunLogger().logger });
    await composition.dispose();
  }

  /**
   * Estimate given architectures (in the space's text form) with a pipeline's estimator, outside a
   * search: benchmark queries, re-scoring a result. Bad text fails with an architecture error that
   * names the argument.
   */
  async evaluate(config: ResolvedConfig, texts: readonly string[]): Promise<{ text: string; arch: Architecture; estimate: Estimate }[]> {
    const log = createRunLogger();
    const composition = await composeRun(this.registryValue, config, { logger: log.logger });
    try {
      const { space, estimator } = composition.parts;
      const archs = texts.map((text, i) => {
        try {
          return space.parse(text);
        } catch (e) {
          if (isNasxError(e)) throw new NasxError(e.kind, `architecture ${i + 1} of the command line: ${e.message}`, { ...e.where, fix: e.fix });
          throw e;
        }
      });
      // Prepared estimators (a fitted predictor, a supernet) prepare first, named ones before the primary.
      const never = new AbortController().signal;
      for (const e of [...new Set([...Object.values(composition.parts.estimators), estimator])]) {
        await e.prepare?.({ runId: 'evaluate', rng: createRng(config.seed).fork(`prepare-${e.id}`), signal: never, logger: log.logger, emit: () => undefined });
      }
      const out: { text: string; arch: Architecture; estimate: Estimate }[] = [];
      for (const [i, arch] of archs.entries()) {
        const estimate = await estimator.estimate(arch, {
          runId: 'evaluate',
          trial: i,
          rng: createRng(config.seed).fork(`evaluate-${i}`),
          signal: never,
          logger: log.logger,
          emit: () => undefined,
        });
        out.push({ text: space.format(arch), arch, estimate });
      }
      return out;
    } finally {
      await composition.dispose();
    }
  }

  /**
   * The exact Pareto front of a multi-objective pipeline: every architecture of the space scored
   * through its estimation pipeline, when that is a table lookup throughout (see
   * `exactFrontUnavailable`); otherwise `{ unavailable }` saying why.
   */
  async exactFront(config: ResolvedConfig): Promise<ExactFront | { readonly unavailable: string }> {
    this.assertHealthy(config);
    const log = createRunLogger();
    // In-process (no worker pool): a tabulated pipeline is lookups, and any other is only asked why not.
    const composition = await composeRun(this.registryValue, { ...config, workers: 0 }, { logger: log.logger });
    try {
      const why = exactFrontUnavailable(composition.parts);
      if (why) return { unavailable: why };
      return await computeExactFront(composition.parts, { logger: log.logger });
    } finally {
      await composition.dispose();
    }
  }

  /** {@link exactFront} of a run folder's pipeline (or why there is none), cached in the folder (`exact-front.json`). */
  async runExactFront(runDir: string): Promise<ExactFront | { readonly unavailable: string }> {
    const dir = path.resolve(runDir);
    const cached = readExactFront(dir);
    if (cached) return cached;
    const front = await this.exactFront(this.loadRunConfig(dir));
    writeExactFront(dir, front);
    return front;
  }

  /**
   * The report of a run folder (finished or interrupted), from its journal. The run's own plugins
   * (its config's `plugins:`) are loaded, so architectures print in their space's text form.
   */
  async report(runDir: string, opts: { top?: number } = {}): Promise<RunReport> {
    const dir = path.resolve(runDir);
    const saved = readRunFolder(dir);
    // Read-only: damaged lines are skipped and reported, never moved (that is resume's job).
    const { events, warnings } = loadJournal(path.join(dir, RUN_FILES.journal));
    let format: ((a: Architecture) => string) | undefined;
    try {
      const doc = savedConfigDocument(dir, saved);
      this.withConfigPlugins(doc, saved.config);
      const config = validateConfig(doc, saved.config, this.registryValue);
      const def = await this.registryValue.activate(config.space.contribution);
      const space = await (def as unknown as { create(o: unknown, d: unknown): Promise<import('@nasx/contracts').SearchSpace> }).create(config.space.options, {
        dataDir: config.dataDir,
        configDir: config.dir,
        ...(cacheDir() !== undefined ? { cacheDir: cacheDir() } : {}),
        logger: createRunLogger().logger,
        rng: createRng(0),
      });
      format = (a) => space.format(a);
    } catch {
      // A report never fails for want of the space: it prints canonical keys instead.
      format = undefined;
    }
    const report = reportFromJournal(events, format, opts.top);
    return warnings.length ? { ...report, warnings } : report;
  }
}
