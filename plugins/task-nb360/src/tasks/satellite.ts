/**
 * Satellite (NAS-Bench-360): land-cover classification of FORMOSAT-2 satellite image time series
 * (Petitjean et al. 2012; Tan, Webb & Petitjean, SDM 2017), 46 values per series, 24 classes. As
 * NAS-Bench-360 prepares it (`backbone_1d/data_utils/load_data.py` `load_satellite_data`): labels
 * 1..24 → 0..23, each series z-normalised by its own mean and population std. Metric: 0-1 error (%).
 *
 * Networks that halve the length twice (NB201's skeleton) need a length divisible by 4, so each
 * series is zero-padded at the end from 46 to 48 values (input `[1, 48]`), after normalisation.
 *
 * Data: the full release's `satellite_train.npy` / `satellite_test.npy` (NumPy files holding a
 * pickled dict `{data, label}`), with NAS-Bench-360's split (validation: the last `len(test)` training
 * series); the real sample is the UCR archive's "Crop" training split (7,200 series of the same
 * FORMOSAT-2 source, 300 per class), split here 60/20/20 per class (seeded).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { dealParts, isNumeric, loadNpy, type IntSource, type NdArray } from '@nasx/data';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet } from '../common/nb360-task';
import { argmaxRows, zeroOneError } from '@nasx/stats';

export const SATELLITE_ID = 'satellite';
/** Values per series in the data, and the padded length the networks see. */
export const SATELLITE_LENGTH = 46;
export const SATELLITE_PADDED = 48;
export const SATELLITE_CLASSES = 24;
export const SATELLITE_SAMPLE_FILES = ['ucr_crop_train.tsv.gz'] as const;

export const SATELLITE_FULL_FILES = ['satellite_train.npy', 'satellite_test.npy'] as const;

