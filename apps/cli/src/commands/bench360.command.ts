import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, isNasxError, type JsonObject, type LatencyModelDefinition } from '@nasx/contracts';
import type { Kernel } from '@nasx/kernel';
import { BENCH360_BUDGETS, BENCH360_DEFAULT_TASKS, defaultPipeline } from '../bench360/budgets';
import { resultsJson, runBench360 } from '../bench360/runner';
import { resultsMarkdown, resultsPlotSpec } from '../bench360/table';
import { EXIT, type CliIO } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { renderSvg } from './trajectory-plot';

/** Options of `nasx bench360`. */
export interface Bench360CommandOptions {
  readonly tasks?: string;
  readonly budget?: string;
  readonly seeds?: number;
  readonly source?: string;
  readonly out?: string;
  readonly dataDir?: string;
  readonly set?: readonly string[];
  readonly device?: string;
}

const SOURCES = ['auto', 'full', 'sample', 'synthetic'];

const silentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

/** The devices the latency `table` model knows with the data at hand (empty when it has no table). */
async function tableDevices(kernel: Kernel, dataDir: string | undefined): Promise<Set<string>> {
  const c = kernel.registry.get('latency-model', 'table');
  if (!c)
    throw new NasxError('usage', '--device needs the latency model "table" (@nasx/latency-model-table), which is not installed', {
      fix: 'npm install @nasx/latency-model-table',
    });
  const def = (await kernel.registry.activate(c)) as LatencyModelDefinition;
  try {
    const listed = (await def.listDevices?.({ dataDir, configDir: process.cwd(), logger: silentLogger, rng: undefined as never })) ?? [];
    return new Set(listed.map((d) => d.device));
  } catch (e) {
    if (isNasxError(e)) return new Set();
    throw e;
  }
}

/**
 * `nasx bench360 [config]`: NAS-Bench-360's protocol (see bench360/runner.ts) over the chosen tasks
 * and seeds; writes results.json, results.md and results.svg into the output folder, and continues a
 * killed benchmark from the (task, seed) results already written there.
 */
