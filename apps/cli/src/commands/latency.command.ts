import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  NasxError,
  formatOperatorTable,
  isNasxError,
  type Architecture,
  type JsonObject,
  type LatencyDevice,
  type LatencyModelDefinition,
  type OperatorTableMeta,
} from '@nasx/contracts';
import type { Kernel } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { configOverrides, openKernel } from '../kernel-factory';
import { browserProfileCommand, checkBrowserProfileOptions, type BrowserProfileOptions } from './latency-browser.command';
import { num, outputWidth, table } from '../ui/format';

/** How `nasx latency predict` and `profile` name the space and the latency models: a config, or flags. */
export interface LatencySetup {
  /** A pipeline config: its space and its `latency:` entries. */
  readonly config?: string;
  readonly space?: string;
  /** A latency-model id (with `--device`, `--table`), instead of a config's entries. */
  readonly model?: string;
  readonly device?: string;
  readonly table?: string;
  /** `--input 3x32x32`: the space's `inputShape` option (network-level spaces). */
  readonly input?: readonly number[];
  /** The space's `numClasses` option. */
  readonly classes?: number;
  readonly set?: readonly string[];
  readonly dataDir?: string;
}

/** The space entry of a flag-built config: its id, with inputShape / numClasses where given. */
function spaceEntry(opts: LatencySetup, fallback: string): string | JsonObject {
  const id = opts.space ?? fallback;
  const options: JsonObject = {};
  if (opts.input) options['inputShape'] = [...opts.input];
  if (opts.classes !== undefined) options['numClasses'] = opts.classes;
  return Object.keys(options).length ? { use: id, options } : id;
}

/**
 * The config of a latency command: `--config` as given (with `--set`, `--data-dir`), or one built
 * from `--space` and `--model` / `--device` / `--table`. A config needs an estimator and a
 * searcher; the built one names the synthetic estimator and random search, which a latency
 * command never creates.
 */
function latencyConfig(io: CliIO, kernel: Kernel, opts: LatencySetup, what: { command: string; needsModel: boolean; space: string }) {
  const overrides = configOverrides(io, opts);
  if (opts.config) {
    const flags = (['space', 'model', 'device', 'table', 'input', 'classes'] as const).filter((k) => opts[k] !== undefined);
    if (flags.length) {
      throw new NasxError('usage', `${what.command}: --config gives the space and the latency models, so --${flags[0]} would be ignored`, {
        fix: 'choose one: --config <file> (edit its latency: entries to change a device), or --space / --model / --device without --config',
      });
    }
    return kernel.loadConfig(path.resolve(io.cwd, opts.config), { overrides });
  }
  const latency: JsonObject[] = [];
  if (opts.model) {
    const options: JsonObject = {};
    if (opts.device !== undefined) options['device'] = opts.device;
    if (opts.table !== undefined)
      options['table'] = path.isAbsolute(opts.table) || !fs.existsSync(path.resolve(io.cwd, opts.table)) ? opts.table : path.resolve(io.cwd, opts.table);
    latency.push({ use: opts.model, options });
  } else if (what.needsModel) {
    const ids = kernel.registry.contributions('latency-model').map((c) => c.id);
    throw new NasxError('usage', `${what.command}: which latency model? Give --model <id> (or --config <file> with latency: entries)`, {
      fix: `installed latency models: ${ids.join(', ') || '(none)'}; nasx latency devices lists their devices`,
    });
  } else if (opts.device !== undefined || opts.table !== undefined) {
    throw new NasxError('usage', `${what.command}: --${opts.device !== undefined ? 'device' : 'table'} belongs to a latency model, and none is given`, {
      fix: 'give --model <id> too',
    });
  }
  const data: JsonObject = {
    name: 'latency',
    space: spaceEntry(opts, what.space),
    estimator: 'synthetic',
    searcher: 'random',
    budget: { evaluations: 1 },
    latency,
  };
  return kernel.loadConfigObject(data, { overrides, file: `<${what.command} options>` });
}

// ---------------------------------------------------------------------------------------------
// nasx latency devices