/** Reads one of the release's files: a NumPy object array holding `{data: [N, 46], label: [N] (1..24)}`. */
export async function readSatelliteNpy(file: string): Promise<{ series: Float32Array; labels: Int32Array }> {
  const bad = (what: string) =>
    new NasxError('data', `task "${SATELLITE_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: SATELLITE_ID,
      file,
      fix: 'use the files of the NAS-Bench-360 satellite release (a pickled dict {data: N × 46, label: 1..24})',
    });
  const top = await loadNpy(file);
  const dict = (top.dtype === 'O' ? (top.data as unknown[])[0] : undefined) as { data?: NdArray; label?: NdArray } | undefined;
  const data = dict?.data;
  const label = dict?.label;
  if (!data || !label || !isNumeric(data) || !isNumeric(label)) throw bad('does not hold a dict with numeric "data" and "label" arrays');
  const n = label.shape[0] ?? 0;
  if (data.shape.length !== 2 || data.shape[0] !== n || data.shape[1] !== SATELLITE_LENGTH)
    throw bad(`holds data [${data.shape.join(', ')}] for ${n} labels; expected [${n}, ${SATELLITE_LENGTH}]`);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const l = label.data[i]!;
    if (!Number.isInteger(l) || l < 1 || l > SATELLITE_CLASSES) throw bad(`has label ${l} at row ${i}; labels are 1..${SATELLITE_CLASSES}`);
    labels[i] = l - 1;
  }
  return { series: Float32Array.from(data.data), labels };
}

/** Z-normalises `values` (one series) with its mean and population std into `out` at `at`, zero-padded to 48. */
export function writeSeries(values: ArrayLike<number>, out: Float32Array, at: number): void {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i]!;
  mean /= n;
  let sq = 0;
  for (let i = 0; i < n; i++) sq += (values[i]! - mean) ** 2;
  const std = Math.sqrt(sq / n) || 1;
  for (let i = 0; i < n; i++) out[at + i] = (values[i]! - mean) / std;
  out.fill(0, at + n, at + SATELLITE_PADDED);
}

/** Reads the UCR Crop TSV (label 1..24, tab, 46 values per line): series and 0-based labels. */
export function readCropTsv(file: string): { series: Float32Array; labels: Int32Array } {
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split(/\r?\n/);
  const series = new Float32Array(lines.length * SATELLITE_LENGTH);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const f = line.split('\t').map(Number);
    const label = f[0]!;
    if (f.length !== SATELLITE_LENGTH + 1 || !Number.isInteger(label) || label < 1 || label > SATELLITE_CLASSES || f.some((v) => !Number.isFinite(v))) {
      throw new NasxError('data', `task "${SATELLITE_ID}": ${file} line ${i + 1} is not a label 1..24 and ${SATELLITE_LENGTH} numbers, tab-separated`, {
        pkg: PKG,
        contribution: SATELLITE_ID,
        fix: 'replace the file with an intact copy of the UCR Crop training split',
      });
    }
    labels[i] = label - 1;
    series.set(f.slice(1), i * SATELLITE_LENGTH);
  });
  return { series, labels };
}

/** Normalised, padded samples of the rows `rows` of raw series. */
export function sampleSet(series: Float32Array, labels: Int32Array, rows: ArrayLike<number>): SampleSet {
  const x = new Float32Array(rows.length * SATELLITE_PADDED);
  const y = new Int32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const r = rows[k]!;
    writeSeries(series.subarray(r * SATELLITE_LENGTH, (r + 1) * SATELLITE_LENGTH), x, k * SATELLITE_PADDED);
    y[k] = labels[r]!;
  }
  return { size: rows.length, x, labels: y };
}

/** Stratified 60/20/20 split of labelled series (seeded). */
export function splitSeries(series: Float32Array, labels: Int32Array, rng: IntSource): { train: SampleSet; validation: SampleSet; test: SampleSet } {
  const n = labels.length;
  const nVal = Math.round(0.2 * n);
  const nTest = Math.round(0.2 * n);
  const [train, validation, test] = dealParts(labels, [n - nVal - nTest, nVal, nTest], rng, true) as [Int32Array, Int32Array, Int32Array];
  return { train: sampleSet(series, labels, train), validation: sampleSet(series, labels, validation), test: sampleSet(series, labels, test) };
}

/** Synthetic series (tests only): each class a sinusoid of its own frequency and phase, plus noise. */
export function syntheticSatellite(ctx: LoadContext): LoadedData {
  const n = ctx.options.syntheticSize;
  const total = n + 2 * Math.ceil(n / 4);
  const series = new Float32Array(total * SATELLITE_LENGTH);
  const labels = new Int32Array(total);
  const u = () => ctx.rng.int(1 << 30) / (1 << 30);
  for (let i = 0; i < total; i++) {
    const c = i % SATELLITE_CLASSES;
    labels[i] = c;
    for (let t = 0; t < SATELLITE_LENGTH; t++)
      series[i * SATELLITE_LENGTH + t] = Math.sin((2 * Math.PI * (1 + (c % 6)) * t) / SATELLITE_LENGTH + Math.floor(c / 6)) + 0.3 * (u() - 0.5);
  }
  return { source: 'synthetic', description: 'SYNTHETIC satellite-like series (tests only)', files: [], ...splitSeries(series, labels, ctx.rng) };
}

export const satelliteTask = defineNb360Task({
  id: SATELLITE_ID,
  title: 'Satellite (NAS-Bench-360)',
  description: 'Land-cover classification of satellite image time series (FORMOSAT-2): 46 values per series (padded to 48), 24 classes, 0-1 error.',
  modality: 'sequence',
  inputShape: [1, SATELLITE_PADDED],
  outputShape: [SATELLITE_CLASSES],
  numClasses: SATELLITE_CLASSES,
  loss: 'cross-entropy',
  metric: { name: 'val_error', direction: 'minimize', unit: '%', description: '0-1 error on the validation split' },
  paper: {
    metric: '0-1 error (%)',
    wrn: { mean: 15.49, std: 0.03 },
    denseNas: { mean: 13.81, std: 0.69 },
    dartsGaea: { mean: 12.51, std: 0.24 },
  },
  files: { full: [...SATELLITE_FULL_FILES], sample: [...SATELLITE_SAMPLE_FILES] },
  download: 'the NAS-Bench-360 satellite release (satellite_train.npy, satellite_test.npy, linked from https://nb360.ml.cmu.edu)',
  async loadFull(ctx) {
    const files = SATELLITE_FULL_FILES.map((f) => path.join(ctx.dataDir, f));
    const train = await readSatelliteNpy(files[0]!);
    const test = await readSatelliteNpy(files[1]!);
    const nVal = test.labels.length;
    const nTrain = train.labels.length - nVal;
    const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
    return {
      source: 'full',
      description: `full release: ${nTrain} training, ${nVal} validation (the last len(test) training series, as NAS-Bench-360) and ${test.labels.length} test series`,
      files,
      train: sampleSet(train.series, train.labels, rows(0, nTrain)),
      validation: sampleSet(train.series, train.labels, rows(nTrain, train.labels.length)),
      test: sampleSet(test.series, test.labels, rows(0, test.labels.length)),
    };
  },
  loadSample(ctx) {
    const file = path.join(ctx.dataDir, SATELLITE_SAMPLE_FILES[0]);
    const { series, labels } = readCropTsv(file);
    return {
      source: 'sample',
      description: `real sample: the UCR "Crop" training split (${labels.length} FORMOSAT-2 series), split 60/20/20 per class`,
      files: [file],
      ...splitSeries(series, labels, ctx.rng),
    };
  },
  synthetic: syntheticSatellite,
  score: (p: TaskPredictions) => zeroOneError(p.targets.subarray(0, p.samples), argmaxRows(p.outputs, p.samples, p.outputSize)),
});
