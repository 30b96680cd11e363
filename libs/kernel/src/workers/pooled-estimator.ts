import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NasxError, type Architecture, type Estimate, type EstimateContext, type Estimator, type Logger, type MetricDeclaration } from '@nasx/contracts';
import type { ResolvedConfig } from '../config/resolved-config';
import { deserializeError, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol';

/** The compiled worker entry (tests run the kernel from sources, workers always from the build). */
function workerEntry(): string {
  const here = path.join(__dirname, 'estimator-worker.js');
  if (fs.existsSync(here)) return here;
  const built = path.resolve(__dirname, '..', '..', 'dist', 'workers', 'estimator-worker.js');
  if (fs.existsSync(built)) return built;
  throw new NasxError('run', 'the estimator worker is not built (dist/workers/estimator-worker.js is missing)', { fix: 'run npm run build, or set workers: 0' });
}

interface Request {
  readonly id: number;
  readonly arch: Architecture;
  readonly ctx: EstimateContext;
  attempts: number;
  resolve(e: Estimate): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  busy?: Request;
  /** Died; a replacement is starting. */
  dead?: boolean;
}

/** An estimator whose estimates run in a pool of worker threads. */
export interface PooledEstimator extends Estimator {
  readonly workers: number;
}

/**
 * A pool of worker threads, each composing the run's estimation pipeline from the same config (so
 * each has its own tensor backend and data), behind the `Estimator` contract. Requests go to idle
 * workers in order; a worker that crashes is restarted and its candidate retried once, then the
 * trial fails. Start-up errors in a worker (bad data, bad options) are the run's start-up errors.
 */
export async function createPooledEstimator(config: ResolvedConfig, run: { logger: Logger }): Promise<PooledEstimator> {
  const entries = [config.space, config.estimator, ...Object.values(config.estimators), ...config.latency, ...(config.task ? [config.task] : [])];
  const inline = entries.find((e) => e.contribution.plugin.source === 'inline');
  if (inline) {
    throw new NasxError('config', `${inline.kind} "${inline.id}" is defined in code, not installed as a package, so worker threads cannot load it`, {
      file: config.file,
      pointer: '/workers',
      fix: 'set workers: 0',
    });
  }
  const init = (index: number): WorkerInit => ({
    configData: { ...config.data, seed: config.seed, ...(config.dataDir ? { dataDir: config.dataDir } : {}), workers: 0 },
    configFile: config.file,
    pluginDirs: [...new Set(entries.map((e) => e.contribution.plugin.dir))],
    index,
  });
  const entry = workerEntry();
  const queue: Request[] = [];
  let nextId = 0;
  let metrics: readonly MetricDeclaration[] = [];
  let estimatorId = config.estimator.id;
  let disposed = false;

  const spawn = (index: number): Promise<Slot> =>
    new Promise<Slot>((resolve, reject) => {
      const worker = new Worker(entry, { workerData: init(index) });
      const slot: Slot = { worker };
      let ready = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          ready = true;
          metrics = m.metrics;
          estimatorId = m.estimatorId;
          resolve(slot);
          return;
        }
        if (m.type === 'fatal') {
          const err = deserializeError(m.error);
          void worker.terminate();
          if (!ready) reject(err);
          return;
        }
        const req = slot.busy;
        if (!req || req.id !== m.id) {
          if (m.type === 'event') run.logger.info(m.draft.type === 'log' ? (m.draft as { message: string }).message : JSON.stringify(m.draft));
          return;
        }
        if (m.type === 'event') req.ctx.emit(m.draft);
        else {
          slot.busy = undefined;
          if (m.type === 'result') req.resolve(m.estimate);
          else req.reject(deserializeError(m.error));
          dispatch();
        }
      });
      const onDeath = (reason: string): void => {
        if (!ready) {
          reject(new NasxError('run', `estimator worker ${index} died while starting: ${reason}`, { fix: 'run with workers: 0 to see the error in-process' }));
          return;
        }
        if (disposed || slot.dead) return;
        slot.dead = true;
        const req = slot.busy;
        slot.busy = undefined;
        const i = slots.indexOf(slot);
        run.logger.warn(`estimator worker ${index} died (${reason}); restarting it`);
        spawn(index).then(
          (fresh) => {
            slots[i] = fresh;
            if (req) {
              if (req.attempts < 2) queue.unshift(req);
              else req.reject(new Error(`the estimator worker died twice on this candidate (${reason})`));
            }
            dispatch();
          },
          (e: Error) => req?.reject(e),
        );
      };
      worker.on('error', (e) => onDeath(e.message));
      worker.on('exit', (code) => {
        if (code !== 0 || slot.busy) onDeath(`exit code ${code}`);
      });
    });

  const slots: Slot[] = [];
  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.busy || slot.dead || queue.length === 0) continue;
      const req = queue.shift() as Request;
      if (req.ctx.signal.aborted) {
        req.reject(new Error('cancelled'));
        continue;
      }
      req.attempts++;
      slot.busy = req;
      const msg: ToWorker = { type: 'estimate', id: req.id, arch: req.arch, trial: req.ctx.trial, seed: req.ctx.rng.seed, fidelity: req.ctx.fidelity };
      slot.worker.postMessage(msg);
    }
  };

  try {
    slots.push(...(await Promise.all(Array.from({ length: config.workers }, (_, i) => spawn(i)))));
  } catch (e) {
    disposed = true;
    await Promise.all(slots.map((s) => s.worker.terminate()));
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
    estimate(arch, ctx) {
      return new Promise<Estimate>((resolve, reject) => {
        const onAbort = (): void => {
          const slot = slots.find((s) => s.busy === req);
          if (slot) slot.worker.postMessage({ type: 'cancel', id: req.id } satisfies ToWorker);
        };
        // The listener lives as long as the request (the run's signal is shared by all trials).
        const settle =
          <T>(f: (v: T) => void) =>
          (v: T): void => {
            ctx.signal.removeEventListener('abort', onAbort);
            f(v);
          };
        const req: Request = { id: nextId++, arch, ctx, attempts: 0, resolve: settle(resolve), reject: settle(reject) };
        ctx.signal.addEventListener('abort', onAbort, { once: true });
        queue.push(req);
        dispatch();
      });
    },
    async dispose() {
      disposed = true;
      for (const r of queue.splice(0)) r.reject(new Error('the run ended'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}
