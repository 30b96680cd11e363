/**
 * DeepSEA (NAS-Bench-360, after Zhou & Troyanskaya, Nature Methods 2015): from a 1,000-base DNA
 * sequence (one-hot, 4 channels) predict 36 chromatin-profile labels (the subset NAS-Bench-360
 * keeps) — multi-label classification trained with a sigmoid cross-entropy, scored by the ROC AUC of
 * each label averaged over the labels (`backbone_1d/model_def.py`: `mAUC = mean(stats[k]['auc'])`,
 * `utils.calculate_stats`: scikit-learn's `roc_auc_score` per label), reported as 1 − AUROC.
 *
 * Data: the release's `deepsea_filtered.npz` (860 MB; `backbone_1d/data_utils/load_data.py`
 * `load_deepsea_data`): `x_train` [71,753, 1000, 4], `y_train` [71,753, 36], `x_val`/`y_val`,
 * `x_test`/`y_test`, each sequence transposed to [4, 1000] (`permute(0, 2, 1)`). The release is
 * too large to hold as float32 (1.1 GB for the training inputs), so every split is streamed from
 * the archive a shard at a time (`ShardedSplit`): at most one shard of rows is in memory. There is
 * no redistributable sample: tests use synthetic sequences or a generated archive of the release's
 * format.
 */
import * as path from 'node:path';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { openNpz, type ArrayRowSource, type NpzArchive, type RowArray } from '@nasx/data';
import { auroc } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet, type StreamedSet } from '../common/nb360-task';

export const DEEPSEA_ID = 'deepsea';
export const DEEPSEA_LENGTH = 1000;
export const DEEPSEA_LABELS = 36;
export const DEEPSEA_FILE = 'deepsea_filtered.npz';
/** Rows per shard when streaming the release: 4,096 sequences (16 MB as uint8, 64 MB as float32). */
export const DEEPSEA_SHARD_ROWS = 4096;

/** Writes stored row `i` (`[1000, 4]`, base-major) as a `[4, 1000]` float32 input (NAS-Bench-360's permute). */
export function writeTransposed(rows: RowArray, i: number, out: Float32Array, at: number): void {
  const base = i * DEEPSEA_LENGTH * 4;
  for (let t = 0; t < DEEPSEA_LENGTH; t++) {
    for (let c = 0; c < 4; c++) out[at + c * DEEPSEA_LENGTH + t] = rows[base + t * 4 + c]!;
  }
}

/** The streamed split of members `x_<part>` / `y_<part>` of the archive, checked against the release's shapes. */
async function streamedPart(z: NpzArchive, part: 'train' | 'val' | 'test', shardRows: number): Promise<StreamedSet> {
  const wrong = (what: string) =>
    new NasxError('data', `task "${DEEPSEA_ID}": ${z.file} ${what}`, {
      pkg: PKG,
      contribution: DEEPSEA_ID,
      file: z.file,
      fix: `use ${DEEPSEA_FILE} of the NAS-Bench-360 release (x_<split> [N, 1000, 4], y_<split> [N, 36])`,
    });
  for (const m of [`x_${part}`, `y_${part}`]) if (!z.names.includes(m)) throw wrong(`has no array "${m}" (it holds ${z.names.join(', ')})`);
  const x: ArrayRowSource = await z.open(`x_${part}`);
  const y: ArrayRowSource = await z.open(`y_${part}`);
  if (x.shape.length !== 3 || x.shape[1] !== DEEPSEA_LENGTH || x.shape[2] !== 4)
    throw wrong(`holds x_${part} [${x.shape.join(', ')}]; expected [N, ${DEEPSEA_LENGTH}, 4]`);
  if (y.shape.length !== 2 || y.shape[0] !== x.rows || y.shape[1] !== DEEPSEA_LABELS)
    throw wrong(`holds y_${part} [${y.shape.join(', ')}] for ${x.rows} sequences; expected [${x.rows}, ${DEEPSEA_LABELS}]`);
  return { size: x.rows, shardRows, contents: { inputs: x, targets: y, writeInput: (rows, i, out, at) => writeTransposed(rows, i, out, at) } };
}

