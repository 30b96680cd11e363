import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

/**
 * The workspace's reference data (NAS-Bench tables, data samples) for tests: `NASX_TEST_DATA`, or
 * the `shared/data` folder beside the repository. `undefined` when absent (a user's clone).
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env['NASX_TEST_DATA'], path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data')];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return undefined;
}

/**
 * `describe` that runs only when the reference data (and the given sub-folder) exists; otherwise it
 * registers one skipped test whose name says why, so the skip is visible in the report (and not
 * counted as a pass).
 */
export function describeWithSharedData(name: string, subdir: string, body: (dataDir: string) => void): void {
  const dir = sharedDataDir();
  const present = dir !== undefined && fs.existsSync(path.join(dir, subdir));
  if (present) {
    describe(name, () => body(dir));
  } else {
    describe(name, () => {
      it.skip(`needs the reference data folder shared/data/${subdir} beside the repository (or NASX_TEST_DATA); absent here, so these checks did not run`, () =>
        undefined);
    });
  }
}

/**
 * Rows of a reference-data CSV, gzipped if its name ends in `.gz`, as objects keyed by the header.
 * For the shared data's files, which have no quoted fields.
 */
export function readCsvFile(file: string): Record<string, string>[] {
  const raw = fs.readFileSync(file);
  const lines = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8').trimEnd().split('\n');
  const header = lines[0]!.split(',');
  return lines.slice(1).map((line) => {
    const cells = line.split(',');
    return Object.fromEntries(header.map((h, i) => [h, cells[i] ?? '']));
  });
}

/**
 * Labelled architectures from a reference-data CSV: `parse` turns the `arch` column into an
 * architecture, the `value` column is the label (e.g. NB201's `arch_str` and `cifar10_test_acc`).
 */
export function readLabelledArchitectures<A>(
  file: string,
  parse: (text: string) => A,
  columns: { readonly arch: string; readonly value: string },
): { arch: A; value: number }[] {
  return readCsvFile(file).map((r) => ({ arch: parse(r[columns.arch]!), value: Number(r[columns.value]) }));
}

/** A labelled reference table of the shared data: its file (relative to the data folder) and columns. */
export interface LabelledTable {
  /** Sub-folder of the shared data the table lives in (for {@link describeWithSharedData}). */
  readonly folder: string;
  readonly file: string;
  /** Column with the architecture's text form (NB201 arch string, NB101 module hash). */
  readonly arch: string;
  /** Column with the label. */
  readonly value: string;
  /** What the label is, for test names. */
  readonly label: string;
}

/** The tables the predictor science specs learn from. */
export const LABELLED_TABLES = {
  nb201: {
    folder: 'nas-bench-201',
    file: 'nas-bench-201/nb201_test_acc_200ep_nats.csv.gz',
    arch: 'arch_str',
    value: 'cifar10_test_acc',
    label: 'NAS-Bench-201, CIFAR-10 test accuracy after 200 epochs',
  },
  nb101: {
    folder: 'nas-bench-101',
    file: 'nas-bench-101/nb101_first20001_by_hash_nasbenchvis.csv.gz',
    arch: 'module_hash',
    value: 'val_acc_108ep',
    label: 'NAS-Bench-101 (20,001 tabulated cells), validation accuracy after 108 epochs',
  },
} as const satisfies Record<string, LabelledTable>;

/** Every row of a {@link LabelledTable} under `dataDir`, its architecture parsed by `parse`. */
export function readLabelledTable<A>(dataDir: string, table: LabelledTable, parse: (text: string) => A): { arch: A; value: number }[] {
  return readLabelledArchitectures(path.join(dataDir, table.file), parse, table);
}
