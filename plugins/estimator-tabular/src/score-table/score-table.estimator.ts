import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  NasxError,
  defineEstimator,
  isNasxError,
  metricDirection,
  withSchemaDefaults,
  type Architecture,
  type Direction,
  type ErrorLocation,
  type Estimator,
  type SearchSpace,
} from '@nasx/contracts';
import { parseCsv } from '@nasx/data';
import { scoreTableSchema, type ScoreTableOptions } from './score-table.schema';

export type { ScoreTableOptions } from './score-table.schema';

const PKG = '@nasx/estimator-tabular';
const ID = 'score-table';

function scoreTableError(kind: NasxError['kind'], message: string, where: ErrorLocation & { fix?: string } = {}): NasxError {
  return new NasxError(kind, message, { pkg: PKG, contribution: ID, ...where });
}

/** The file formats a score table is read from. */
export type ScoreFileFormat = 'nasx-csv' | 'nasx-jsonl' | 'naslib-zc' | 'fewshot-nas';

/** NASLib's spelling of the datasets in its zero-cost tables, by our option value. */
const NASLIB_DATASETS: { readonly [dataset: string]: string } = { cifar10: 'cifar10', cifar100: 'cifar100', 'imagenet16-120': 'ImageNet16-120' };
/** Columns of NASLib's NB201 zero-cost table that are not proxies. */
const NASLIB_META = new Set(['dataset', 'naslib_op_indices', 'arch_str', 'nb201_index', 'naslib_sample_idx', 'val_accuracy']);
/**
 * Columns of the few-shot NAS authors' released NB201 supernet estimates (Zhao et al., ICML 2021;
 * `supernet-estimates-nb201/`) that are not estimates.
 */
const FEWSHOT_META = new Set(['index', 'arch_str']);
/** Columns of a `nasx score` CSV that are not metrics. */
const NASX_META = new Set(['arch', 'seconds']);

/** One score file read for one space, metric and dataset. */
export interface ScoreTable {
  /** Absolute path of the file. */
  readonly file: string;
  readonly format: ScoreFileFormat;
  /** Column served. */
  readonly metric: string;
  /** Value by cell (the space's text form): NaN when the file's field is empty. */
  readonly values: ReadonlyMap<string, number>;
  /**
   * Value by architecture key, the first row with a value of each: a cell the file lacks is served
   * the score of an isomorphic cell it holds (the same network, where the space can tell).
   */
  readonly byKey: ReadonlyMap<string, number>;
  /** Line of the file each cell was read from (1-based, the header is line 1). */
  readonly lines: ReadonlyMap<string, number>;
  /** The file's architectures with a value (±Infinity included, empty left out), in file order (first of each key). */
  readonly archs: readonly Architecture[];
}

/** Path of the score file: absolute, else the first that exists of config folder / data directory. */
export function resolveScoreFile(file: string, configDir: string | undefined, dataDir: string | undefined): string {
  if (path.isAbsolute(file)) {
    if (!fs.existsSync(file)) throw notFound(file, [file]);
    return file;
  }
  const tried = [path.resolve(configDir ?? process.cwd(), file), ...(dataDir !== undefined ? [path.resolve(dataDir, file)] : [])];
  const hit = tried.find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
  if (hit === undefined) throw notFound(file, tried);
  return hit;
}

function notFound(file: string, tried: readonly string[]): NasxError {
  return scoreTableError('config', `score file "${file}" not found (looked for ${tried.join(' and ')})`, {
    pointer: '/options/file',
    fix: 'give a path relative to the config file or to the data directory (--data-dir / NASX_DATA), or make the file with nasx score -o <file>',
  });
}

function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return zlib.gunzipSync(bytes).toString('utf8');
    } catch {
      throw scoreTableError('data', `${file} is a damaged gzip file`, { file, fix: 'replace it with an intact copy, or score again with nasx score' });
    }
  }
  return bytes.toString('utf8');
}

