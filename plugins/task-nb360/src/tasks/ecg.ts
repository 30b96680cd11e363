/**
 * ECG (NAS-Bench-360): atrial-fibrillation detection from single-lead ECG, PhysioNet/CinC Challenge
 * 2017 (Clifford et al. 2017). As NAS-Bench-360 prepares it (`backbone_1d/data_utils/load_data.py`,
 * `read_data_physionet_4_with_val`): each record is z-scored (population std), labels N/A/O/~ map to
 * 0..3, records are split 80/10/10 into train/validation/test, and each record is cut into windows
 * of 1,000 samples with a class-dependent stride (500 for N, 500 // 6 = 83 for A, 500 // 2 = 250
 * for O, 500 // 20 = 25 for ~; window starts `range(0, len − 1000, stride)`) so the rare classes
 * get more windows. Input `[1, 1000]`, 4 classes, cross-entropy.
 *
 * The metric is NAS-Bench-360's (`backbone_1d/model_def.py` `evaluate_full_dataset_ECG`): every
 * record of the split is labelled by the majority vote of its windows' predictions (ties: the
 * class predicted first, as `Counter.most_common`), then F1 is computed per class and averaged over
 * the 4 classes (a class with no true and no predicted record counts 0). Reported as F1 (higher is
 * better); the paper's table gives 1 − F1.
 *
 * Data: the full release's `challenge2017.pkl` is read when present; the real sample is the
 * official 300-record validation set of the challenge (`ecg_physionet2017_sample300_*`, int16
 * samples at 300 Hz). Records are split with scikit-learn's `train_test_split(random_state=seed)`
 * reproduced bit for bit (`sklearnTrainTestSplit`; option `seed`, default 0 = NAS-Bench-360's split).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { isNumeric, loadPickle, sklearnTrainTestSplit, type IntSource, type NdArray } from '@nasx/data';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet, type ScoredSplit } from '../common/nb360-task';
import { argmaxRows, macroF1 } from '@nasx/stats';

export const ECG_ID = 'ecg';
/** Window length and the base stride (NAS-Bench-360's `slide_and_cut`). */
export const ECG_WINDOW = 1000;
/** Window stride per class N, A, O, ~ (500, 500 // 6, 500 // 2, 500 // 20). */
export const ECG_STRIDES = [500, 83, 250, 25] as const;
export const ECG_CLASSES = ['N', 'A', 'O', '~'] as const;

export const ECG_SAMPLE_FILES = ['ecg_physionet2017_sample300_int16.bin.gz', 'ecg_physionet2017_sample300_index.csv'] as const;

/** A record: its z-scored signal and class. */
export interface EcgRecord {
  readonly signal: Float32Array;
  readonly label: number;
}

/**
 * Reads the release's `challenge2017.pkl` (NAS-Bench-360's `read_data_physionet_4_with_val`): a dict
 * `{data: one array per record, label: 'N' | 'A' | 'O' | '~' per record}`, each record z-scored.
 */
