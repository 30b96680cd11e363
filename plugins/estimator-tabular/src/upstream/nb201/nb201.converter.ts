import * as fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { NasxError } from '@nasx/contracts';
import { nb201CodeOfArchStr, nb201OpsOfCode } from '../../tabular/nb201.table';
import { PyDict } from '@nasx/data';
import { loadTorchFile } from '../torch/torch-file.reader';
import { natsUniqueStr } from './nats-unique-str';

/**
 * NAS-Bench-201 v1.1 (`NAS-Bench-201-v1_1-096897.pth`) → the tables the tabular estimator reads.
 *
 * The file is `torch.save` of `{ meta_archs, arch2infos: { index: { less, full } }, evaluated_indexes }`,
 * where `less` / `full` are `ArchResults.state_dict()` of the 12- and 200-epoch schedules, and
 * `all_results[(dataset, seed)]` a `ResultsCount` state dict (D-X-Y/NAS-Bench-201,
 * nas_201_api/api_utils.py). Each value is what the official API returns with
 * `is_random=False`: `ArchResults.get_metrics(dataset, set)` takes the accuracy
 * `eval_acc1es['<set>@<epochs-1>']` of each seed in `dataset_seed[dataset]` and returns
 * `np.mean` of them, a left-to-right sum divided by the count for so few seeds;
 * `get_compute_costs(dataset)['params']` is the mean of `params`. `get_more_info(i, dataset)`
 * reads the test accuracy from set `ori-test` for `cifar10` and `x-test` for the others, and the
 * validation accuracy from `x-valid`. Where a setting or a seed's record lacks the value (the API
 * would raise), the table cell is left empty.
 */

/** Training settings of the benchmark (`dataset_seed` keys). */
type Setting = 'cifar10-valid' | 'cifar10' | 'cifar100' | 'ImageNet16-120';
type EvalSet = 'ori-test' | 'x-valid' | 'x-test';
const EVAL_SETS: readonly EvalSet[] = ['ori-test', 'x-valid', 'x-test'];

/** What the converter keeps of one trial (a ResultsCount): the accuracies at its last epoch. */
class Trial {
  constructor(
    readonly params: number,
    readonly lastAcc: ReadonlyMap<EvalSet, number>,
  ) {}
}

/** What it keeps of one ArchResults: the mean over seeds of each (setting, set), and of params. */
const SETTINGS: readonly Setting[] = ['cifar10-valid', 'cifar10', 'cifar100', 'ImageNet16-120'];

/**
 * What it keeps of one ArchResults: the mean over seeds of each (setting, set) and of params, in
 * one small Float64Array (NaN = no value), since 31,250 of them stay until the tables are written.
 */
class ArchSummary {
  /** Slot `s * 3 + e` holds setting `s`, set `e`; slot `12 + s` the params of setting `s`. */
  readonly values = new Float64Array(SETTINGS.length * (EVAL_SETS.length + 1)).fill(NaN);
  private static slot(setting: Setting, set: EvalSet): number {
    return SETTINGS.indexOf(setting) * EVAL_SETS.length + EVAL_SETS.indexOf(set);
  }
  setMean(setting: Setting, set: EvalSet, v: number): void {
    this.values[ArchSummary.slot(setting, set)] = v;
  }
  setParams(setting: Setting, v: number): void {
    this.values[SETTINGS.length * EVAL_SETS.length + SETTINGS.indexOf(setting)] = v;
  }
  mean(setting: Setting, set: EvalSet): number | undefined {
    const v = this.values[ArchSummary.slot(setting, set)]!;
    return Number.isNaN(v) ? undefined : v;
  }
  params(setting: Setting): number | undefined {
    const v = this.values[SETTINGS.length * EVAL_SETS.length + SETTINGS.indexOf(setting)]!;
    return Number.isNaN(v) ? undefined : v;
  }
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined;
}