/** The format of a score file, from its name (`.jsonl`, `.json`) or its CSV header. */
function formatOf(file: string, header: readonly string[]): ScoreFileFormat {
  if (/\.jsonl?(\.gz)?$/i.test(file)) return 'nasx-jsonl';
  if (header[0] === 'arch' && header[1] === 'score') return 'nasx-csv';
  if (header.includes('naslib_op_indices') && header.includes('arch_str') && header.includes('dataset')) return 'naslib-zc';
  if (header.includes('arch_str') && header.includes('oneshot_estimate') && header.includes('fewshot_estimate')) return 'fewshot-nas';
  throw scoreTableError(
    'data',
    `${file} is neither a nasx score file (header "arch,score,seconds,…"), NASLib's NAS-Bench-201 zero-cost table, nor the few-shot NAS supernet estimates; its header: ${header.join(',')}`,
    {
      file,
      line: 1,
      fix: 'give a file written by nasx score -o (CSV or JSON lines), nas-bench-suite-zero/zc_nasbench201.csv.gz or supernet-estimates-nb201/nb201_fewshot_nas_supernet_estimates.csv.gz',
    },
  );
}

/** A value field: a number, ±inf / ±Infinity (a proxy's failure value, ranked last or first), or empty / nan (no value). */
function numberOf(text: string, file: string, line: number, column: string): number {
  const t = text.trim().toLowerCase();
  if (t === '' || t === 'nan') return NaN;
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  const v = Number(t);
  if (Number.isNaN(v)) {
    throw scoreTableError('data', `${file}:${line}: column "${column}" holds "${text}", not a number`, {
      file,
      line,
      fix: 'repair that line, or score the file again with nasx score',
    });
  }
  return v;
}

/** Parses a cell with the run's space; the first row's failure means the file is of another space. */
function parseArch(space: SearchSpace, text: string, file: string, line: number, first: boolean): Architecture {
  try {
    return space.parse(text);
  } catch (e) {
    const why = isNasxError(e) || e instanceof Error ? e.message : String(e);
    if (first) {
      throw scoreTableError(
        'config',
        `${file} was not scored in search space "${space.id}": its first cell "${text}" (line ${line}) is not one of its architectures (${why})`,
        {
          file,
          line,
          pointer: '/options/file',
          fix: `use a score file of the ${space.id} space (nasx score --space ${space.id} … -o <file>), or run in the space the file was scored in`,
        },
      );
    }
    throw scoreTableError('data', `${file}:${line}: "${text}" is not a ${space.id} architecture (${why})`, {
      file,
      line,
      fix: 'repair or delete that line, or score the file again with nasx score',
    });
  }
}

function unknownMetric(file: string, metric: string, columns: readonly string[], format: ScoreFileFormat): NasxError {
  return scoreTableError('config', `${file} has no column "${metric}"`, {
    file,
    pointer: '/options/metric',
    fix: `set metric to one of its ${format === 'naslib-zc' ? 'proxy ' : ''}columns: ${columns.join(', ')}`,
  });
}

/**
 * Reads a score file for `space`: a `nasx score` CSV or JSON lines output, or NASLib's NB201
 * zero-cost table (rows of one dataset). Values are keyed by cell (the first row of a cell wins),
 * and by architecture key for isomorphic cells the file lacks.
 */
