import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  NasxError,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type Estimator,
  type EventDraft,
  type Logger,
  type MetricDeclaration,
  type WorkContext,
} from '@nasx/contracts';
import type { ResolvedConfig } from '../config/resolved-config';
import type { DiscoveredPlugin } from '../plugins/discovered-plugin';
import { deserializeError, isBackendPoisoned, isOutOfMemory, type FromWorker, type SerializedError, type ToWorker, type WorkerInit } from './worker-protocol';

/** The compiled worker entry (tests run the kernel from sources, workers always from the build). */
function workerEntry(): string {
  const here = path.join(__dirname, 'estimator-worker.js');
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'workers', 'estimator-worker.js');
  if (fs.existsSync(built)) return built;
  throw new NasxError('run', 'the estimator worker is not built (dist/workers/estimator-worker.js is missing)', {
    fix: 'run npm run build, or set workers: 0',
  });
}

/**
 * Pauses before the second, third, … attempt to restart a worker whose restart failed; after the
 * last one the slot is given up. A worker that cannot start twice in a row (its data went away,
 * the machine is out of memory) rarely starts on a fourth try, and a run must not wait minutes
 * to learn it.
 */
export const RESTART_DELAYS_MS: readonly number[] = [200, 1000];

/** Attempts per candidate: a candidate that kills (or poisons) its worker this often fails. */
const MAX_ATTEMPTS = 2;

interface Request {
  readonly id: number;
  readonly arch: Architecture;
  readonly ctx: EstimateContext;
  attempts: number;
  /** A retry runs only on a worker started after its failure (a fresh one, not another worn one). */
  minLaunch: number;
  settled: boolean;
  resolve(e: Estimate): void;
  reject(e: Error): void;
}

interface PrepareJob {
  readonly id: number;
  emit(draft: EventDraft): void;
  resolve(): void;
  reject(e: Error): void;
}

interface Slot {
  readonly index: number;
  /** The live thread; cleared before a deliberate terminate, so its exit is not taken for a crash. */
  worker?: Worker;
  /** `down`: its restarts failed; the slot takes no more work. */
  state: 'starting' | 'preparing' | 'idle' | 'busy' | 'down';
  busy?: Request;
  preparing?: PrepareJob;
  /** Its estimators are prepared (meaningful once the pool's `prepare()` ran). */
  prepared: boolean;
  /** Inside launch(): a death now fails the launch, whose caller retries. */
  launching: boolean;
  /** Launch number of its current worker (pool-wide, increasing). */
  launch?: number;
}

/** An estimator whose estimates run in a pool of worker threads. */
export interface PooledEstimator extends Estimator {
  readonly workers: number;
  /** Prepares the estimators of every worker: the first prepares and saves its state, the rest reload it. */
  prepare(ctx: WorkContext): Promise<void>;
}

/** The reason an aborted signal carries, as an error. */
function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  if (r instanceof Error) return r;
  return new Error(r === undefined ? 'cancelled' : String(r));
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A pool of worker threads, each composing the run's estimation pipeline from the same config (so
 * each has its own tensor backend and data), behind the `Estimator` contract.
 *
 * - Requests go to idle workers in order.
 * - `prepare()` prepares the first worker's estimators (which save their state to `stateDir`),
 *   then the others', which reload that state; a worker started later prepares the same way
 *   before it takes work. Without a run folder the pool lends a temporary `stateDir`, so the
 *   preparation still runs once.
 * - A worker that crashes, or whose WebAssembly backend aborted (after which every call of that
 *   thread fails), is replaced and its candidate retried once on a fresh worker; a second time
 *   the trial fails.
 * - A restart that fails is retried {@link RESTART_DELAYS_MS}`.length` more times, then the slot
 *   is given up; once no slot is left, queued and later requests fail at once.
 * - A request whose `ctx.signal` aborts rejects at once with the abort reason; the worker busy on
 *   it is terminated and replaced, so a hung estimator cannot hold a run.
 *
 * Start-up errors in a worker (bad data, bad options) are the run's start-up errors.
 */
