import * as os from 'node:os';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { NasxError, type ComposedEstimation, type EstimationJob, type ExecutorWorker, type ExecutorWorkerHost } from '@nasx/contracts';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BullmqOptions } from './bullmq.schema';
import { PKG, checkRedis, createClient, maskedUrl, bullmqConnection, type OptionsPlace } from './connection';
import { withFolderLock } from './folder-lock';
import {
  WORKER_TTL_SECONDS,
  specKey,
  toWire,
  workersKey,
  type DescribeJobResult,
  type EstimateJobData,
  type EstimateJobResult,
  type JobBase,
  type TrialOutcome,
  type WorkerRecord,
} from './protocol';

/** Pipelines composed by this worker, by digest (a worker serves few runs at a time). */
const KEEP_PIPELINES = 4;

interface Pipeline {
  readonly job: EstimationJob;
  readonly composed: ComposedEstimation;
  /** Preparations done (or under way), by seed. */
  readonly prepared: Map<number, Promise<void>>;
  used: number;
}

/**
 * The worker side: one BullMQ worker on the queue (and on `<queue>.<backend>` for each backend the
 * machine has), composing each job's pipeline once (by digest), preparing it once per run seed
 * (under a folder lock, so worker processes of one machine share the preparation), and answering
 * every trial of a job with its estimate or its error.
 */