export function readScoreTable(file: string, space: SearchSpace, options: { readonly metric: string; readonly dataset?: string }): ScoreTable {
  const text = readText(file);
  const firstLine = text.slice(0, Math.max(0, text.indexOf('\n')) || text.length).replace(/\r$/, '');
  const header = /\.jsonl?(\.gz)?$/i.test(file) ? [] : firstLine.replace(/^\ufeff/, '').split(',');
  const format = formatOf(file, header);
  const values = new Map<string, number>();
  const lines = new Map<string, number>();
  const archs: Architecture[] = [];
  const byKey = new Map<string, number>();
  const add = (a: Architecture, v: number, line: number): void => {
    const cell = space.format(a);
    if (values.has(cell)) return;
    values.set(cell, v);
    lines.set(cell, line);
    if (!Number.isNaN(v)) {
      archs.push(a);
      if (!byKey.has(a.key)) byKey.set(a.key, v);
    }
  };
  if (format !== 'naslib-zc' && options.dataset !== undefined) {
    throw scoreTableError('config', `${file} holds the scores of one task; the dataset option is for NASLib's zero-cost table`, {
      file,
      pointer: '/options/dataset',
      fix: 'remove dataset (score each dataset into its own file with nasx score --task)',
    });
  }
  if (format === 'nasx-jsonl') {
    const rows = text.split('\n');
    let first = true;
    for (const [i, raw] of rows.entries()) {
      if (raw.trim() === '') continue;
      const line = i + 1;
      let row: { arch?: unknown; space?: unknown; score?: unknown; metrics?: { [k: string]: unknown } };
      try {
        row = JSON.parse(raw) as typeof row;
      } catch {
        throw scoreTableError('data', `${file}:${line} is not valid JSON`, {
          file,
          line,
          fix: 'repair or delete that line, or score the file again with nasx score',
        });
      }
      if (typeof row.arch !== 'string') {
        throw scoreTableError('data', `${file}:${line} has no "arch" text; is it a nasx score output?`, {
          file,
          line,
          fix: 'give a file written by nasx score -o <file>.jsonl',
        });
      }
      if (first && typeof row.space === 'string' && row.space !== space.id) {
        throw scoreTableError('config', `${file} was scored in search space "${row.space}", but the run's space is "${space.id}"`, {
          file,
          line,
          pointer: '/options/file',
          fix: `use a score file of the ${space.id} space, or run in the ${row.space} space`,
        });
      }
      const v = options.metric === 'score' ? row.score : row.metrics?.[options.metric];
      if (v === undefined && first) {
        throw unknownMetric(file, options.metric, ['score', ...Object.keys(row.metrics ?? {})], format);
      }
      add(parseArch(space, row.arch, file, line, first), typeof v === 'number' ? v : NaN, line);
      first = false;
    }
  } else {
    const archColumn = format === 'nasx-csv' ? 'arch' : 'arch_str';
    const meta = format === 'naslib-zc' ? NASLIB_META : format === 'fewshot-nas' ? FEWSHOT_META : NASX_META;
    const candidates = header.filter((c) => !meta.has(c));
    if (!header.includes(options.metric) || meta.has(options.metric) || options.metric === archColumn) {
      throw unknownMetric(file, options.metric, candidates, format);
    }
    let wanted: string | undefined;
    if (format === 'fewshot-nas' && space.id !== 'nb201') {
      throw scoreTableError('config', `${file} holds the few-shot NAS authors' NAS-Bench-201 supernet estimates, but the run's space is "${space.id}"`, {
        file,
        pointer: '/options/file',
        fix: 'use it with space: nb201',
      });
    }
    if (format === 'naslib-zc') {
      if (space.id !== 'nb201') {
        throw scoreTableError('config', `${file} is NASLib's NAS-Bench-201 zero-cost table, but the run's space is "${space.id}"`, {
          file,
          pointer: '/options/file',
          fix: 'use it with space: nb201, or give a score file of your space (nasx score -o <file>)',
        });
      }
      if (options.dataset === undefined) {
        throw scoreTableError('config', `${file} holds NASLib's scores of three datasets; the dataset option says which to serve`, {
          file,
          pointer: '/options/dataset',
          fix: `set dataset to one of ${Object.keys(NASLIB_DATASETS).join(', ')}`,
        });
      }
      wanted = NASLIB_DATASETS[options.dataset];
    }
    // Values as text: NASLib writes a failed NASWOT score as "-inf", a nasx CSV as "-Infinity".
    const csv = parseCsv(text, file, { [archColumn]: 'string', [options.metric]: 'string', ...(format === 'naslib-zc' ? { dataset: 'string' } : {}) });
    const archText = csv.strings.get(archColumn)!;
    const valueText = csv.strings.get(options.metric)!;
    const dataset = csv.strings.get('dataset');
    let first = true;
    for (let r = 0; r < csv.rows; r++) {
      if (dataset && dataset[r] !== wanted) continue;
      add(parseArch(space, archText[r]!, file, r + 2, first), numberOf(valueText[r]!, file, r + 2, options.metric), r + 2);
      first = false;
    }
  }
  if (values.size === 0) {
    throw scoreTableError('data', `${file} holds no scores${options.dataset ? ` for dataset ${options.dataset}` : ''}`, {
      file,
      fix: 'give a score file with at least one row',
    });
  }
  return { file, format, metric: options.metric, values, lines, archs, byKey };
}

