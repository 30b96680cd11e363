/**
 * The official NAS-Bench-101 release (Ying et al., ICML 2019; google-research/nasbench, README
 * "Download the dataset") and the tables this package converts it into. A `nasx data` command
 * downloads a file below, checks its SHA-256, and calls {@link convertNb101} to write the table
 * named by `produces` into the data directory's `subdir`.
 */

/** One upstream file and the table converted from it. */
export interface Nb101ReleaseFile {
  /** Upstream file name. */
  readonly name: string;
  /** Official download URL. */
  readonly url: string;
  /** Size as the nasbench README gives it. */
  readonly size: string;
  /** The same in bytes, approximate (for progress and disk-space checks; not a checksum). */
  readonly approxBytes: number;
  /** SHA-256 published in the nasbench README. */
  readonly sha256: string;
  /** Training budgets (epochs) it holds, 3 repeats each. */
  readonly epochs: readonly number[];
  /** Table written by {@link convertNb101}, relative to `<data dir>/<subdir>/`. */
  readonly produces: string;
}

/** Table of the full release (4/12/36/108 epochs): the one the tabular estimator prefers. */
export const NB101_FULL_TABLE = 'nb101_full.csv.gz';
/** Table of the 108-epoch-only release (read when the full table is absent). */
export const NB101_ONLY108_TABLE = 'nb101_only108.csv.gz';

/** What a `nasx data` command needs to fetch and convert NAS-Bench-101. */
export const NB101_RELEASE = {
  id: 'nb101',
  title: 'NAS-Bench-101',
  citation: 'Ying, Klein, Real, Christiansen, Murphy, Hutter. NAS-Bench-101: Towards Reproducible Neural Architecture Search. ICML 2019.',
  homepage: 'https://github.com/google-research/nasbench',
  license: 'Apache-2.0',
  /** Folder under the data directory that the tabular estimator reads. */
  subdir: 'nas-bench-101',
  /** Distinct module hashes (cells) in either file. */
  models: 423_624,
  files: [
    {
      name: 'nasbench_full.tfrecord',
      url: 'https://storage.googleapis.com/nasbench/nasbench_full.tfrecord',
      size: '~1.95 GB',
      approxBytes: 1_950_000_000,
      sha256: '3d64db8180fb1b0207212f9032205064312b6907a3bbc81eabea10db2f5c7e9c',
      epochs: [4, 12, 36, 108],
      produces: NB101_FULL_TABLE,
    },
    {
      name: 'nasbench_only108.tfrecord',
      url: 'https://storage.googleapis.com/nasbench/nasbench_only108.tfrecord',
      size: '~499 MB',
      approxBytes: 499_000_000,
      sha256: '4c39c3936e36a85269881d659e44e61a245babcb72cb374eacacf75d0e5f4fd1',
      epochs: [108],
      produces: NB101_ONLY108_TABLE,
    },
  ] as const satisfies readonly Nb101ReleaseFile[],
} as const;

/** Column names of a converted table (fractions 0–1 and seconds, as in the 20,001-model slice). */
export const NB101_COLUMNS = {
  hash: 'module_hash',
  adjacency: 'module_adjacency',
  operations: 'module_operations',
  params: 'trainable_params',
  valAcc: (epochs: number) => `val_acc_${epochs}ep`,
  testAcc: (epochs: number) => `test_acc_${epochs}ep`,
  trainTime: (epochs: number) => `train_time_${epochs}ep_s`,
  repeats: (epochs: number) => `repeats_${epochs}ep`,
} as const;

/** Separator of the labels in `module_operations` (upstream uses `,`, which a CSV field cannot hold unquoted). */
export const NB101_OPS_SEPARATOR = '|';
