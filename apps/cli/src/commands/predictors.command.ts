import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  isPredictor,
  metricDirection,
  type Architecture,
  type EstimateContext,
  type JsonObject,
  type LabelledArchitecture,
  type Predictor,
  type WorkContext,
} from '@nasx/contracts';
import { composeRun, createRng, createRunLogger } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { outputWidth, table as textTable } from '../ui/format';
import { wrapText } from '../ui/text-width';

/** Options of `nasx predictors bench`. */
export interface PredictorsBenchOptions {
  /** A run config whose space, labelling estimator (`estimator`), named estimators and data directory the bench uses. */
  readonly config?: string;
  readonly space?: string;
  /** Labelling estimator id (default: tabular CIFAR-10 test accuracy after 200 epochs). */
  readonly labels?: string;
  /** Comma-separated predictor estimator ids. */
  readonly predictors?: string;
  /** Comma-separated training-set sizes. */
  readonly sizes?: string;
  readonly seeds?: number;
  readonly test?: number;
  readonly seed?: number;
  readonly set?: readonly string[];
  readonly dataDir?: string;
  readonly out?: string;
  readonly quiet?: boolean;
}

/** One fit of one method on one training set. */
export interface PredictorsBenchRun {
  readonly method: string;
  readonly n: number;
  readonly seed: number;
  readonly tau: number;
  readonly rho: number;
  readonly fitSeconds: number;
}

/** Mean ± sample std of one method at one n. */
export interface PredictorsBenchSummary {
  readonly method: string;
  readonly n: number;
  readonly tauMean: number;
  readonly tauStd: number;
  readonly rhoMean: number;
  readonly rhoStd: number;
}

const DEFAULT_LABELS: JsonObject = { use: 'tabular', options: { dataset: 'cifar10', metric: 'test_acc', epochs: 200 } };
const POOL_ENUMERATE_LIMIT = 50_000;
const RIDGE_LAMBDA = 1;

function list(text: string | undefined, fallback: string, what: string): string[] {
  const items = (text ?? fallback)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new NasxError('usage', `--${what} is empty`, { fix: `give a comma-separated list, e.g. --${what} ${fallback}` });
  return items;
}

function sizesOf(text: string | undefined): number[] {
  const sizes = list(text, '25,50,100,200,424', 'sizes').map(Number);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1))
    throw new NasxError('usage', `--sizes must be positive integers, got "${text}"`, { fix: 'e.g. --sizes 25,50,100,200,424' });
  return [...new Set(sizes)].sort((a, b) => a - b);
}

type Kernel = ReturnType<typeof openKernel>;

/** The bench's config from the flags: --space, --labels and the predictors with default options. */
function configFromFlags(kernel: Kernel, io: CliIO, opts: PredictorsBenchOptions, predictorIds: readonly string[]) {
  const data: JsonObject = {
    name: 'predictors-bench',
    seed: opts.seed ?? 0,
    space: opts.space ?? 'nb201',
    estimator: opts.labels ? { use: opts.labels, options: {} } : DEFAULT_LABELS,
    estimators: Object.fromEntries(predictorIds.map((id) => [id, { use: id, options: {} }])),
    searcher: 'random',
    budget: { evaluations: 1 },
  };
  return kernel.loadConfigObject(data, { overrides: configOverrides(io, opts), file: '<nasx predictors bench options>' });
}

/**
 * The bench's config from a run config file (validated as `nasx run` would): its space, its
 * estimator as the labels, its seed and data directory; each predictor takes its options from the
 * file's `estimators.<id>` when the file has one (`use` must then be that id). Relative paths
 * resolve as in a run of that file.
 */
