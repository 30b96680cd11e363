import { randomUUID } from 'node:crypto';
import {
  NasxError,
  type Architecture,
  type Estimate,
  type EstimateContext,
  type EstimationJob,
  type Estimator,
  type Executor,
  type Logger,
  type MetricDeclaration,
  type WorkContext,
} from '@nasx/contracts';
import { Job, Queue, QueueEvents, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BullmqOptions } from './bullmq.schema';
import { PKG, checkRedis, createClient, maskedUrl, bullmqConnection, type OptionsPlace } from './connection';
import {
  SPEC_TTL_SECONDS,
  fromWire,
  queueName,
  specKey,
  workersKey,
  type DescribeJobResult,
  type EstimateJobData,
  type EstimateJobResult,
  type JobBase,
  type TrialItem,
  type WorkerRecord,
} from './protocol';

/** A trial waiting for its estimate. */
interface Pending {
  readonly item: TrialItem;
  settled: boolean;
  resolve(e: Estimate): void;
  reject(e: Error): void;
}

/** A job sent (or to be sent again) and the trials it carries. */
interface InFlight {
  readonly id: string;
  readonly name: string;
  readonly data: JobBase & { items?: readonly TrialItem[] };
  /** Trials by number (estimate jobs), or the waiter of a describe/prepare job. */
  readonly trials: Map<number, Pending>;
  readonly waiter?: { resolve(v: unknown): void; reject(e: Error): void };
  sent: boolean;
  /** When it was last sent or checked (ms). */
  checkedAt: number;
}

/** Seconds after which a job with no answer is looked up in Redis (missed event, lost queue). */
const CHECK_AFTER_MS = 2000;

/** Kept so a coordinator that missed a completion event can still read the result. */
const KEEP_FINISHED = { age: 3600, count: 100_000 };

/** The run's side of the bullmq executor. */
export class BullmqExecutor implements Executor {
  private readonly closers: (() => Promise<unknown>)[] = [];

  constructor(
    private readonly options: BullmqOptions,
    private readonly place: OptionsPlace,
    private readonly logger: Logger,
  ) {}

  async open(job: EstimationJob, run: { readonly logger: Logger; readonly signal: AbortSignal }): Promise<Estimator> {
    const { options, place } = this;
    await checkRedis(options, place);
    const name = queueName(options);
    const connection = bullmqConnection(options, place);
    let lastError = '';
    const client = createClient(options, place, (e) => {
      if (e.message !== lastError) run.logger.warn(`Redis at ${maskedUrl(options.redis)}: ${(lastError = e.message)} (retrying)`);
    });
    const queue = new Queue(name, { connection, defaultJobOptions: this.jobOptions() });
    const events = new QueueEvents(name, { connection });
    queue.on('error', () => undefined);
    events.on('error', () => undefined);
    this.closers.push(
      () => events.close(),
      () => queue.close(),
      async () => client.disconnect(),
    );
    await events.waitUntilReady();
    this.logger.debug(`bullmq: queue ${name} at ${maskedUrl(options.redis)}`);
    const remote = new RemoteEstimator(job, options, place, queue, events, client, run.logger);
    this.closers.unshift(() => remote.close());
    await remote.start(run.signal);
    return remote;
  }

  private jobOptions(): JobsOptions {
    const o = this.options;
    return {
      attempts: o.attempts,
      backoff: { type: 'exponential', delay: o.backoffSeconds * 1000 },
      removeOnComplete: KEEP_FINISHED,
      removeOnFail: KEEP_FINISHED,
    };
  }

  async dispose(): Promise<void> {
    const all = this.closers.splice(0);
    for (const close of all) await close().catch(() => undefined);
  }
}

/** The estimator a run sees: trials become jobs, answers resolve them (each once). */
class RemoteEstimator implements Estimator {
  id = '';
  metrics: readonly MetricDeclaration[] = [];
  private prepares = false;
  private prepareSeed: number | undefined;
  private readonly session = randomUUID().slice(0, 12);
  private nextJob = 0;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly queued: Pending[] = [];
  private flushScheduled = false;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly queueName: string;

  constructor(
    private readonly job: EstimationJob,
    private readonly options: BullmqOptions,
    private readonly place: OptionsPlace,
    private readonly queue: Queue,
    private readonly events: QueueEvents,
    private readonly client: Redis,
    private readonly logger: Logger,
  ) {
    this.queueName = queueName(options);
  }

  /** Publishes the job description, waits for a worker able to run it and asks one to describe it. */
  async start(signal: AbortSignal): Promise<void> {
    await this.publishSpec();
    this.events.on('completed', ({ jobId, returnvalue }) => this.completed(jobId, returnvalue));
    this.events.on('failed', ({ jobId, failedReason }) => void this.failedEvent(jobId, failedReason));
    this.sweeper = setInterval(() => void this.sweep(), 500);
    this.sweeper.unref();
    await this.waitForWorker(signal);
    const described = (await this.request('describe', signal, this.options.workerWaitSeconds)) as DescribeJobResult;
    this.id = described.estimatorId;
    this.metrics = described.metrics;
    this.prepares = described.prepares;
    this.logger.info(
      `bullmq: estimator "${this.id}" served on queue ${this.queueName} at ${maskedUrl(this.options.redis)} (described by worker ${described.worker})`,
    );
  }