/** One row of `nasx latency devices`. */
interface DeviceRow {
  readonly model: string;
  readonly package: string;
  readonly device: string;
  readonly options: JsonObject | null;
  readonly source: string;
}

/**
 * `nasx latency devices`: every installed latency model with the devices it can answer for here
 * (its `listDevices`, else the devices of a model created with default options), and the options
 * of a `latency:` entry that selects each.
 */
export async function latencyDevicesCommand(io: CliIO, opts: { dataDir?: string; space?: string; json?: boolean }): Promise<number> {
  const kernel = openKernel(io.cwd);
  const dataDir = opts.dataDir ? path.resolve(io.cwd, opts.dataDir) : io.env['NASX_DATA'] ? path.resolve(io.cwd, io.env['NASX_DATA']) : undefined;
  const rows: DeviceRow[] = [];
  for (const c of kernel.registry.contributions('latency-model').sort((a, b) => a.id.localeCompare(b.id))) {
    const pkg = `${c.plugin.name}@${c.plugin.version}`;
    const def = (await kernel.registry.activate(c)) as LatencyModelDefinition;
    let listed: readonly LatencyDevice[] | undefined;
    let problem: string | undefined;
    try {
      if (def.listDevices) {
        listed = await def.listDevices({ dataDir, configDir: io.cwd, logger: silentLogger, rng: undefined as never });
      } else {
        // No listing of its own: a model with default options says what it knows.
        const config = latencyConfig(
          io,
          kernel,
          { model: c.id, space: opts.space, dataDir: opts.dataDir },
          { command: 'nasx latency devices', needsModel: true, space: 'nb201' },
        );
        const made = await kernel.createLatencyModels(config);
        try {
          const model = made.latencies[0]!.model;
          listed = model.devices.map((device) => ({ device, options: { device }, source: model.provenance ?? '' }));
        } finally {
          await made.dispose();
        }
      }
    } catch (e) {
      if (!isNasxError(e)) throw e;
      problem = `${e.message}${e.fix ? ` (${e.fix})` : ''}`;
    }
    if (listed && listed.length) for (const d of listed) rows.push({ model: c.id, package: pkg, device: d.device, options: d.options, source: d.source });
    else
      rows.push({
        model: c.id,
        package: pkg,
        device: '',
        options: null,
        source: problem ?? `no device with the data at hand${dataDir ? '' : ' (no data directory: give --data-dir or set NASX_DATA)'}`,
      });
  }
  if (opts.json) {
    io.out(JSON.stringify({ dataDir: dataDir ?? null, devices: rows }, null, 2) + '\n');
    return EXIT.ok;
  }
  const models = new Set(rows.map((r) => r.model));
  io.out(
    `${rows.filter((r) => r.device).length} device(s) of ${models.size} latency model(s); data directory: ${dataDir ?? '(none: give --data-dir or set NASX_DATA)'}\n\n`,
  );
  io.out(
    table(
      ['model', 'device', 'options', 'source'],
      rows.map((r) => [
        r.model,
        r.device || '–',
        r.options
          ? Object.entries(r.options)
              .map(([k, v]) => `${k}: ${String(v)}`)
              .join(', ')
          : '',
        r.source,
      ]),
      { width: outputWidth(io.env, io.outColumns) },
    ) + '\n',
  );
  io.out('\nUse one in a config: latency: [{ use: <model>, options: <options> }], or nasx latency predict --model <model> --device <device>.\n');
  return EXIT.ok;
}

const silentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never;

// ---------------------------------------------------------------------------------------------
// nasx latency predict

/** Options of `nasx latency predict`. */
export interface LatencyPredictOptions extends LatencySetup {
  /** A file with one architecture per line. */
  readonly archs?: string;
  readonly json?: boolean;
}

/**
 * `nasx latency predict`: the latency (and energy, where the model knows it) of architectures given
 * in the space's text form, from every latency model of the config or the one of `--model`.
 */