function configFromFile(kernel: Kernel, io: CliIO, opts: PredictorsBenchOptions, predictorIds: readonly string[]) {
  const file = path.resolve(io.cwd, opts.config!);
  for (const [flag, value] of [
    ['--space', opts.space],
    ['--labels', opts.labels],
  ] as const) {
    if (value !== undefined)
      throw new NasxError('usage', `${flag} and --config both give the bench's ${flag.slice(2)}`, {
        file,
        fix: `set it in the config file (${flag === '--space' ? 'space' : 'estimator'}: …), or drop --config`,
      });
  }
  const base = kernel.loadConfig(file, { overrides: configOverrides(io, opts), seed: opts.seed });
  const named = (base.data['estimators'] ?? {}) as JsonObject;
  const estimators: JsonObject = { ...named };
  for (const id of predictorIds) {
    const entry = named[id];
    const use = typeof entry === 'string' ? entry : entry && typeof entry === 'object' && !Array.isArray(entry) ? (entry as JsonObject)['use'] : undefined;
    if (entry !== undefined && use !== id) {
      throw new NasxError('usage', `the config's estimators.${id} uses "${String(use)}", not the predictor "${id}" that --predictors names`, {
        file,
        pointer: `/estimators/${id}`,
        fix: `name the entry after its predictor (estimators: { ${id}: { use: ${id}, options: … } }), or change --predictors`,
      });
    }
    if (entry === undefined) estimators[id] = { use: id, options: {} };
  }
  const data: JsonObject = { ...base.data, name: base.name, seed: base.seed, estimators, searcher: 'random', budget: { evaluations: 1 } };
  delete data['report'];
  delete data['objective'];
  return kernel.loadConfigObject(data, { file });
}

const mean = (x: readonly number[]): number => x.reduce((a, b) => a + b, 0) / x.length;
const std = (x: readonly number[]): number => (x.length > 1 ? Math.sqrt(x.reduce((a, b) => a + (b - mean(x)) ** 2, 0) / (x.length - 1)) : 0);

/**
 * `nasx predictors bench`: the predictor benchmark of NASLib's study (White et al., NeurIPS 2021)
 * for any space and any labelling estimator. Labels a pool of architectures, draws per seed nested
 * training sets and a held-out set with no isomorph of a training cell (`heldOutSplit`), fits each
 * predictor and the ridge / random baselines, and reports Kendall τ and Spearman ρ per size n.
 */