export async function bench360Command(io: CliIO, file: string | undefined, opts: Bench360CommandOptions): Promise<number> {
  const budget = BENCH360_BUDGETS[opts.budget ?? 'small'];
  if (!budget) {
    throw new NasxError('usage', `unknown budget "${opts.budget}"`, { fix: `use --budget ${Object.keys(BENCH360_BUDGETS).join(', ')}` });
  }
  const source = opts.source ?? 'auto';
  if (!SOURCES.includes(source)) throw new NasxError('usage', `unknown data source "${source}"`, { fix: `use --source ${SOURCES.join(', ')}` });
  const tasks = (opts.tasks ?? BENCH360_DEFAULT_TASKS.join(','))
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  if (tasks.length === 0) throw new NasxError('usage', '--tasks is empty', { fix: `name tasks, e.g. --tasks ${BENCH360_DEFAULT_TASKS.join(',')}` });
  const kernel = openKernel(io.cwd);
  const known = new Set(kernel.registry.contributions('task').map((c) => c.id));
  const unknown = tasks.filter((t) => !known.has(t));
  if (unknown.length) {
    throw new NasxError('usage', `unknown task${unknown.length > 1 ? 's' : ''} ${unknown.map((t) => `"${t}"`).join(', ')}`, {
      fix: `benchmark tasks of the installed plugins: ${[...known].sort().join(', ')} (the NAS-Bench-360 tasks come with @nasx/task-nb360)`,
    });
  }
  // A benchmark task takes the data-source options bench360 sets (`source`, `limit`, `validationLimit`).
  const notBench = tasks.filter((t) => {
    const props = (kernel.registry.get('task', t)?.optionsSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {};
    return !('source' in props && 'limit' in props && 'validationLimit' in props);
  });
  if (notBench.length) {
    throw new NasxError(
      'usage',
      `task${notBench.length > 1 ? 's' : ''} ${notBench.map((t) => `"${t}"`).join(', ')} ${notBench.length > 1 ? 'are' : 'is'} not a benchmark task: no data-source options, test-split scoring or published numbers`,
      {
        fix: `benchmark the NAS-Bench-360 tasks: ${[...known]
          .filter((t) => !notBench.includes(t) && 'source' in ((kernel.registry.get('task', t)?.optionsSchema as { properties?: object })?.properties ?? {}))
          .sort()
          .join(', ')}`,
      },
    );
  }
  const seeds = Array.from({ length: opts.seeds ?? budget.seeds }, (_, i) => i);
  const overrides = [...configOverrides(io, opts), `task=${JSON.stringify({ use: tasks[0] })}`];
  const config = file
    ? kernel.loadConfig(path.resolve(io.cwd, file), { overrides })
    : kernel.loadConfigObject(defaultPipeline(budget) as unknown as JsonObject, { overrides, file: '<nasx bench360 default pipeline>' });
  const knownDevices = opts.device ? await tableDevices(kernel, config.dataDir) : undefined;
  if (opts.device) {
    const measured = tasks.filter((t) => knownDevices!.has(`${opts.device}_${t}`));
    if (measured.length === 0) {
      const prefixes = [...new Set([...knownDevices!].map((d) => d.replace(/_[^_]+$/, '')))].sort();
      throw new NasxError('usage', `the latency table has no device "${opts.device}" for ${tasks.join(', ')}`, {
        fix: prefixes.length
          ? `HW-NAS-Bench-360 measured NB201 networks of cifar100, ninapro and darcy; give --device one of ${prefixes.join(', ')} with one of those tasks`
          : 'put hw-nas-bench-360/ (and nas-bench-201/) in the data directory for the latency table',
      });
    }
    io.err(`nasx bench360: latency on ${opts.device} for ${measured.join(', ')} (the table has no other task)\n`);
  }
  const outDir = path.resolve(io.cwd, opts.out ?? path.join('bench360', budget.name));
  fs.mkdirSync(outDir, { recursive: true });
  const pipeline = file
    ? path.relative(io.cwd, path.resolve(io.cwd, file))
    : `the default (random search over NB201, ${budget.search.steps}-step training estimates)`;
  io.err(`nasx bench360: ${tasks.join(', ')} × ${seeds.length} seed(s), budget ${budget.name}, pipeline ${pipeline}; results in ${outDir}\n`);

  const controller = new AbortController();
  const onSignal = () =>
    controller.abort(
      new NasxError('run', 'nasx bench360 was interrupted', { fix: 'run the same command again to continue from the finished (task, seed) results' }),
    );
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const started = performance.now();
  try {
    const results = await runBench360({
      kernel,
      config,
      tasks,
      seeds,
      budget,
      source,
      outDir,
      log: (line) => io.err(`  ${line}\n`),
      signal: controller.signal,
      ...(opts.device ? { device: opts.device, knownDevices } : {}),
    });
    const { currentTensorBackend } = await import('@nasx/tensor');
    const info = currentTensorBackend();
    const backend = info ? `${info.name}${info.threads ? ` (${info.threads} threads)` : ''}` : 'none';
    const seconds = (performance.now() - started) / 1000;
    const meta = { budget: budget.name, budgetDescription: budget.description, pipeline, backend, seconds, seeds, tasksRequested: tasks, source };
    fs.writeFileSync(path.join(outDir, 'results.json'), JSON.stringify(resultsJson(results, meta), null, 2) + '\n');
    const markdown = resultsMarkdown(results, { budget, pipeline, backend, seconds });
    fs.writeFileSync(path.join(outDir, 'results.md'), markdown);
    const size = { width: 900, height: 260 * Math.ceil(results.length / 3) + 80 };
    fs.writeFileSync(path.join(outDir, 'results.svg'), await renderSvg(resultsPlotSpec(results), size));
    io.out(markdown);
    io.err(`nasx bench360: wrote results.json, results.md and results.svg to ${outDir} (${(seconds / 60).toFixed(1)} min)\n`);
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