export async function latencyPredictCommand(io: CliIO, inline: readonly string[], opts: LatencyPredictOptions): Promise<number> {
  const texts = [...inline];
  if (opts.archs) {
    const file = path.resolve(io.cwd, opts.archs);
    texts.push(
      ...fs
        .readFileSync(file, 'utf8')
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#')),
    );
  }
  if (texts.length === 0) {
    throw new NasxError('usage', 'nasx latency predict: no architectures', {
      fix: "give architectures in the space's text form as arguments, or --archs <file> (one per line)",
    });
  }
  const kernel = openKernel(io.cwd);
  const config = latencyConfig(io, kernel, opts, { command: 'nasx latency predict', needsModel: true, space: 'nb201' });
  if (config.latency.length === 0) {
    throw new NasxError('usage', `nasx latency predict: ${config.file ?? 'the config'} has no latency: entries`, {
      fix: 'add latency: [{ use: <model>, options: { device: <device> } }] to it, or give --model without --config',
    });
  }
  const made = await kernel.createLatencyModels(config);
  try {
    const archs: Architecture[] = texts.map((text, i) => {
      try {
        return made.space.parse(text);
      } catch (e) {
        if (isNasxError(e)) throw new NasxError(e.kind, `architecture ${i + 1} (${text.slice(0, 60)}): ${e.message}`, { ...e.where, fix: e.fix });
        throw e;
      }
    });
    const columns: { name: string; device: string; values: number[] }[] = [];
    for (const l of made.latencies) {
      const values = l.model.predictMany ? await l.model.predictMany(archs, l.device) : await Promise.all(archs.map((a) => l.model.predict(a, l.device)));
      columns.push({ name: l.metric, device: l.device, values });
      if (l.energyMetric && l.model.energy) {
        const energy = l.model.energy.bind(l.model);
        columns.push({ name: l.energyMetric, device: l.device, values: await Promise.all(archs.map((a) => energy(a, l.device))) });
      }
    }
    if (opts.json) {
      archs.forEach((a, i) => {
        const metrics = Object.fromEntries(columns.map((c) => [c.name, c.values[i]!]));
        const devices = Object.fromEntries(columns.map((c) => [c.name, c.device]));
        io.out(JSON.stringify({ arch: made.space.format(a), key: a.key, metrics, devices }) + '\n');
      });
      return EXIT.ok;
    }
    const header = columns.map((c) => (made.latencies.length > 1 ? c.name : `${c.name} (${c.device})`));
    io.out(
      table(
        [...header, 'architecture'],
        archs.map((a, i) => [...columns.map((c) => num(c.values[i])), made.space.format(a)]),
        { width: outputWidth(io.env, io.outColumns), elide: [columns.length] },
      ) + '\n',
    );
    return EXIT.ok;
  } finally {
    await made.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// nasx latency profile

/** Options of `nasx latency profile`. */
export interface LatencyProfileOptions extends LatencySetup, BrowserProfileOptions {
  readonly out?: string;
  readonly batch?: number;
  readonly repeats?: number;
  readonly warmup?: number;
  /** `median` (default) or `min` of the timed runs (min is steadier on a busy machine). */
  readonly statistic?: string;
  /** Backend to time on (default: NASX_BACKEND, else the fastest installed). */
  readonly backend?: string;
  readonly force?: boolean;
  readonly quiet?: boolean;
}

/**
 * `nasx latency profile`: times every operator of a network-level space (`space.operators()`) on
 * the local TensorFlow.js backend and writes nasx's operator table, which the `lut` latency model
 * then reads (`table: <file>`).
 */
export async function latencyProfileCommand(io: CliIO, opts: LatencyProfileOptions): Promise<number> {
  if (!opts.out) throw new NasxError('usage', 'nasx latency profile: where should the table go?', { fix: 'give -o <file>, e.g. -o local-wasm.csv' });
  const out = path.resolve(io.cwd, opts.out);
  if (fs.existsSync(out) && !opts.force) {
    throw new NasxError('usage', `nasx latency profile: ${out} exists`, { fix: 'choose another -o, or give --force to replace it' });
  }
  if (!fs.existsSync(path.dirname(out))) {
    throw new NasxError('usage', `nasx latency profile: the folder of ${out} does not exist`, { fix: 'create it first, or choose another -o' });
  }
  if (opts.model || opts.table) {
    throw new NasxError('usage', `nasx latency profile measures a table; --${opts.model ? 'model' : 'table'} names one to read`, {
      fix: 'leave it out (the table is written to -o, then serves as latency: [{ use: lut, options: { table: <file> } }])',
    });
  }
  if (opts.statistic !== undefined && opts.statistic !== 'median' && opts.statistic !== 'min') {
    throw new NasxError('usage', `nasx latency profile: --statistic "${opts.statistic}" is neither median nor min`, {
      fix: 'give --statistic median (the default) or --statistic min (steadier on a busy machine)',
    });
  }
  const statistic = (opts.statistic ?? 'median') as 'median' | 'min';
  await checkBrowserProfileOptions(io, opts);
  const kernel = openKernel(io.cwd);
  const config = latencyConfig(io, kernel, { ...opts, device: undefined }, { command: 'nasx latency profile', needsModel: false, space: 'mnas' });
  const made = await kernel.createSpaceAndTask(config);
  try {
    const space = made.space;
    if (!space.operators) {
      throw new NasxError(
        'usage',
        `nasx latency profile: space "${space.id}" cannot list its operators (its graphs are not network-level, so no operator table covers it)`,
        {
          contribution: space.id,
          fix: 'profile a network-level space, e.g. --space mnas; for NAS-Bench-201 cells use the table latency model',
        },
      );
    }
    const nodes = space.operators();
    if (opts.browser)
      return await browserProfileCommand(io, opts, { nodes, meta: { space: space.id, ...(opts.input ? { input: opts.input.join('x') } : {}) } });
    const tensor = await import('@nasx/tensor');
    const backends = tensor.TENSOR_BACKENDS as readonly string[];
    if (opts.backend !== undefined && opts.backend !== 'auto' && !backends.includes(opts.backend)) {
      throw new NasxError('usage', `nasx latency profile: unknown backend "${opts.backend}"`, { fix: `give one of auto, ${backends.join(', ')}` });
    }
    const info = await tensor.initTensorBackend(opts.backend as never);
    const device = opts.device ?? `local-${info.tfBackend}`;
    const started = Date.now();
    const total = new Set(nodes.filter((n) => n.op !== 'input' && n.op !== 'output').map((n) => JSON.stringify([n.op, n.attrs]))).size;
    if (!opts.quiet) io.err(`profiling ${total} operator(s) of ${space.id} on ${info.name} (batch ${opts.batch ?? 1}, ${statistic} of ${opts.repeats ?? 5})\n`);
    const width = String(total).length;
    const result = await tensor.profileOperators(nodes, {
      batch: opts.batch,
      repeats: opts.repeats,
      warmup: opts.warmup,
      statistic,
      onProgress: opts.quiet ? undefined : (p) => io.err(`  ${String(p.done).padStart(width)}/${p.total}  ${num(p.ms).padStart(8)} ms  ${p.key}\n`),
    });
    const meta: OperatorTableMeta = {
      device,
      backend: result.backend,
      batch: opts.batch ?? 1,
      space: space.id,
      ...(opts.input ? { input: opts.input.join('x') } : {}),
      repeats: opts.repeats ?? 5,
      warmup: opts.warmup ?? 2,
      statistic,
      measured: new Date().toISOString(),
    };
    fs.writeFileSync(out, formatOperatorTable(meta, result.rows));
    const seconds = (Date.now() - started) / 1000;
    if (!opts.quiet) {
      io.err(`wrote ${result.rows.length} operator(s) to ${out} in ${num(seconds)} s (device ${device}, ${result.backend})\n`);
      io.err(`use it: latency: [{ use: lut, options: { table: ${JSON.stringify(out)} } }]\n`);
    }
    return EXIT.ok;
  } finally {
    await made.dispose();
  }
}