/** Parsed tables by file, stamp, space, metric and dataset: a bench of many runs reads each file once. */
const cache = new Map<string, ScoreTable>();

function cachedTable(file: string, space: SearchSpace, metric: string, dataset: string | undefined): ScoreTable {
  const st = fs.statSync(file);
  const id = JSON.stringify([file, st.mtimeMs, st.size, space.id, metric, dataset]);
  let t = cache.get(id);
  if (!t) {
    t = readScoreTable(file, space, { metric, dataset });
    if (cache.size >= 16) cache.delete(cache.keys().next().value as string);
    cache.set(id, t);
  }
  return t;
}

/** The estimator instance: the contract plus the table behind it. */
export interface ScoreTableEstimator extends Estimator {
  readonly table: ScoreTable;
  domain(): readonly Architecture[];
}

/**
 * A score file as an estimator: any `nasx score` output, or NASLib's zero-cost table of
 * NAS-Bench-201 (Krishnakumar et al., NAS-Bench-Suite-Zero, NeurIPS 2022), served as a proxy. Scores
 * computed once (`nasx score --all`, hours on wasm for NB201's 15,625 cells) are then free in every
 * later run: AREA's ranking, predictor labels, reports. Estimates cost 0 s.
 */
export const scoreTableEstimator = defineEstimator<ScoreTableOptions>({
  id: ID,
  title: 'Score table (a nasx score file or NASLib zero-cost table as a proxy)',
  description:
    'Serves a nasx score output file, or NASLib’s NAS-Bench-201 zero-cost table, as an estimator: a lookup per architecture, an error for a cell the file lacks.',
  optionsSchema: scoreTableSchema,
  create(rawOptions, deps): ScoreTableEstimator {
    const o = withSchemaDefaults<ScoreTableOptions>(scoreTableSchema, rawOptions);
    const file = resolveScoreFile(o.file, deps.configDir, deps.dataDir);
    const table = cachedTable(file, deps.space, o.metric, o.dataset);
    const direction: Direction = o.direction ?? metricDirection(o.metric) ?? 'maximize';
    const metric = o.metric;
    return {
      id: ID,
      metrics: [{ name: metric, direction, description: `${metric} read from ${path.basename(file)}` }],
      tabulated: true,
      table,
      domain: () => table.archs,
      async estimate(arch) {
        if (arch.space !== deps.space.id) {
          throw scoreTableError(
            'architecture',
            `architecture "${arch.key}" is from search space "${arch.space}", but this score table holds ${deps.space.id} cells`,
            {
              file,
              fix: `score ${arch.space} architectures with a score file of that space`,
            },
          );
        }
        const cell = deps.space.format(arch);
        const exact = table.values.get(cell);
        const v = exact !== undefined && !Number.isNaN(exact) ? exact : (table.byKey.get(arch.key) ?? exact);
        if (v === undefined) {
          throw scoreTableError('data', `cell ${cell} is not in the score file ${file} (${table.values.size} cells)`, {
            file,
            fix: `score it into the file (nasx score --space ${deps.space.id} … --all -o <file> scores every cell), or let the searcher draw only the file's cells (AREA: samplesFrom: proxy)`,
          });
        }
        // ±Infinity (NASLib's "-inf": a NASWOT kernel that is singular) is served as it is.
        if (Number.isNaN(v)) {
          throw scoreTableError('data', `cell ${cell} has no ${metric} value in ${file} (line ${table.lines.get(cell)} is empty there)`, {
            file,
            line: table.lines.get(cell),
            fix: 'score that cell again, or use another metric column',
          });
        }
        return { metrics: { [metric]: v }, cost: { seconds: 0 } };
      },
    };
  },
});