export async function createPooledEstimator(
  config: ResolvedConfig,
  run: {
    logger: Logger;
    /** Packages providing services the estimation entries inject: workers load them too. */ servicePlugins?: readonly DiscoveredPlugin[];
  },
): Promise<PooledEstimator> {
  const entries = [config.space, config.estimator, ...Object.values(config.estimators), ...config.latency, ...(config.task ? [config.task] : [])];
  const packages = [
    ...entries.map((e) => ({ what: `${e.kind} "${e.id}"`, plugin: e.contribution.plugin })),
    ...(run.servicePlugins ?? []).map((p) => ({ what: `the services of ${p.name}`, plugin: p })),
  ];
  const inline = packages.find((p) => p.plugin.source === 'inline');
  if (inline) {
    throw new NasxError('config', `${inline.what} is defined in code, not installed as a package, so worker threads cannot load it`, {
      file: config.file,
      pointer: '/workers',
      fix: 'set workers: 0',
    });
  }
  const init = (index: number): WorkerInit => ({
    configData: { ...config.data, seed: config.seed, ...(config.dataDir ? { dataDir: config.dataDir } : {}), workers: 0 },
    configFile: config.file,
    configDir: path.resolve(config.dir),
    pluginDirs: [...new Set(packages.map((p) => p.plugin.dir))],
    index,
  });
  const entry = workerEntry();
  const queue: Request[] = [];
  let nextId = 0;
  /** Workers launched so far (numbers each slot's current worker). */
  let launches = 0;
  let metrics: readonly MetricDeclaration[] = [];
  let estimatorId = config.estimator.id;
  let prepares = false;
  let disposed = false;
  /** Set by a successful `prepare()`: what every (re)started worker prepares with. */
  let shared: { seed: number; stateDir: string } | undefined;
  let tempStateDir: string | undefined;
  /** Set once every slot is down: the error every request then fails with. */
  let broken: NasxError | undefined;
  const slots: Slot[] = Array.from({ length: config.workers }, (_, index) => ({ index, state: 'starting', prepared: false, launching: false }));

  const logDraft = (draft: EventDraft): void => {
    const d = draft as { type: string; level?: keyof Logger; message?: string };
    if (d.type === 'log' && d.level && typeof d.message === 'string') run.logger[d.level](d.message);
  };

  /** Starts a thread in the slot; resolves once its pipeline is composed. */
  const spawn = (slot: Slot): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(entry, { workerData: init(slot.index) });
      slot.worker = worker;
      slot.launch = launches++;
      let ready = false;
      const mine = (): boolean => slot.worker === worker && !disposed;
      worker.on('message', (m: FromWorker) => {
        if (!mine()) return;
        switch (m.type) {
          case 'ready':
            ready = true;
            metrics = m.metrics;
            estimatorId = m.estimatorId;
            prepares = m.prepares;
            resolve();
            return;
          case 'fatal':
            if (!ready) {
              slot.worker = undefined;
              void worker.terminate();
              reject(deserializeError(m.error));
            } else {
              void worker.terminate();
              crashed(slot, m.error.message);
            }
            return;
          case 'event':
            if (slot.busy?.id === m.id) slot.busy.ctx.emit(m.draft);
            else if (slot.preparing?.id === m.id) slot.preparing.emit(m.draft);
            else logDraft(m.draft);
            return;
          case 'prepared':
          case 'error':
            if (slot.preparing?.id === m.id) {
              const job = slot.preparing;
              slot.preparing = undefined;
              if (m.type === 'prepared') job.resolve();
              else job.reject(deserializeError(m.error));
            } else if (slot.busy?.id === m.id && m.type === 'error') finished(slot, m.error);
            return;
          case 'result':
            if (slot.busy?.id === m.id) finished(slot, m.estimate);
            return;
        }
      });
      const onDeath = (reason: string): void => {
        if (!mine()) return;
        if (!ready) {
          slot.worker = undefined;
          reject(
            new NasxError('run', `estimator worker ${slot.index} died while starting: ${reason}`, { fix: 'run with workers: 0 to see the error in-process' }),
          );
          return;
        }
        crashed(slot, reason);
      };
      worker.on('error', (e) => onDeath(e.message));
      // Nothing but a crash ends a worker we did not terminate (it listens on its port forever).
      worker.on('exit', (code) => onDeath(`exit code ${code}`));
    });

  /** Prepares the estimators of one slot's worker (it must be idle). */
  const prepareOn = (slot: Slot, seed: number, stateDir: string, emit: (d: EventDraft) => void, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const worker = slot.worker;
      if (!worker) return reject(new Error(`estimator worker ${slot.index} is not running`));
      const onAbort = (): void => {
        reject(abortReason(signal as AbortSignal));
        if (slot.worker === worker && slot.preparing === job) replace(slot, 'was preparing when the preparation was cancelled');
      };
      const done = (): void => signal?.removeEventListener('abort', onAbort);
      const job: PrepareJob = {
        id: nextId++,
        emit,
        // Inside launch(), launch() itself makes the slot idle once it is done.
        resolve: () => {
          done();
          slot.prepared = true;
          if (!slot.launching) slot.state = 'idle';
          resolve();
          dispatch();
        },
        reject: (e) => {
          done();
          if (!slot.launching && slot.worker === worker && slot.state === 'preparing') slot.state = 'idle';
          reject(e);
          dispatch();
        },
      };
      slot.state = 'preparing';
      slot.preparing = job;
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage({ type: 'prepare', id: job.id, seed, stateDir } satisfies ToWorker);
    });

  /** Starts (or restarts) a slot's worker and prepares it if the pool was prepared. */
  const launch = async (slot: Slot): Promise<void> => {
    slot.state = 'starting';
    slot.prepared = false;
    slot.launching = true;
    try {
      await spawn(slot);
      if (shared) await prepareOn(slot, shared.seed, shared.stateDir, logDraft);
      slot.state = 'idle';
    } finally {
      slot.launching = false;
    }
  };

  /** Restarts a slot, retrying a failed start a bounded number of times, then gives it up. */
  const restart = async (slot: Slot, why: string): Promise<void> => {
    run.logger.warn(`estimator worker ${slot.index} ${why}; restarting it`);
    slot.state = 'starting';
    // A run that stops aborts its trials, then disposes the pool: do not start threads it kills.
    await new Promise((resolve) => setImmediate(resolve));
    for (let attempt = 0; ; attempt++) {
      if (disposed) return;
      try {
        await launch(slot);
        dispatch();
        return;
      } catch (e) {
        const w = slot.worker;
        slot.worker = undefined;
        void w?.terminate();
        if (disposed) return;
        const message = e instanceof Error ? e.message : String(e);
        const wait = RESTART_DELAYS_MS[attempt];
        if (wait === undefined) {
          slot.state = 'down';
          run.logger.error(`estimator worker ${slot.index} could not be restarted (${attempt + 1} attempts; last error: ${message}); its slot is given up`);
          giveUpIfNoWorker(message);
          // No fresh worker will come from this slot: retries may run on any worker left.
          for (const r of queue) r.minLaunch = 0;
          dispatch();
          return;
        }
        run.logger.warn(`estimator worker ${slot.index} failed to restart (${message}); trying again in ${wait} ms`);
        await delay(wait);
      }
    }
  };

  /** Once every slot is down, fails everything queued and everything asked later. */
  const giveUpIfNoWorker = (lastError: string): void => {
    if (!slots.every((s) => s.state === 'down')) return;
    broken = new NasxError('run', `no estimator worker is left: every worker died and could not be restarted (last error: ${lastError})`, {
      fix: 'run with workers: 0 to see the error in-process',
    });
    for (const r of queue.splice(0)) r.reject(broken);
  };

  /** Puts a candidate whose worker died back at the head of the queue, or fails it for good. */
  const retryOrFail = (req: Request, error: Error): void => {
    if (req.settled) return;
    if (req.attempts < MAX_ATTEMPTS) {
      req.minLaunch = launches;
      queue.unshift(req);
    } else req.reject(error);
  };

  /** Terminates a slot's worker on purpose and starts a fresh one. */
  const replace = (slot: Slot, why: string): void => {
    const w = slot.worker;
    slot.worker = undefined;
    slot.busy = undefined;
    const job = slot.preparing;
    slot.preparing = undefined;
    job?.reject(new Error(`estimator worker ${slot.index} ${why}`));
    void w?.terminate();
    void restart(slot, why);
  };

  /** The slot's worker died by itself. */
  const crashed = (slot: Slot, reason: string): void => {
    const req = slot.busy;
    const job = slot.preparing;
    slot.worker = undefined;
    slot.busy = undefined;
    slot.preparing = undefined;
    job?.reject(new Error(`estimator worker ${slot.index} died while preparing (${reason})`));
    if (slot.launching) return; // launch() fails and its caller decides
    if (req) retryOrFail(req, new Error(`the estimator worker died twice on this candidate (${reason})`));
    void restart(slot, `died (${reason})`);
    dispatch();
  };

  /** The slot's worker answered its request. */
  const finished = (slot: Slot, outcome: Estimate | SerializedError): void => {
    const req = slot.busy as Request;
    slot.busy = undefined;
    slot.state = 'idle';
    if ('metrics' in outcome) req.resolve(outcome);
    else if (isOutOfMemory(outcome)) {
      // The candidate does not fit: a fresh worker would fail the same way, so the trial fails
      // now; a worker whose module aborted is replaced.
      req.reject(deserializeError(outcome));
      if (isBackendPoisoned(outcome)) replace(slot, `ran out of WebAssembly memory on trial ${req.ctx.trial}`);
    } else if (isBackendPoisoned(outcome)) {
      // The trial did not fail on its own merits: the thread's wasm module is gone.
      retryOrFail(req, new Error(`${outcome.message} (the worker's WebAssembly backend broke on this candidate twice; the worker was replaced each time)`));
      replace(slot, `has a broken WebAssembly backend (${outcome.message})`);
      dispatch();
      return;
    } else req.reject(deserializeError(outcome));
    dispatch();
  };

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.state === 'idle' && slot.worker && shared && !slot.prepared) {
        // Busy while the pool prepared: it prepares now, before it takes work.
        const worker = slot.worker;
        prepareOn(slot, shared.seed, shared.stateDir, logDraft).catch((e: unknown) => {
          if (slot.worker === worker && !disposed) replace(slot, `failed to prepare (${e instanceof Error ? e.message : String(e)})`);
        });
        continue;
      }
      if (slot.state !== 'idle' || !slot.worker) continue;
      for (let i = queue.length - 1; i >= 0; i--) if ((queue[i] as Request).settled) queue.splice(i, 1);
      const at = queue.findIndex((r) => (slot.launch ?? 0) >= r.minLaunch);
      if (at < 0) continue;
      const req = queue.splice(at, 1)[0] as Request;
      req.attempts++;
      slot.busy = req;
      slot.state = 'busy';
      const msg: ToWorker = {
        type: 'estimate',
        id: req.id,
        arch: req.arch,
        trial: req.ctx.trial,
        seed: req.ctx.rng.seed,
        fidelity: req.ctx.fidelity,
        ...(req.ctx.parent ? { parent: req.ctx.parent } : {}),
        ...(req.ctx.stateDir ? { stateDir: req.ctx.stateDir } : {}),
      };
      slot.worker.postMessage(msg);
    }
  };

  try {
    await Promise.all(slots.map((s) => launch(s)));
  } catch (e) {
    disposed = true;
    await Promise.all(slots.map((s) => s.worker?.terminate()));
    throw e;
  }

  return {
    get id() {
      return estimatorId;
    },
    get metrics() {
      return metrics;
    },
    workers: config.workers,
    async prepare(ctx) {
      if (broken) throw broken;
      if (!prepares) return;
      if (!ctx.stateDir) tempStateDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-worker-state-'));
      const stateDir = ctx.stateDir ?? (tempStateDir as string);
      const idle = slots.filter((s) => s.state === 'idle');
      const first = idle[0];
      if (!first) throw new NasxError('run', 'no estimator worker is running to prepare', { fix: 'run with workers: 0 to see the error in-process' });
      await prepareOn(first, ctx.rng.seed, stateDir, ctx.emit, ctx.signal);
      shared = { seed: ctx.rng.seed, stateDir };
      // Slots still starting prepare in launch(); the idle ones reload the saved state now.
      await Promise.all(slots.filter((s) => s.state === 'idle' && !s.prepared).map((s) => prepareOn(s, ctx.rng.seed, stateDir, logDraft, ctx.signal)));
    },
    estimate(arch, ctx) {
      if (broken) return Promise.reject(broken);
      if (ctx.signal.aborted) return Promise.reject(abortReason(ctx.signal));
      return new Promise<Estimate>((resolve, reject) => {
        const onAbort = (): void => {
          if (req.settled) return;
          const i = queue.indexOf(req);
          if (i >= 0) queue.splice(i, 1);
          req.reject(abortReason(ctx.signal));
          const slot = slots.find((s) => s.busy === req);
          if (slot) {
            replace(slot, `was busy on trial ${ctx.trial}, which was cancelled`);
            dispatch();
          }
        };
        // The listener lives as long as the request (the run's signal is shared by all trials).
        const settle =
          <T>(f: (v: T) => void) =>
          (v: T): void => {
            if (req.settled) return;
            req.settled = true;
            ctx.signal.removeEventListener('abort', onAbort);
            f(v);
          };
        const req: Request = { id: nextId++, arch, ctx, attempts: 0, minLaunch: 0, settled: false, resolve: settle(resolve), reject: settle(reject) };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        queue.push(req);
        dispatch();
      });
    },
    async dispose() {
      disposed = true;
      // First, while the process is surely still running (a CLI may exit once the run completed).
      if (tempStateDir) fs.rmSync(tempStateDir, { recursive: true, force: true });
      const ended = new Error('the run ended');
      for (const r of queue.splice(0)) r.reject(ended);
      for (const s of slots) {
        s.busy?.reject(ended);
        s.preparing?.reject(ended);
      }
      await Promise.all(slots.map((s) => s.worker?.terminate()));
    },
  };
}