/** `np.mean` of a short list of float64s: numpy sums fewer than 8 values left to right. */
function mean(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

/** An `arch2infos` entry: the two schedules of one architecture. */
class ArchEntry {
  constructor(
    readonly less: ArchSummary | undefined,
    readonly full: ArchSummary | undefined,
  ) {}
}

/** The pickle reader's hook: trials and architectures shrink to the few numbers the tables need. */
export function reduceNb201(d: PyDict): unknown {
  if ((d.has('less') || d.has('full')) && d.size <= 4) {
    const less = d.get('less');
    const full = d.get('full');
    if (less instanceof ArchSummary || full instanceof ArchSummary) {
      return new ArchEntry(less instanceof ArchSummary ? less : undefined, full instanceof ArchSummary ? full : undefined);
    }
  }
  if (d.has('eval_acc1es') && d.has('epochs')) {
    const epochs = num(d.get('epochs'));
    const accs = d.get('eval_acc1es');
    const lastAcc = new Map<EvalSet, number>();
    if (epochs !== undefined && accs instanceof PyDict) {
      for (const set of EVAL_SETS) {
        const v = num(accs.get(`${set}@${epochs - 1}`));
        if (v !== undefined) lastAcc.set(set, v);
      }
    }
    return new Trial(num(d.get('params')) ?? NaN, lastAcc);
  }
  if (d.has('all_results') && d.has('dataset_seed')) {
    const results = d.get('all_results');
    const seedsOf = d.get('dataset_seed');
    const summary = new ArchSummary();
    if (results instanceof PyDict && seedsOf instanceof PyDict) {
      // Tuple keys are frozen arrays (identity), so index the trials by "setting|seed".
      const bySeed = new Map<string, Trial>();
      for (const [k, v] of results) if (Array.isArray(k) && v instanceof Trial) bySeed.set(`${String(k[0])}|${String(k[1])}`, v);
      for (const [setting, seeds] of seedsOf) {
        if (!Array.isArray(seeds) || seeds.length === 0) continue;
        const trials = seeds.map((s) => bySeed.get(`${String(setting)}|${String(s)}`));
        if (trials.some((t) => t === undefined)) continue;
        const ts = trials as Trial[];
        if (!SETTINGS.includes(setting as Setting)) continue;
        summary.setParams(setting as Setting, mean(ts.map((t) => t.params)));
        for (const set of EVAL_SETS) {
          const vs = ts.map((t) => t.lastAcc.get(set));
          if (vs.every((v) => v !== undefined)) summary.setMean(setting as Setting, set, mean(vs as number[]));
        }
      }
    }
    return summary;
  }
  return d;
}

/** One table: its columns, and each value column's source in an architecture's summaries. */
interface TableSpec {
  readonly columns: readonly string[];
  readonly row: (index: number, archStr: string, less?: ArchSummary, full?: ArchSummary) => readonly (string | number | undefined)[];
}

function uniqueStrOf(archStr: string): string | undefined {
  const code = nb201CodeOfArchStr(archStr);
  return code < 0 ? undefined : natsUniqueStr(nb201OpsOfCode(code));
}

/** The produced tables, by file name (see the package README for the mapping). */
export const NB201_TABLES: { readonly [file: string]: TableSpec } = {
  'nb201_test_acc_200ep_nats.csv.gz': {
    columns: ['index', 'arch_str', 'cifar10_test_acc', 'cifar100_test_acc', 'imagenet16_120_test_acc', 'nats_unique_str'],
    row: (i, s, _less, full) => [
      i,
      s,
      full?.mean('cifar10', 'ori-test'),
      full?.mean('cifar100', 'x-test'),
      full?.mean('ImageNet16-120', 'x-test'),
      uniqueStrOf(s),
    ],
  },
  'nb201_acc_12ep_minibench.csv.gz': {
    columns: [
      'index',
      'arch_str',
      'cifar10_test_acc',
      'cifar10_valid_val_acc',
      'cifar100_test_acc',
      'cifar100_val_acc',
      'imagenet16_120_test_acc',
      'imagenet16_120_val_acc',
    ],
    row: (i, s, less) => [
      i,
      s,
      less?.mean('cifar10', 'ori-test'),
      less?.mean('cifar10-valid', 'x-valid'),
      less?.mean('cifar100', 'x-test'),
      less?.mean('cifar100', 'x-valid'),
      less?.mean('ImageNet16-120', 'x-test'),
      less?.mean('ImageNet16-120', 'x-valid'),
    ],
  },
  'nb201_cifar10_naswot.csv.gz': {
    columns: ['index', 'arch_str', 'params_mb', 'naswot_v1_score', 'cifar10_test_acc', 'cifar10_valid_val_acc', 'cifar10_valid_test_acc'],
    row: (i, s, _less, full) => [
      i,
      s,
      full?.params('cifar10-valid'),
      undefined, // the NASWOT score is not in the benchmark file
      full?.mean('cifar10', 'ori-test'),
      full?.mean('cifar10-valid', 'x-valid'),
      full?.mean('cifar10-valid', 'ori-test'),
    ],
  },
};

/** A CSV field: numbers in shortest round-trip form (read back bit for bit), empty when missing. */
function field(v: string | number | undefined): string {
  if (v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

async function writeGzipCsv(file: string, spec: TableSpec, rows: Iterable<readonly (string | number | undefined)[]>, signal: AbortSignal): Promise<void> {
  function* lines(): Generator<string> {
    yield spec.columns.join(',') + '\n';
    let batch = '';
    for (const r of rows) {
      batch += r.map(field).join(',') + '\n';
      if (batch.length > 1 << 16) {
        yield batch;
        batch = '';
      }
    }
    if (batch) yield batch;
  }
  await pipeline(Readable.from(lines()), zlib.createGzip({ level: 9 }), fs.createWriteStream(file), { signal });
}

function badFile(file: string, what: string): NasxError {
  return new NasxError('data', `${file} is not a NAS-Bench-201 benchmark file: ${what}`, {
    file,
    fix: 'fetch NAS-Bench-201-v1_1-096897.pth again (nasx data fetch nb201 --force), or point --from at an intact copy',
  });
}

/** Converts the benchmark file into the tables, `outputs[file name]` being where each is written. */
export async function convertNb201(
  input: string,
  outputs: { readonly [file: string]: string },
  ctx: { readonly signal: AbortSignal; progress(done: number, total: number | undefined, label: string): void },
): Promise<{ archs: number }> {
  ctx.signal.throwIfAborted();
  const total = fs.statSync(input).size;
  const { object } = await loadTorchFile(input, {
    reduce: reduceNb201,
    signal: ctx.signal,
    onOffset: (o) => ctx.progress(o, total, 'reading the benchmark file'),
  });
  if (!(object instanceof PyDict)) throw badFile(input, 'the object it holds is not a dict');
  const meta = object.get('meta_archs');
  const infos = object.get('arch2infos');
  if (!Array.isArray(meta) || !(infos instanceof PyDict)) throw badFile(input, 'no "meta_archs" list or "arch2infos" dict');
  const archStrs = meta.map(String);
  const summaries = (i: number): { less?: ArchSummary; full?: ArchSummary } => {
    const e = infos.get(i);
    return e instanceof ArchEntry ? { less: e.less, full: e.full } : {};
  };
  let found = 0;
  for (let i = 0; i < archStrs.length; i++) if (infos.has(i)) found++;
  if (found === 0) throw badFile(input, `"arch2infos" has none of the ${archStrs.length} architectures of "meta_archs"`);
  ctx.progress(total, total, 'writing the tables');
  for (const [file, spec] of Object.entries(NB201_TABLES)) {
    const out = outputs[file];
    if (!out) continue;
    const rows = function* (): Generator<readonly (string | number | undefined)[]> {
      for (let i = 0; i < archStrs.length; i++) {
        const { less, full } = summaries(i);
        yield spec.row(i, archStrs[i]!, less, full);
      }
    };
    await writeGzipCsv(out, spec, rows(), ctx.signal);
  }
  return { archs: archStrs.length };
}
