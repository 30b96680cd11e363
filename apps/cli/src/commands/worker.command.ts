import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NasxError, type ExecutorDefinition, type JsonObject, type Logger } from '@nasx/contracts';
import { Kernel, compileSchema, createExecutorWorkerHost, createRng, describeAjvError, findProjectRoot, suggest } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { stopSignal } from '../stop-signal';

/** Flags of `nasx worker`. */
export interface WorkerFlags {
  readonly executor?: string;
  readonly redis?: string;
  readonly queue?: string;
  readonly concurrency?: number;
  readonly lease?: number;
  /** JSON text or a JSON file of further executor options. */
  readonly options?: string;
  /** Comma-separated estimator ids to serve (default: all installed). */
  readonly estimators?: string;
  readonly dataDir?: string;
  readonly stateDir?: string;
  readonly plugins?: readonly string[];
  readonly quiet?: boolean;
  /** Stops the worker (tests); the process's SIGINT and SIGTERM do the same. */
  readonly signal?: AbortSignal;
}

function stampedLogger(io: CliIO, quiet: boolean): Logger {
  const line = (level: string) => (message: string) => {
    if (quiet && (level === 'debug' || level === 'info')) return;
    if (level === 'debug') return;
    io.err(`${new Date().toISOString()} ${level === 'info' ? '' : `${level}: `}${message}\n`);
  };
  return { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}

/** `--options`: inline JSON, or a JSON file. */
function extraOptions(io: CliIO, text: string | undefined): JsonObject {
  if (text === undefined) return {};
  const trimmed = text.trim();
  let source = 'the --options argument';
  let json = trimmed;
  if (!trimmed.startsWith('{')) {
    const file = path.resolve(io.cwd, trimmed);
    source = file;
    try {
      json = fs.readFileSync(file, 'utf8');
    } catch {
      throw new NasxError('usage', `--options names ${file}, which cannot be read`, {
        fix: 'give a JSON object, e.g. --options \'{"batchSize":16}\', or a JSON file',
      });
    }
  }
  try {
    const parsed = JSON.parse(json) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as JsonObject;
  } catch (e) {
    throw new NasxError('usage', `${source} is not a JSON object (${(e as Error).message})`, {
      file: source === 'the --options argument' ? undefined : source,
      fix: 'give a JSON object of the executor’s options',
    });
  }
}

/**
 * `nasx worker`: serves a distributed executor's jobs (default bullmq on Redis) until SIGINT or
 * SIGTERM, composing each run's estimation pipeline from the plugins installed here and the data
 * directory given here. Any number of workers on any number of machines may serve one queue.
 */
export async function workerCommand(io: CliIO, flags: WorkerFlags): Promise<number> {
  const cliRoot = path.resolve(__dirname, '..', '..');
  const projectRoot = findProjectRoot(io.cwd);
  const kernel = Kernel.open({
    roots: projectRoot === cliRoot ? [cliRoot] : [projectRoot, cliRoot],
    paths: (flags.plugins ?? []).map((p) => path.resolve(io.cwd, p)),
  });
  const executors = kernel.registry.contributions('executor');
  const id = flags.executor ?? 'bullmq';
  const contribution = executors.find((c) => c.id === id);
  if (!contribution) {
    const near = suggest(
      id,
      executors.map((c) => c.id),
    );
    throw new NasxError('usage', `no installed plugin provides executor "${id}"`, {
      fix: near.length
        ? `did you mean ${near.join(' or ')}?`
        : executors.length
          ? `use one of ${executors.map((c) => c.id).join(', ')}`
          : 'install @nasx/executor-bullmq (npm install @nasx/executor-bullmq)',
    });
  }
  const options: JsonObject = {
    ...extraOptions(io, flags.options),
    ...(flags.redis !== undefined ? { redis: flags.redis } : {}),
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    ...(flags.concurrency !== undefined ? { concurrency: flags.concurrency } : {}),
    ...(flags.lease !== undefined ? { leaseSeconds: flags.lease } : {}),
  };
  const validate = compileSchema(contribution.optionsSchema as object);
  if (!validate(options)) {
    const e = validate.errors?.[0];
    throw new NasxError('usage', `the options of executor "${id}" are not valid: ${e ? describeAjvError(e) : 'schema mismatch'}`, {
      fix: 'see `nasx plugins` for the executor’s options, e.g. --redis redis://host:6379',
    });
  }
  const logger = stampedLogger(io, Boolean(flags.quiet));
  const stop = stopSignal(flags.signal);
  try {
    const def = (await kernel.registry.activate(contribution)) as ExecutorDefinition;
    const tensor = await import('@nasx/tensor');
    const backends = tensor.TENSOR_BACKENDS.filter((b) => tensor.probeTensorBackend(b).available);
    const estimators = flags.estimators
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const dataDir = flags.dataDir ? path.resolve(io.cwd, flags.dataDir) : io.env['NASX_DATA'] ? path.resolve(io.cwd, io.env['NASX_DATA']) : undefined;
    const host = createExecutorWorkerHost({
      registry: kernel.registry,
      logger,
      stateDir: flags.stateDir ? path.resolve(io.cwd, flags.stateDir) : path.join(os.tmpdir(), 'nasx-worker-state'),
      ...(dataDir ? { dataDir } : {}),
      backends,
      ...(estimators ? { estimators } : {}),
      // One thread per job this process runs at once.
      threads: Number(options['concurrency'] ?? 1),
      signal: stop.signal,
    });
    const worker = await def.createWorker(options, { configDir: io.cwd, logger, rng: createRng(0), ...(dataDir ? { dataDir } : {}) });
    await worker.serve(host);
    return EXIT.ok;
  } finally {
    stop.release();
  }
}