/**
 * Synthetic sequences (tests only): random bases; label j is positive when the sequence holds
 * label j's own 8-base motif (planted with probability ¼), so the labels are learnable from the input.
 */
export function syntheticDeepsea(ctx: LoadContext): LoadedData {
  const u = () => ctx.rng.int(1 << 30) / (1 << 30);
  const motifs = Array.from({ length: DEEPSEA_LABELS }, () => Array.from({ length: 8 }, () => ctx.rng.int(4)));
  const make = (n: number): SampleSet => {
    const x = new Float32Array(n * 4 * DEEPSEA_LENGTH);
    const values = new Float32Array(n * DEEPSEA_LABELS);
    for (let i = 0; i < n; i++) {
      const bases = Array.from({ length: DEEPSEA_LENGTH }, () => ctx.rng.int(4));
      for (let j = 0; j < DEEPSEA_LABELS; j++) {
        if (u() >= 0.25) continue;
        const at = ctx.rng.int(DEEPSEA_LENGTH - 8);
        motifs[j]!.forEach((b, k) => (bases[at + k] = b));
        values[i * DEEPSEA_LABELS + j] = 1;
      }
      bases.forEach((b, t) => (x[i * 4 * DEEPSEA_LENGTH + b * DEEPSEA_LENGTH + t] = 1));
    }
    return { size: n, x, values };
  };
  const n = ctx.options.syntheticSize;
  const v = Math.ceil(n / 4);
  return {
    source: 'synthetic',
    description: 'SYNTHETIC DeepSEA-like sequences with planted motifs (tests only)',
    files: [],
    train: make(n),
    validation: make(v),
    test: make(v),
  };
}

export const deepseaTask = defineNb360Task({
  id: DEEPSEA_ID,
  title: 'DeepSEA (NAS-Bench-360)',
  description:
    'Predict 36 chromatin profiles from 1,000-base DNA sequences (one-hot [4, 1000]): multi-label, 1 − AUROC averaged over labels; the release is streamed a shard at a time.',
  modality: 'sequence',
  inputShape: [4, DEEPSEA_LENGTH],
  outputShape: [DEEPSEA_LABELS],
  numClasses: DEEPSEA_LABELS,
  loss: 'binary-cross-entropy',
  metric: { name: 'val_auroc', direction: 'maximize', description: 'ROC AUC of each of the 36 labels, averaged (NAS-Bench-360 mAUC)' },
  paper: {
    metric: '1 − AUROC',
    wrn: { mean: 0.4, std: 0.001 },
    denseNas: { mean: 0.4, std: 0.001 },
    dartsGaea: { mean: 0.36, std: 0.02 },
  },
  files: { full: [DEEPSEA_FILE] },
  download: `the NAS-Bench-360 DeepSEA release (${DEEPSEA_FILE}, 860 MB: https://pde-xd.s3.amazonaws.com/deepsea/deepsea_filtered.npz)`,
  async loadFull(ctx) {
    const file = path.join(ctx.dataDir, DEEPSEA_FILE);
    const z = await openNpz(file);
    const [train, validation, test] = [
      await streamedPart(z, 'train', DEEPSEA_SHARD_ROWS),
      await streamedPart(z, 'val', DEEPSEA_SHARD_ROWS),
      await streamedPart(z, 'test', DEEPSEA_SHARD_ROWS),
    ];
    return {
      source: 'full',
      description: `full release: ${train.size} training, ${validation.size} validation and ${test.size} test sequences, streamed ${DEEPSEA_SHARD_ROWS} rows at a time`,
      files: [file],
      train,
      validation,
      test,
    };
  },
  synthetic: syntheticDeepsea,
  paperForm: (auc) => 1 - auc,
  score: (p: TaskPredictions) =>
    auroc(p.targets.subarray(0, p.samples * p.outputSize), p.outputs.subarray(0, p.samples * p.outputSize), p.samples, p.outputSize, { average: 'macro' }),
});