export async function predictorsCommand(io: CliIO, action: string, opts: PredictorsBenchOptions): Promise<number> {
  if (action !== 'bench') throw new NasxError('usage', `unknown action "predictors ${action}"`, { fix: 'use "nasx predictors bench" (the only action)' });
  const predictorIds = list(opts.predictors, 'gcn,renas', 'predictors');
  const sizes = sizesOf(opts.sizes);
  const seeds = opts.seeds ?? 3;
  const testSize = opts.test ?? 1000;
  if (seeds < 1) throw new NasxError('usage', '--seeds must be at least 1', { fix: 'e.g. --seeds 3' });
  if (testSize < 2) throw new NasxError('usage', '--test must be at least 2 (rank correlations need pairs)', { fix: 'e.g. --test 1000' });
  const outDir = path.resolve(io.cwd, opts.out ?? 'predictors-bench');
  const progress = (line: string): void => (opts.quiet ? undefined : io.err(line + '\n'));

  const kernel = openKernel(io.cwd);
  const config = opts.config === undefined ? configFromFlags(kernel, io, opts, predictorIds) : configFromFile(kernel, io, opts, predictorIds);
  kernel.assertHealthy(config);
  // Loaded here, not at the top: it brings TensorFlow.js, which the other commands do not need.
  const { RandomRankingBaseline, RidgeBaseline, archsOf, heldOutSplit, rankingQuality } = await import('@nasx/predictors');
  const log = createRunLogger();
  const composition = await composeRun(kernel.registry, config, {
    logger: { ...log.logger, warn: (m) => progress(`warning: ${m}`), error: (m) => progress(`error: ${m}`) },
  });
  try {
    const { space, estimator, estimators } = composition.parts;
    const predictors: [string, Predictor][] = predictorIds.map((id) => {
      const e = estimators[id];
      if (!e || !isPredictor(e)) {
        throw new NasxError('usage', `"${id}" is an estimator but not a predictor: it cannot be fitted on labelled architectures`, {
          pointer: `/estimators/${id}`,
          fix: 'give learned predictors in --predictors, e.g. gcn,renas',
        });
      }
      const small = sizes.find((n) => n < e.minTrainingSize);
      if (small !== undefined)
        throw new NasxError('usage', `training size ${small} is below ${id}'s minimum of ${e.minTrainingSize} labelled architectures`, {
          fix: `use --sizes of ${e.minTrainingSize} or more`,
        });
      return [id, e];
    });

    // 1. The labelled pool: every architecture of a small space, else distinct random samples.
    const started = performance.now();
    const limit = space.uniqueSize ?? space.size;
    const rng = createRng(config.seed);
    let archs: Architecture[];
    if (space.enumerate && (space.size ?? Infinity) <= POOL_ENUMERATE_LIMIT) archs = [...space.enumerate()];
    else {
      const want = Math.min((sizes[sizes.length - 1]! + testSize) * 2, limit ?? Infinity);
      const seen = new Set<string>();
      archs = [];
      for (let tries = 0; archs.length < want && tries < want * 20; tries++) {
        const a = space.sample(rng.fork('pool'));
        if (!seen.has(a.key)) {
          seen.add(a.key);
          archs.push(a);
        }
      }
    }
    const metric = estimator.metrics[0];
    const metricName = metric?.name ?? estimator.id;
    const sign = (metric?.direction ?? metricDirection(metricName) ?? 'maximize') === 'maximize' ? 1 : -1;
    const ctx = (label: string): EstimateContext => ({
      runId: 'predictors-bench',
      trial: 0,
      rng: rng.fork(label),
      signal: new AbortController().signal,
      logger: log.logger,
      emit: () => undefined,
    });
    const pool: LabelledArchitecture[] = [];
    const CHUNK = 1024;
    for (let i = 0; i < archs.length; i += CHUNK) {
      const chunk = archs.slice(i, i + CHUNK);
      const estimates = estimator.estimateMany
        ? await estimator.estimateMany(chunk, ctx('labels'))
        : await Promise.all(chunk.map((a, j) => estimator.estimate(a, { ...ctx(`label-${i + j}`), trial: i + j })));
      estimates.forEach((e, j) => {
        const v = e.metrics[metricName];
        if (typeof v === 'number' && Number.isFinite(v)) pool.push({ arch: chunk[j]!, value: sign * v });
      });
    }
    progress(
      `labelled ${pool.length} of ${archs.length} architectures of ${space.id} with ${estimator.id} (${metricName}) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    // 2. Per seed: nested training sets and a held-out set without isomorphs of training cells.
    const maxN = sizes[sizes.length - 1]!;
    const methods = [...predictorIds, 'ridge', 'random'];
    const runs: PredictorsBenchRun[] = [];
    for (let s = 0; s < seeds; s++) {
      const split = heldOutSplit(pool, { train: maxN, test: testSize }, createRng(1000 + s));
      if (split.train.length < maxN || split.test.length < testSize) {
        throw new NasxError(
          'usage',
          `the pool of ${pool.length} labelled architectures (${new Set(pool.map((d) => d.arch.key)).size} distinct keys) gives ${split.train.length} training and ${split.test.length} held-out architectures, fewer than --sizes ${maxN} and --test ${testSize}`,
          {
            fix: 'use smaller --sizes or --test',
          },
        );
      }
      const testArchs = archsOf(split.test);
      for (const n of sizes) {
        const train = split.train.slice(0, n);
        const work: WorkContext = {
          runId: 'predictors-bench',
          rng: createRng(s).fork(`fit-${n}`),
          signal: new AbortController().signal,
          logger: log.logger,
          emit: () => undefined,
        };
        const record = (method: string, scores: ArrayLike<number>, fitSeconds: number): void => {
          const q = rankingQuality(scores, split.test);
          runs.push({ method, n, seed: s, tau: q.kendallTau, rho: q.spearman, fitSeconds: +fitSeconds.toFixed(3) });
          progress(
            `seed ${s} n ${String(n).padStart(4)} ${method.padEnd(8)} τ ${q.kendallTau.toFixed(3)} ρ ${q.spearman.toFixed(3)} fit ${fitSeconds.toFixed(1)} s`,
          );
        };
        for (const [id, p] of predictors) {
          const t0 = performance.now();
          await p.fit(train, work);
          const fitS = (performance.now() - t0) / 1000;
          const est = p.estimateMany
            ? await p.estimateMany(testArchs, { ...work, trial: 0 })
            : await Promise.all(testArchs.map((a) => p.estimate(a, { ...work, trial: 0 })));
          const pm = p.metrics[0]!;
          const psign = (pm.direction ?? 'maximize') === 'maximize' ? 1 : -1;
          record(
            id,
            est.map((e) => psign * (e.metrics[pm.name] as number)),
            fitS,
          );
        }
        let t0 = performance.now();
        const ridge = new RidgeBaseline(space, { lambda: RIDGE_LAMBDA });
        ridge.fit(train);
        record('ridge', ridge.predict(testArchs), (performance.now() - t0) / 1000);
        t0 = performance.now();
        const random = new RandomRankingBaseline(s);
        random.fit();
        record('random', random.predict(testArchs), (performance.now() - t0) / 1000);
      }
    }

    // 3. Summary, files, table.
    const summary: PredictorsBenchSummary[] = [];
    for (const n of sizes) {
      for (const method of methods) {
        const rs = runs.filter((r) => r.n === n && r.method === method);
        const tau = rs.map((r) => r.tau);
        const rho = rs.map((r) => r.rho);
        summary.push({ method, n, tauMean: +mean(tau).toFixed(4), tauStd: +std(tau).toFixed(4), rhoMean: +mean(rho).toFixed(4), rhoStd: +std(rho).toFixed(4) });
      }
    }
    const setup = {
      space: space.id,
      labels: { estimator: estimator.id, metric: metricName, direction: sign > 0 ? 'maximize' : 'minimize', options: config.estimator.options },
      pool: pool.length,
      predictors: predictorIds,
      sizes,
      seeds,
      test: testSize,
      ridgeLambda: RIDGE_LAMBDA,
      options: Object.fromEntries(predictorIds.map((id) => [id, config.estimators[id]?.options ?? {}])),
      ...(opts.config ? { config: path.resolve(io.cwd, opts.config) } : {}),
    };
    const md = markdown(setup, methods, sizes, summary);
    fs.mkdirSync(outDir, { recursive: true });
    const files = ['predictors-bench.json', 'predictors-bench.md', 'predictors-bench.svg'].map((f) => path.join(outDir, f));
    fs.writeFileSync(
      files[0]!,
      JSON.stringify(
        {
          bench: 'predictors',
          date: new Date().toISOString(),
          setup,
          summary,
          runs: runs.map((r) => ({ ...r, tau: +r.tau.toFixed(4), rho: +r.rho.toFixed(4) })),
        },
        null,
        2,
      ) + '\n',
    );
    fs.writeFileSync(files[1]!, md);
    fs.writeFileSync(files[2]!, tauPlot(methods, sizes, summary, `Kendall τ on ${testSize} held-out ${space.id} architectures (${metricName})`));
    // The terminal gets the tables fitted to its width; the .md file keeps the Markdown.
    io.out(wrapText(terminalSummary(setup, methods, sizes, summary, outputWidth(io.env, io.outColumns)), outputWidth(io.env, io.outColumns)));
    progress(`wrote ${files.map((f) => (path.relative(io.cwd, f).startsWith('..') ? f : path.relative(io.cwd, f))).join(', ')}`);
    return EXIT.ok;
  } finally {
    await composition.dispose();
  }
}

interface Setup {
  readonly space: string;
  readonly labels: { readonly estimator: string; readonly metric: string };
  readonly pool: number;
  readonly seeds: number;
  readonly test: number;
}

function markdown(setup: Setup, methods: readonly string[], sizes: readonly number[], summary: readonly PredictorsBenchSummary[]): string {
  const cell = (n: number, m: string, key: 'tau' | 'rho'): string => {
    const s = summary.find((x) => x.n === n && x.method === m)!;
    return `${s[`${key}Mean`].toFixed(3)} ± ${s[`${key}Std`].toFixed(3)}`;
  };
  const table = (key: 'tau' | 'rho'): string =>
    [
      `| n | ${methods.join(' | ')} |`,
      `|---:|${methods.map(() => '---').join('|')}|`,
      ...sizes.map((n) => `| ${n} | ${methods.map((m) => cell(n, m, key)).join(' | ')} |`),
    ].join('\n');
  return `# Predictor benchmark: ${setup.space}, labels ${setup.labels.estimator} (${setup.labels.metric})

Pool of ${setup.pool} labelled architectures; per seed (${setup.seeds}) nested training sets of size n and ${setup.test} held-out architectures with no isomorph of a training one. Mean ± std over seeds.

## Kendall τ

${table('tau')}

## Spearman ρ

${table('rho')}
`;
}

/** The benchmark's two tables as plain text that fits `width` (methods' columns are cut last-resort). */
function terminalSummary(
  setup: Setup,
  methods: readonly string[],
  sizes: readonly number[],
  summary: readonly PredictorsBenchSummary[],
  width: number,
): string {
  const cell = (n: number, m: string, key: 'tau' | 'rho'): string => {
    const s = summary.find((x) => x.n === n && x.method === m)!;
    return `${s[`${key}Mean`].toFixed(3)} ± ${s[`${key}Std`].toFixed(3)}`;
  };
  const part = (title: string, key: 'tau' | 'rho'): string =>
    `${title}\n${textTable(
      ['n', ...methods],
      sizes.map((n) => [String(n), ...methods.map((m) => cell(n, m, key))]),
      { width, indent: 2 },
    )}`;
  return `predictor benchmark: ${setup.space}, labels ${setup.labels.estimator} (${setup.labels.metric}); pool ${setup.pool}, ${setup.seeds} seed(s), ${setup.test} held out; mean ± std over seeds

${part('Kendall τ', 'tau')}

${part('Spearman ρ', 'rho')}
`;
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#7f7f7f'];

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A hand-written SVG line plot of τ against n (log-scale x), one line per method, ±std whiskers. */
export function tauPlot(methods: readonly string[], sizes: readonly number[], summary: readonly PredictorsBenchSummary[], title: string): string {
  const W = 640;
  const H = 400;
  const L = 60;
  const R = 130;
  const T = 40;
  const B = 50;
  const lo = Math.log10(Math.min(...sizes));
  const hi = Math.log10(Math.max(...sizes));
  const x = (n: number): number => L + (hi > lo ? ((Math.log10(n) - lo) / (hi - lo)) * (W - L - R) : (W - L - R) / 2);
  const taus = summary.flatMap((s) => [s.tauMean - s.tauStd, s.tauMean + s.tauStd]).filter(Number.isFinite);
  const yMin = Math.min(0, Math.floor(Math.min(...taus) * 10) / 10);
  const yMax = Math.max(0.1, Math.ceil(Math.max(...taus) * 10) / 10);
  const y = (t: number): number => T + ((yMax - t) / (yMax - yMin)) * (H - T - B);
  const f = (v: number): string => v.toFixed(1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">training set size n (log scale)</text>`,
    `<text x="16" y="${(T + H - B) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(T + H - B) / 2})">Kendall τ</text>`,
  ];
  for (const n of sizes)
    parts.push(
      `<line x1="${f(x(n))}" y1="${H - B}" x2="${f(x(n))}" y2="${H - B + 5}" stroke="black"/><text x="${f(x(n))}" y="${H - B + 18}" text-anchor="middle">${n}</text>`,
    );
  for (let t = yMin; t <= yMax + 1e-9; t += 0.1) {
    parts.push(
      `<line x1="${L - 5}" y1="${f(y(t))}" x2="${W - R}" y2="${f(y(t))}" stroke="${Math.abs(t) < 1e-9 ? '#999' : '#eee'}"/><text x="${L - 8}" y="${f(y(t) + 4)}" text-anchor="end">${t.toFixed(1)}</text>`,
    );
  }
  methods.forEach((m, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = sizes.map((n) => summary.find((s) => s.n === n && s.method === m)!).filter((s) => Number.isFinite(s.tauMean));
    if (pts.length > 0)
      parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((s) => `${f(x(s.n))},${f(y(s.tauMean))}`).join(' ')}"/>`);
    for (const s of pts) {
      parts.push(`<circle cx="${f(x(s.n))}" cy="${f(y(s.tauMean))}" r="3" fill="${color}"/>`);
      if (s.tauStd > 0)
        parts.push(`<line x1="${f(x(s.n))}" y1="${f(y(s.tauMean - s.tauStd))}" x2="${f(x(s.n))}" y2="${f(y(s.tauMean + s.tauStd))}" stroke="${color}"/>`);
    }
    parts.push(
      `<line x1="${W - R + 15}" y1="${T + 10 + i * 18}" x2="${W - R + 35}" y2="${T + 10 + i * 18}" stroke="${color}" stroke-width="2"/><text x="${W - R + 40}" y="${T + 14 + i * 18}">${esc(m)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