export class BullmqExecutorWorker implements ExecutorWorker {
  readonly id = `${os.hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;

  constructor(
    private readonly options: BullmqOptions,
    private readonly place: OptionsPlace,
  ) {}

  async serve(host: ExecutorWorkerHost): Promise<void> {
    const { options, place } = this;
    await checkRedis(options, place);
    const log = host.logger;
    let lastError = '';
    const onError = (e: Error) => {
      if (e.message !== lastError) log.warn(`Redis at ${maskedUrl(options.redis)}: ${(lastError = e.message)} (retrying)`);
    };
    const client = createClient(options, place, onError);
    const queues = [options.queue, ...host.capabilities.backends.map((b) => `${options.queue}.${b}`)];
    const record: WorkerRecord = {
      id: this.id,
      host: os.hostname(),
      pid: process.pid,
      queues,
      estimators: host.capabilities.estimators,
      backends: host.capabilities.backends,
      concurrency: options.concurrency,
      started: new Date().toISOString(),
    };
    const register = () => client.set(`${workersKey(options.queue)}${this.id}`, JSON.stringify(record), 'EX', WORKER_TTL_SECONDS).catch(() => undefined);
    await register();
    const heartbeat = setInterval(() => void register(), (WORKER_TTL_SECONDS * 1000) / 3);
    const pipelines = new Map<string, Promise<Pipeline>>();
    const connection = bullmqConnection(options, place);
    const workers = queues.map(
      (name) =>
        new Worker(name, (job) => this.process(job, host, client, pipelines), {
          connection,
          concurrency: options.concurrency,
          lockDuration: options.leaseSeconds * 1000,
          stalledInterval: Math.max(250, (options.leaseSeconds * 1000) / 2),
          maxStalledCount: options.attempts,
        }),
    );
    // BullMQ's own errors (a job whose lease or key was lost while it ran): said once each.
    let lastJobError = '';
    for (const w of workers)
      w.on('error', (e: Error) => {
        if (e.message !== lastJobError) log.warn(`nasx worker ${this.id}: ${(lastJobError = e.message)}`);
      });
    log.info(
      `nasx worker ${this.id}: serving ${queues.join(', ')} at ${maskedUrl(options.redis)} (estimators: ${host.capabilities.estimators.join(', ')}; backends: ${host.capabilities.backends.join(', ') || 'none'})`,
    );
    try {
      await new Promise<void>((resolve) => {
        if (host.signal.aborted) resolve();
        else host.signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } finally {
      clearInterval(heartbeat);
      // A job under way finishes first (its result is not lost); then the worker leaves.
      await Promise.all(workers.map((w) => w.close()));
      await client.del(`${workersKey(options.queue)}${this.id}`).catch(() => undefined);
      for (const p of pipelines.values()) await p.then((x) => x.composed.dispose()).catch(() => undefined);
      client.disconnect();
      log.info(`nasx worker ${this.id}: stopped`);
    }
  }

  /** The composed pipeline of a digest (its description read from Redis once). */
  private pipeline(data: JobBase, host: ExecutorWorkerHost, client: Redis, pipelines: Map<string, Promise<Pipeline>>): Promise<Pipeline> {
    let p = pipelines.get(data.digest);
    if (!p) {
      p = (async () => {
        const text = await client.get(specKey(this.options.queue, data.digest));
        if (!text) {
          throw new NasxError('run', `the description of pipeline ${data.digest} is not in Redis (its run ended long ago, or Redis lost it)`, {
            pkg: PKG,
            fix: 'resume the run: it publishes the description again',
          });
        }
        const job = JSON.parse(text) as EstimationJob;
        return { job, composed: await host.compose(job), prepared: new Map(), used: Date.now() };
      })();
      pipelines.set(data.digest, p);
      p.catch(() => pipelines.delete(data.digest));
      // Forget the least recently used pipelines beyond the few a worker keeps.
      if (pipelines.size > KEEP_PIPELINES) {
        const oldest = [...pipelines.entries()][0]!;
        pipelines.delete(oldest[0]);
        void oldest[1].then((x) => x.composed.dispose()).catch(() => undefined);
      }
    }
    return p.then((x) => {
      x.used = Date.now();
      return x;
    });
  }

  private prepare(p: Pipeline, seed: number, host: ExecutorWorkerHost): Promise<void> {
    let done = p.prepared.get(seed);
    if (!done) {
      const dir = path.join(host.stateDir, `${p.job.digest}-${seed}`);
      done = withFolderLock(dir, host.signal, () => p.composed.prepare(seed, dir, host.signal));
      p.prepared.set(seed, done);
      done.catch(() => p.prepared.delete(seed));
    }
    return done;
  }

  private async process(job: Job, host: ExecutorWorkerHost, client: Redis, pipelines: Map<string, Promise<Pipeline>>): Promise<unknown> {
    const data = job.data as JobBase;
    let p: Pipeline;
    try {
      p = await this.pipeline(data, host, client, pipelines);
      if (job.name === 'describe') {
        const e = p.composed.estimator;
        return {
          worker: this.id,
          estimatorId: e.id,
          metrics: e.metrics,
          prepares: p.composed.prepares,
        } satisfies DescribeJobResult;
      }
      if (data.prepareSeed !== undefined && p.composed.prepares) await this.prepare(p, data.prepareSeed, host);
      if (job.name === 'prepare') return { worker: this.id };
    } catch (e) {
      // This worker cannot run the pipeline (a missing package, data, a failed preparation):
      // retrying elsewhere may work, retrying here would not.
      const wire = toWire(e);
      host.logger.error(`nasx worker ${this.id}: job ${job.id} (${job.name}) of run "${data.digest}": ${wire.message}`);
      throw new UnrecoverableError(`worker ${this.id}: ${wire.message}${wire.nasx?.fix ? ` (${wire.nasx.fix})` : ''}`);
    }
    const items: TrialOutcome[] = [];
    for (const item of (data as EstimateJobData).items) {
      try {
        const estimate = await p.composed.estimator.estimate(item.arch, {
          runId: p.job.run,
          trial: item.t,
          rng: host.rng(item.seed),
          signal: host.signal,
          logger: host.logger,
          emit: () => undefined,
          ...(item.fidelity !== undefined ? { fidelity: item.fidelity } : {}),
        });
        items.push({ t: item.t, estimate });
      } catch (e) {
        items.push({ t: item.t, error: toWire(e) });
      }
    }
    return { worker: this.id, items } satisfies EstimateJobResult;
  }
}
