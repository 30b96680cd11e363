/**
 * NinaPro DB5 (NAS-Bench-360, after Atzori et al. 2014 and Côté-Allard et al. 2019): classify 18
 * hand gestures from windows of surface-EMG signals of 16 electrodes × 52 time steps. As
 * NAS-Bench-360 prepares it (`backbone/data_utils/load_data.py` `load_ninapro`): the release's
 * `ninapro_{train,val,test}.npy` hold `[N, 52, 16]` windows, transposed to `[16, 52]` and given one
 * channel (input `[1, 16, 52]`), labels from `label_{train,val,test}.npy`; the release's own splits.
 * Metric: 0-1 error (%). No redistributable sample: synthetic data for tests.
 */
import * as path from 'node:path';
import { NasxError, type TaskPredictions } from '@nasx/contracts';
import { isNumeric, loadNpy } from '@nasx/data';
import { argmaxRows, zeroOneError } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet } from '../common/nb360-task';

export const NINAPRO_ID = 'ninapro';
export const NINAPRO_CLASSES = 18;
export const NINAPRO_ELECTRODES = 16;
export const NINAPRO_STEPS = 52;
export const NINAPRO_FILES = ['ninapro_train.npy', 'label_train.npy', 'ninapro_val.npy', 'label_val.npy', 'ninapro_test.npy', 'label_test.npy'] as const;

/** One split: `ninapro_<part>.npy` `[N, 52, 16]` → inputs `[N, 1, 16, 52]`, labels `label_<part>.npy`. */
export async function readNinaproPart(dir: string, part: 'train' | 'val' | 'test'): Promise<SampleSet> {
  const dataFile = path.join(dir, `ninapro_${part}.npy`);
  const labelFile = path.join(dir, `label_${part}.npy`);
  const bad = (file: string, what: string) =>
    new NasxError('data', `task "${NINAPRO_ID}": ${file} ${what}`, {
      pkg: PKG,
      contribution: NINAPRO_ID,
      file,
      fix: 'use the files of the NAS-Bench-360 NinaPro release (ninapro_<split>.npy [N, 52, 16], label_<split>.npy [N])',
    });
  const data = await loadNpy(dataFile);
  const labels = await loadNpy(labelFile);
  const n = data.shape[0] ?? 0;
  if (!isNumeric(data) || data.shape.length !== 3 || data.shape[1] !== NINAPRO_STEPS || data.shape[2] !== NINAPRO_ELECTRODES) {
    throw bad(dataFile, `holds [${data.shape.join(', ')}]; expected [N, ${NINAPRO_STEPS}, ${NINAPRO_ELECTRODES}]`);
  }
  if (!isNumeric(labels) || labels.shape.length !== 1 || labels.shape[0] !== n)
    throw bad(labelFile, `holds [${labels.shape.join(', ')}] labels for ${n} windows`);
  const per = NINAPRO_ELECTRODES * NINAPRO_STEPS;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < NINAPRO_STEPS; t++)
      for (let e = 0; e < NINAPRO_ELECTRODES; e++) x[i * per + e * NINAPRO_STEPS + t] = data.data[i * per + t * NINAPRO_ELECTRODES + e]!;
    const l = labels.data[i]!;
    if (!Number.isInteger(l) || l < 0 || l >= NINAPRO_CLASSES) throw bad(labelFile, `has label ${l} at row ${i}; labels are 0..${NINAPRO_CLASSES - 1}`);
    y[i] = l;
  }
  return { size: n, x, labels: y };
}

/** Synthetic EMG-like windows (tests only): each gesture activates its own electrodes with its own rhythm, plus noise. */
export function syntheticNinapro(ctx: LoadContext): LoadedData {
  const u = () => ctx.rng.int(1 << 30) / (1 << 30);
  const make = (n: number): SampleSet => {
    const per = NINAPRO_ELECTRODES * NINAPRO_STEPS;
    const x = new Float32Array(n * per);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const c = i % NINAPRO_CLASSES;
      labels[i] = c;
      for (let e = 0; e < NINAPRO_ELECTRODES; e++) {
        const active = (e + c) % 4 === 0 ? 1 : 0.1;
        for (let t = 0; t < NINAPRO_STEPS; t++) x[i * per + e * NINAPRO_STEPS + t] = active * Math.abs(Math.sin((t * (1 + (c % 5))) / 8)) + 0.2 * u();
      }
    }
    return { size: n, x, labels };
  };
  const n = ctx.options.syntheticSize;
  return {
    source: 'synthetic',
    description: 'SYNTHETIC NinaPro-like EMG windows (tests only)',
    files: [],
    train: make(n),
    validation: make(Math.ceil(n / 4)),
    test: make(Math.ceil(n / 4)),
  };
}

export const ninaproTask = defineNb360Task({
  id: NINAPRO_ID,
  title: 'NinaPro DB5 (NAS-Bench-360)',
  description: 'Hand-gesture classification from surface EMG (NinaPro DB5): windows of 16 electrodes × 52 steps, 18 gestures, 0-1 error.',
  modality: 'image',
  inputShape: [1, NINAPRO_ELECTRODES, NINAPRO_STEPS],
  outputShape: [NINAPRO_CLASSES],
  numClasses: NINAPRO_CLASSES,
  loss: 'cross-entropy',
  metric: { name: 'val_error', direction: 'minimize', unit: '%', description: '0-1 error on the validation split' },
  paper: {
    metric: '0-1 error (%)',
    wrn: { mean: 6.78, std: 0.26 },
    denseNas: { mean: 10.17, std: 1.31 },
    dartsGaea: { mean: 17.67, std: 1.39 },
  },
  files: { full: [...NINAPRO_FILES] },
  download: 'the NAS-Bench-360 NinaPro release (ninapro_{train,val,test}.npy and label_{train,val,test}.npy: https://pde-xd.s3.amazonaws.com/ninapro/)',
  async loadFull(ctx) {
    const [train, validation, test] = [
      await readNinaproPart(ctx.dataDir, 'train'),
      await readNinaproPart(ctx.dataDir, 'val'),
      await readNinaproPart(ctx.dataDir, 'test'),
    ];
    return {
      source: 'full',
      description: `full release: ${train.size} training, ${validation.size} validation and ${test.size} test windows (NAS-Bench-360's splits)`,
      files: NINAPRO_FILES.map((f) => path.join(ctx.dataDir, f)),
      train,
      validation,
      test,
    };
  },
  synthetic: syntheticNinapro,
  score: (p: TaskPredictions) => zeroOneError(p.targets.subarray(0, p.samples), argmaxRows(p.outputs, p.samples, p.outputSize)),
});