export async function readEcgPickle(file: string): Promise<EcgRecord[]> {
  const bad = (what: string) =>
    new NasxError('data', `task "${ECG_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: ECG_ID,
      file,
      fix: 'use challenge2017.pkl of the NAS-Bench-360 ECG release (a pickled dict {data, label})',
    });
  const res = (await loadPickle(file)) as { data?: unknown; label?: unknown } | null;
  const list = (v: unknown): unknown[] | undefined =>
    Array.isArray(v) ? v : v && typeof v === 'object' && Array.isArray((v as NdArray).data) ? ((v as NdArray).data as unknown[]) : undefined;
  const data = list(res?.data);
  const labels = list(res?.label);
  if (!data || !labels) throw bad('does not hold a dict with "data" and "label" lists');
  if (data.length !== labels.length) throw bad(`holds ${data.length} records and ${labels.length} labels`);
  return data.map((d, i) => {
    const label = ECG_CLASSES.indexOf(String(labels[i]) as (typeof ECG_CLASSES)[number]);
    if (label < 0) throw bad(`has label ${JSON.stringify(labels[i])} for record ${i}; labels are N, A, O, ~`);
    if (!d || typeof d !== 'object' || !isNumeric(d as NdArray)) throw bad(`record ${i} is not a numeric array`);
    return { signal: zScore(Float32Array.from((d as NdArray & { data: ArrayLike<number> }).data)), label };
  });
}

/** Z-scores a record in place with its mean and population standard deviation (NumPy's `np.std`). */
export function zScore(signal: Float32Array): Float32Array {
  let mean = 0;
  for (const v of signal) mean += v;
  mean /= signal.length;
  let sq = 0;
  for (const v of signal) sq += (v - mean) ** 2;
  const std = Math.sqrt(sq / signal.length) || 1;
  for (let i = 0; i < signal.length; i++) signal[i] = (signal[i]! - mean) / std;
  return signal;
}

/** Window starts of a record of `length` samples and class `label`: `range(0, length − 1000, stride)`. */
export function windowStarts(length: number, label: number): number[] {
  const stride = ECG_STRIDES[label]!;
  const out: number[] = [];
  for (let j = 0; j < length - ECG_WINDOW; j += stride) out.push(j);
  return out;
}

/** Cuts records into windows (`slide_and_cut`): inputs `[windows, 1000]`, labels, and each window's record (group). */
export function slideAndCut(records: readonly EcgRecord[]): SampleSet {
  let count = 0;
  for (const r of records) count += windowStarts(r.signal.length, r.label).length;
  const x = new Float32Array(count * ECG_WINDOW);
  const labels = new Int32Array(count);
  const groups = new Int32Array(count);
  let w = 0;
  records.forEach((r, k) => {
    for (const j of windowStarts(r.signal.length, r.label)) {
      x.set(r.signal.subarray(j, j + ECG_WINDOW), w * ECG_WINDOW);
      labels[w] = r.label;
      groups[w] = k;
      w++;
    }
  });
  return { size: count, x, labels, groups };
}

/**
 * Splits records as NAS-Bench-360 does — `train_test_split(test_size=0.2, random_state=seed)`, then
 * the held-out fifth halved by `train_test_split(test_size=0.5, random_state=seed)` into validation
 * and test — reproducing scikit-learn's rows exactly (seed 0 is NAS-Bench-360's), and windows each part.
 */
export function splitRecords(records: readonly EcgRecord[], seed: number): { train: SampleSet; validation: SampleSet; test: SampleSet } {
  const first = sklearnTrainTestSplit(records.length, 0.2, seed);
  const second = sklearnTrainTestSplit(first.test.length, 0.5, seed);
  const pick = (rows: ArrayLike<number>) => Array.from(rows, (i) => records[i]!);
  return {
    train: slideAndCut(pick(first.train)),
    validation: slideAndCut(pick(Array.from(second.train, (i) => first.test[i]!))),
    test: slideAndCut(pick(Array.from(second.test, (i) => first.test[i]!))),
  };
}

/** Reads the 300-record sample: gzip of int16 LE samples and its index CSV. */
export function readEcgSample(dataDir: string): EcgRecord[] {
  const [binName, indexName] = ECG_SAMPLE_FILES;
  const bad = (file: string, problem: string) =>
    new NasxError('data', `task "${ECG_ID}": ${path.join(dataDir, file)} ${problem}`, {
      pkg: PKG,
      contribution: ECG_ID,
      fix: 'replace the file with an intact copy of the sample',
    });
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(dataDir, binName)));
  const samples = new Int16Array(raw.buffer, raw.byteOffset, Math.floor(raw.byteLength / 2));
  const lines = fs.readFileSync(path.join(dataDir, indexName), 'utf8').trim().split(/\r?\n/);
  const header = lines[0]!.split(',');
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw bad(indexName, `has no column "${name}" (columns: ${header.join(', ')})`);
    return i;
  };
  const [cOffset, cLength, cLabel] = [col('offset'), col('length'), col('label')];
  return lines.slice(1).map((line, i) => {
    const f = line.split(',');
    const offset = Number(f[cOffset]);
    const length = Number(f[cLength]);
    const label = ECG_CLASSES.indexOf(f[cLabel] as (typeof ECG_CLASSES)[number]);
    if (!(Number.isInteger(offset) && Number.isInteger(length) && offset >= 0 && offset + length <= samples.length) || label < 0) {
      throw bad(indexName, `row ${i + 2} ("${line}") is not offset, length and a label N/A/O/~ within the ${samples.length} samples`);
    }
    return { signal: zScore(Float32Array.from(samples.subarray(offset, offset + length))), label };
  });
}

/**
 * Synthetic ECG-like records (for tests only): per class a different rhythm — a spike train whose
 * period is regular (N), irregular (A), regular with extra beats (O) or buried in noise (~) — with
 * the sample's class proportions (150/50/70/30 per 300) and lengths 3,000–9,000.
 */
export function syntheticEcgRecords(count: number, rng: IntSource): EcgRecord[] {
  const counts = [0.5, 1 / 6, 7 / 30, 0.1].map((p) => Math.round(p * count));
  const out: EcgRecord[] = [];
  const u = () => rng.int(1 << 30) / (1 << 30);
  counts.forEach((k, label) => {
    for (let r = 0; r < k; r++) {
      const length = 3000 + rng.int(6001);
      const s = new Float32Array(length);
      let next = rng.int(200);
      for (let t = 0; t < length; t++) {
        s[t] = (u() - 0.5) * (label === 3 ? 2 : 0.2);
        if (t === next) {
          for (let d = 0; d < 12 && t + d < length; d++) s[t + d]! += Math.sin((Math.PI * d) / 12) * 3;
          const base = 250;
          next = t + (label === 1 ? 120 + rng.int(260) : label === 2 && rng.int(4) === 0 ? 110 : base);
        }
      }
      out.push({ signal: zScore(s), label });
    }
  });
  return out;
}

/** Record-wise majority vote of window predictions (ties: the class predicted first among the tied). */
export function recordVotes(predicted: Int32Array, truth: Int32Array, groups: Int32Array, classes: number): { gt: Int32Array; pred: Int32Array } {
  const records = [...new Set(groups)].sort((a, b) => a - b);
  const gt = new Int32Array(records.length);
  const pred = new Int32Array(records.length);
  const index = new Map(records.map((g, i) => [g, i]));
  const votes = records.map(() => ({ count: new Int32Array(classes), first: new Int32Array(classes).fill(-1), truth: 0 }));
  for (let w = 0; w < groups.length; w++) {
    const v = votes[index.get(groups[w]!)!]!;
    const c = predicted[w]!;
    v.count[c]!++;
    if (v.first[c] === -1) v.first[c] = w;
    v.truth = truth[w]!;
  }
  votes.forEach((v, i) => {
    let best = -1;
    for (let c = 0; c < classes; c++) {
      if (v.count[c] === 0) continue;
      if (best < 0 || v.count[c]! > v.count[best]! || (v.count[c] === v.count[best] && v.first[c]! < v.first[best]!)) best = c;
    }
    gt[i] = v.truth;
    pred[i] = best;
  });
  return { gt, pred };
}

/** F1 of each class, averaged over all `classes` (0 for a class with no true and no predicted record): scikit-learn's macro F1 with `labels=range(classes)`. */
export function meanClassF1(gt: Int32Array, pred: Int32Array, classes: number): number {
  return macroF1(gt, pred, { classes });
}

function fromRecords(records: EcgRecord[], ctx: LoadContext, source: LoadedData['source'], description: string, files: string[]): LoadedData {
  return { source, description, files, ...splitRecords(records, ctx.options.seed) };
}

export const ecgTask = defineNb360Task({
  id: ECG_ID,
  title: 'ECG (NAS-Bench-360)',
  description: 'Atrial-fibrillation detection from single-lead ECG (PhysioNet 2017): windows of 1,000 samples, 4 classes, record-wise macro F1.',
  modality: 'sequence',
  inputShape: [1, ECG_WINDOW],
  outputShape: [4],
  numClasses: 4,
  loss: 'cross-entropy',
  metric: {
    name: 'val_f1',
    direction: 'maximize',
    description: 'F1 averaged over the 4 classes, of the record-wise majority vote of window predictions (NAS-Bench-360)',
  },
  paper: {
    metric: '1 − F1',
    wrn: { mean: 0.43, std: 0.01 },
    denseNas: { mean: 0.4, std: 0.01 },
    dartsGaea: { mean: 0.34, std: 0.01 },
  },
  files: { full: ['challenge2017.pkl'], sample: [...ECG_SAMPLE_FILES] },
  download:
    'the NAS-Bench-360 ECG release (challenge2017.pkl, linked from https://nb360.ml.cmu.edu), or the PhysioNet/CinC Challenge 2017 training set (https://physionet.org/content/challenge-2017/1.0.0/)',
  async loadFull(ctx) {
    const file = path.join(ctx.dataDir, 'challenge2017.pkl');
    const records = await readEcgPickle(file);
    return fromRecords(
      records,
      ctx,
      'full',
      `full release: the ${records.length} PhysioNet/CinC 2017 training records, split 80/10/10 by record as NAS-Bench-360`,
      [file],
    );
  },
  loadSample: (ctx) =>
    fromRecords(
      readEcgSample(ctx.dataDir),
      ctx,
      'sample',
      'real sample: the 300-record official validation set of PhysioNet/CinC 2017, windowed as NAS-Bench-360',
      ECG_SAMPLE_FILES.map((f) => path.join(ctx.dataDir, f)),
    ),
  synthetic: (ctx) =>
    fromRecords(
      syntheticEcgRecords(Math.max(40, Math.round(ctx.options.syntheticSize / 8)), ctx.rng),
      ctx,
      'synthetic',
      'SYNTHETIC ECG-like records (tests only)',
      [],
    ),
  paperForm: (f1) => 1 - f1,
  score(p: TaskPredictions, split: ScoredSplit): number {
    const n = p.samples;
    const predicted = argmaxRows(p.outputs, n, p.outputSize);
    const { gt, pred } = recordVotes(predicted, Int32Array.from(p.targets.subarray(0, n)), split.groups!.subarray(0, n), 4);
    return meanClassF1(gt, pred, 4);
  },
});