  private async publishSpec(): Promise<void> {
    await this.client.set(specKey(this.options.queue, this.job.digest), JSON.stringify(this.job), 'EX', SPEC_TTL_SECONDS);
  }

  /** The live workers of this queue. */
  private async workers(): Promise<WorkerRecord[]> {
    const keys = await this.client.keys(`${workersKey(this.options.queue)}*`);
    if (keys.length === 0) return [];
    const values = await this.client.mget(...keys);
    return values.flatMap((v) => {
      try {
        return v ? [JSON.parse(v) as WorkerRecord] : [];
      } catch {
        return [];
      }
    });
  }

  private capable(w: WorkerRecord): boolean {
    return w.queues.includes(this.queueName) && this.job.estimators.every((e) => w.estimators.includes(e));
  }

  private async waitForWorker(signal: AbortSignal): Promise<void> {
    const until = Date.now() + this.options.workerWaitSeconds * 1000;
    let seen: WorkerRecord[] = [];
    for (;;) {
      seen = await this.workers();
      if (seen.some((w) => this.capable(w))) return;
      if (Date.now() >= until || signal.aborted) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const where = `queue ${this.queueName} at ${maskedUrl(this.options.redis)}`;
    const others = seen.length
      ? ` The workers seen: ${seen.map((w) => `${w.id} (queues ${w.queues.join(', ')}; estimators ${w.estimators.join(', ')})`).join('; ')}.`
      : '';
    throw new NasxError(
      'run',
      `no nasx worker able to run estimator${this.job.estimators.length > 1 ? 's' : ''} ${this.job.estimators.join(', ')} answered on ${where} within ${this.options.workerWaitSeconds} s.${others}`,
      {
        pkg: PKG,
        ...(this.place.file ? { file: this.place.file } : {}),
        ...(this.place.pointer ? { pointer: this.place.pointer } : {}),
        fix: `start one where the plugins and data are: nasx worker --redis ${maskedUrl(this.options.redis)}${this.options.queue !== 'nasx' ? ` --queue ${this.options.queue}` : ''}${this.options.backend ? ` (on a machine with the ${this.options.backend} backend)` : ''}`,
      },
    );
  }

  private base(): JobBase {
    return { session: this.session, digest: this.job.digest, ...(this.prepareSeed !== undefined ? { prepareSeed: this.prepareSeed } : {}) };
  }

  /** Sends a describe/prepare job and waits for its answer. */
  private request(name: 'describe' | 'prepare', signal: AbortSignal, timeoutSeconds?: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = `${this.session}-${name}`;
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        this.inFlight.delete(id);
      };
      const onAbort = () => {
        done();
        reject(signal.reason instanceof Error ? signal.reason : new Error('cancelled'));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (timeoutSeconds !== undefined) {
        timer = setTimeout(() => {
          done();
          reject(
            new NasxError('run', `no nasx worker answered the ${name} job on queue ${this.queueName} within ${timeoutSeconds} s`, {
              pkg: PKG,
              fix: 'check that the workers run (nasx worker --redis …) and their logs',
            }),
          );
        }, timeoutSeconds * 1000);
      }
      const flight: InFlight = {
        id,
        name,
        data: this.base(),
        trials: new Map(),
        waiter: {
          resolve: (v) => {
            done();
            resolve(v);
          },
          reject: (e) => {
            done();
            reject(e);
          },
        },
        sent: false,
        checkedAt: Date.now(),
      };
      this.inFlight.set(id, flight);
      void this.send([flight]);
    });
  }

  async prepare(ctx: WorkContext): Promise<void> {
    this.prepareSeed = ctx.rng.seed;
    if (!this.prepares) return;
    ctx.logger.info(`bullmq: a worker prepares the estimators (the others prepare from the same seed before their first trial)`);
    await this.request('prepare', ctx.signal);
  }

  estimate(arch: Architecture, ctx: EstimateContext): Promise<Estimate> {
    if (this.closed) return Promise.reject(new Error('the run ended'));
    if (ctx.signal.aborted) return Promise.reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled'));
    return new Promise<Estimate>((resolve, reject) => {
      const onAbort = () => settle.reject(ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('cancelled'));
      const settle: Pending = {
        item: { t: ctx.trial, seed: ctx.rng.seed, arch, ...(ctx.fidelity !== undefined ? { fidelity: ctx.fidelity } : {}) },
        settled: false,
        resolve: (e) => {
          if (settle.settled) return;
          settle.settled = true;
          ctx.signal.removeEventListener('abort', onAbort);
          resolve(e);
        },
        reject: (e) => {
          if (settle.settled) return;
          settle.settled = true;
          ctx.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      this.queued.push(settle);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // The run asks its trials in one go: batch what arrives in the same turn of the event loop.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const pending = this.queued.splice(0).filter((p) => !p.settled);
    const jobs: InFlight[] = [];
    for (let i = 0; i < pending.length; i += this.options.batchSize) {
      const batch = pending.slice(i, i + this.options.batchSize);
      const id = `${this.session}-${this.nextJob++}`;
      const flight: InFlight = {
        id,
        name: 'estimate',
        data: { ...this.base(), items: batch.map((p) => p.item) },
        trials: new Map(batch.map((p) => [p.item.t, p])),
        sent: false,
        checkedAt: Date.now(),
      };
      this.inFlight.set(id, flight);
      jobs.push(flight);
    }
    void this.send(jobs);
  }

  /** Adds jobs (the same ids again after a loss: BullMQ keeps one job per id). */
  private async send(jobs: readonly InFlight[]): Promise<void> {
    if (jobs.length === 0 || this.closed) return;
    try {
      await this.queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data as EstimateJobData, opts: { jobId: j.id } })));
      for (const j of jobs) {
        j.sent = true;
        j.checkedAt = Date.now();
      }
    } catch (e) {
      // Redis is away: the sweeper sends them again once it is back.
      this.logger.warn(`bullmq: could not queue ${jobs.length} job(s) (${(e as Error).message}); retrying`);
    }
  }

  private completed(jobId: string, value: unknown): void {
    const flight = this.inFlight.get(jobId);
    if (!flight) return; // another session's job, or an answer already taken (a duplicate completion)
    let result = value;
    if (typeof value === 'string') {
      try {
        result = JSON.parse(value);
      } catch {
        result = undefined;
      }
    }
    if (result === undefined || result === null) return; // the sweeper reads it from the job
    this.inFlight.delete(jobId);
    if (flight.waiter) {
      flight.waiter.resolve(result);
      return;
    }
    const answer = result as EstimateJobResult;
    for (const item of answer.items) {
      const p = flight.trials.get(item.t);
      if (!p) continue;
      if ('estimate' in item) p.resolve(item.estimate);
      else p.reject(fromWire(item.error));
    }
    for (const p of flight.trials.values()) if (!p.settled) p.reject(new Error(`worker ${answer.worker} returned no result for trial ${p.item.t}`));
  }

  /** A failed attempt: final only once the job is in the failed state (else BullMQ retries it). */
  private async failedEvent(jobId: string, reason: string): Promise<void> {
    const flight = this.inFlight.get(jobId);
    if (!flight) return;
    const state = await this.queue.getJobState(jobId).catch(() => 'unknown');
    if (state === 'failed') this.fail(flight, reason);
  }

  private fail(flight: InFlight, reason: string): void {
    if (!this.inFlight.delete(flight.id)) return;
    const error = new NasxError('run', `the ${flight.name} job ${flight.id} failed on every try (${this.options.attempts}): ${reason}`, {
      pkg: PKG,
      fix: 'see the worker’s log; raise attempts for flaky machines',
    });
    if (flight.waiter) flight.waiter.reject(error);
    for (const p of flight.trials.values()) p.reject(error);
  }

  /**
   * Looks up jobs that stayed unanswered: reads a result whose event was missed, sends again a job
   * Redis lost (a restart without persistence), and fails one BullMQ gave up on.
   */
  private async sweep(): Promise<void> {
    if (this.closed) return;
    const now = Date.now();
    const unsent = [...this.inFlight.values()].filter((f) => !f.sent);
    const stale = [...this.inFlight.values()].filter((f) => f.sent && now - f.checkedAt > CHECK_AFTER_MS);
    try {
      if (unsent.length) {
        await this.publishSpec();
        await this.send(unsent);
      }
      let lost: InFlight[] = [];
      for (const flight of stale) {
        flight.checkedAt = Date.now();
        const job = await Job.fromId(this.queue, flight.id);
        if (!job) {
          lost.push(flight);
          continue;
        }
        const state = await job.getState();
        if (state === 'completed') this.completed(flight.id, job.returnvalue);
        else if (state === 'failed') this.fail(flight, job.failedReason);
      }
      lost = lost.filter((f) => this.inFlight.has(f.id));
      if (lost.length) {
        this.logger.warn(`bullmq: ${lost.length} job(s) vanished from Redis (restarted without persistence?); queuing them again`);
        await this.publishSpec();
        for (const f of lost) f.sent = false;
        await this.send(lost);
      }
    } catch {
      // Redis is away: the next sweep tries again.
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.sweeper) clearInterval(this.sweeper);
    const ended = new Error('the run ended');
    for (const p of this.queued.splice(0)) p.reject(ended);
    const left = [...this.inFlight.values()];
    this.inFlight.clear();
    for (const f of left) {
      f.waiter?.reject(ended);
      for (const p of f.trials.values()) p.reject(ended);
    }
    // Jobs nobody started are of no use to anyone now.
    await Promise.all(
      left.map(async (f) => {
        const job = await Job.fromId(this.queue, f.id).catch(() => undefined);
        if (job && (await job.getState().catch(() => '')) === 'waiting') await job.remove().catch(() => undefined);
      }),
    );
  }

  async dispose(): Promise<void> {
    await this.close();
  }
}
