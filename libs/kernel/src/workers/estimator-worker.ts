// Entry of an estimator worker thread: composes the run's estimation pipeline (space, task, latency
// models, estimators) from the config it is given, prepares it when the pool asks (reloading the
// state the first preparation saved), then answers estimate requests one at a time.
import { parentPort, workerData } from 'node:worker_threads';
import type { EventDraft, Logger, WorkContext } from '@nasx/contracts';
import { composeEstimation } from '../composition-root';
import { ConfigDocument } from '../config/config-document';
import { validateConfig } from '../config/validate-config';
import { discoverPlugins } from '../plugins/discovery';
import { PluginRegistry } from '../plugins/plugin-registry';
import { createRng } from '../rng/rng';
import { serializeError, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('estimator-worker must run in a worker thread');
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);
let current = -1;
const aborts = new Map<number, AbortController>();

const logger: Logger = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [
    level,
    (message: string) =>
      post({ type: 'event', id: current, draft: { type: 'log', level, message: `[worker ${init.index}] ${message}`, source: 'worker' } as EventDraft }),
  ]),
) as unknown as Logger;

async function start(): Promise<void> {
  const found = discoverPlugins({ roots: [], paths: init.pluginDirs });
  const registry = new PluginRegistry(found.plugins);
  const config = validateConfig(ConfigDocument.fromObject(init.configData, init.configFile, init.configDir), init.configData, registry, {
    estimationOnly: true,
  });
  const est = await composeEstimation(registry, config, { logger, inWorker: true });
  const estimator = est.estimator;
  const prepares = [estimator, ...Object.values(est.estimators)].some((e) => typeof e.prepare === 'function');
  post({ type: 'ready', metrics: estimator.metrics, estimatorId: estimator.id, prepares });
  port!.on('message', (m: ToWorker) => {
    if (m.type === 'cancel') {
      aborts.get(m.id)?.abort();
      return;
    }
    const abort = new AbortController();
    aborts.set(m.id, abort);
    current = m.id;
    const emit = (draft: EventDraft): void => post({ type: 'event', id: m.id, draft });
    if (m.type === 'prepare') {
      // The same order as the kernel's prepare phase: named estimators first, since the primary
      // one may use them while preparing. With the run's stateDir each reloads what the first
      // preparation saved instead of redoing it.
      const ctx = (label: string): WorkContext => ({
        runId: 'worker',
        rng: createRng(m.seed).fork(label),
        signal: abort.signal,
        logger,
        emit,
        stateDir: m.stateDir,
      });
      (async () => {
        for (const [name, e] of Object.entries(est.estimators)) await e.prepare?.(ctx(`prepare-${name}`));
        // The primary estimator gets the stream the kernel gave the pool's prepare(), as in-process.
        await estimator.prepare?.({ ...ctx(''), rng: createRng(m.seed) });
      })()
        .then(
          () => post({ type: 'prepared', id: m.id }),
          (e: unknown) => post({ type: 'error', id: m.id, error: serializeError(e) }),
        )
        .finally(() => aborts.delete(m.id));
      return;
    }
    estimator
      .estimate(m.arch, {
        runId: 'worker',
        trial: m.trial,
        rng: createRng(m.seed),
        signal: abort.signal,
        logger,
        emit,
        fidelity: m.fidelity,
        ...(m.parent ? { parent: m.parent } : {}),
        ...(m.stateDir ? { stateDir: m.stateDir } : {}),
      })
      .then(
        (estimate) => post({ type: 'result', id: m.id, estimate }),
        (e: unknown) => post({ type: 'error', id: m.id, error: serializeError(e) }),
      )
      .finally(() => aborts.delete(m.id));
  });
}

start().catch((e: unknown) => post({ type: 'fatal', error: serializeError(e) }));
