/**
 * FSD50K (NAS-Bench-360, after Fonseca et al., IEEE/ACM TASLP 2022): tag sound clips with any of 200
 * AudioSet classes — multi-label classification of log-mel spectrograms, scored by mean average
 * precision, reported as 1 − mAP. As NAS-Bench-360 prepares it (`backbone/data_utils/load_data.py`
 * `load_audio`, `audio_dataset.py`):
 *
 * - the release `audio.zip`, unpacked into `data/`: `data/chunks/{tr,val,eval}.csv` manifests
 *   (columns `files`, `labels` — comma-separated class names — and `ext`, the clip a chunk comes
 *   from), `data/chunks/lbl_map.json` (class name → index) and the 1-second WAV chunks at 22,050 Hz,
 *   plus background noise in `data/noise_22050/*.wav`;
 * - features: torchaudio's `MelSpectrogram(22050, n_fft=1920, win_length=661, hop_length=220,
 *   n_mels=96)`, `librosa.power_to_db`, + 75, minus the spectrogram's mean; a chunk shorter than
 *   1 s is tiled to 1 s; padded to 101 frames → input `[1, 96, 101]`;
 * - training: one sample per clip per epoch, a random chunk of it; SpecAugment with probability ½
 *   (1-2 masks of ≤ 15 % of the mel bands and ≤ 20 % of the frames, set to the minimum); with
 *   probability ¾ mixed with a random crop of a background-noise spectrogram, weight U(0, ½);
 * - validation (`val.csv`) and test (`eval.csv`): every chunk of a clip; the clip's logits are the
 *   mean over its chunks, its scores their sigmoid, and the metric scikit-learn's macro average
 *   precision over the 200 classes.
 *
 * Chunks are read and their features computed a shard at a time (`ShardedSplit`), in worker
 * threads while training runs: the release (about 24 GB of audio) is never held. No redistributable sample: synthetic clips (tones per
 * class) for tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Rng, type TaskPredictions } from '@nasx/contracts';
import {
  AudioFeatureWorkers,
  parseCsv,
  decodeWav,
  fitFrames as fitToSize,
  fsd50kFeatures,
  seededIntSource,
  wavFeatures,
  type IntSource,
  type RowArray,
  type RowSource,
} from '@nasx/data';
import { meanAveragePrecision } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet, type ScoredSplit, type StreamedSet } from '../common/nb360-task';

export const FSD50K_ID = 'fsd50k';
export const FSD50K_CLASSES = 200;
export const FSD50K_MELS = 96;
export const FSD50K_FRAMES = 101;
export const FSD50K_RATE = 22050;
export const FSD50K_FILES = ['data/chunks/tr.csv', 'data/chunks/val.csv', 'data/chunks/eval.csv', 'data/chunks/lbl_map.json'] as const;
export const FSD50K_NOISE_DIR = 'data/noise_22050';
/** Chunks per shard: 256 spectrograms of 96 × 101 (10 MB as float32); small, so the first batch waits for few. */
export const FSD50K_SHARD_ROWS = 256;
/**
 * Parts of a shard computed ahead (`ShardedSplit` prefetch): four reads of 64 chunks in flight, so
 * the feature threads, which share the cores with training, run ahead by up to three batches.
 */
export const FSD50K_PREFETCH = 3;
const PER = FSD50K_MELS * FSD50K_FRAMES;

/** One row of a manifest. */
export interface ManifestRow {
  readonly file: string;
  readonly labels: readonly string[];
  readonly clip: string;
}

function dataErr(file: string, what: string, fix = 'use the manifests of the NAS-Bench-360 FSD50K release (audio.zip unpacked into data/)'): NasxError {
  return new NasxError('data', `task "${FSD50K_ID}": ${file} ${what}`, { pkg: PKG, contribution: FSD50K_ID, file, fix });
}

/** A manifest (`files`, `labels`, `ext` columns; pandas' index column allowed), labels checked against the label map. */
export function readManifest(file: string, labelMap: ReadonlyMap<string, number>): ManifestRow[] {
  const csv = parseCsv(fs.readFileSync(file, 'utf8'), file, { files: 'string', labels: 'string', ext: 'string' });
  const [files, labels, clips] = ['files', 'labels', 'ext'].map((c) => csv.strings.get(c)!) as [readonly string[], readonly string[], readonly string[]];
  return files.map((f, k) => {
    const list = labels[k]!.split(',');
    for (const l of list) if (!labelMap.has(l)) throw dataErr(file, `row ${k + 2} has label "${l}", which lbl_map.json does not list`);
    return { file: f, labels: list, clip: clips[k]! };
  });
}

/**
 * Where a manifest's chunk is: as written (absolute, or relative to the data directory), else
 * under `data/chunks/` by its path from a `chunks/` component on (the manifests of the release may
 * name the folder they were written in).
 */
export function resolveChunk(dataDir: string, file: string): string {
  const tries = [path.resolve(dataDir, file), path.join(dataDir, 'data', 'chunks', file)];
  const at = file.replace(/\\/g, '/').lastIndexOf('chunks/');
  if (at >= 0) tries.push(path.join(dataDir, 'data', 'chunks', file.slice(at + 'chunks/'.length)));
  tries.push(path.join(dataDir, 'data', 'chunks', path.basename(path.dirname(file)), path.basename(file)));
  return tries.find((f) => fs.existsSync(f)) ?? tries[tries.length - 1]!;
}

/** The FSD50K features of a WAV chunk file: `[96, 101]` (tiled to 1 s, padded to 101 frames), on the calling thread. */
export function chunkFeatures(file: string): Float32Array {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw dataErr(
      file,
      `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`,
      'unpack audio.zip of the release into the data directory’s data/ folder, keeping its layout',
    );
  }
  return wavFeatures(file, bytes, FSD50K_FRAMES, FSD50K_RATE);
}

/** `[96, frames]` → `[96, 101]`: NB360's `PadToSize(101)` (constant, the minimum, split before/after) or the centre 101 frames of a longer one. */
export function fitFrames(spec: Float32Array, frames: number): Float32Array {
  return fitToSize(spec, FSD50K_MELS, frames, FSD50K_FRAMES);
}

/** NB360's `spec_augment` on a `[96, 101]` spectrogram in place: 1-2 masks, ≤ 15 % of bands and ≤ 20 % of frames each, set to the minimum. */
export function specAugment(x: Float32Array, at: number, rng: Rng): void {
  let min = Infinity;
  for (let k = 0; k < PER; k++) if (x[at + k]! < min) min = x[at + k]!;
  const masks = 1 + rng.int(2);
  for (let m = 0; m < masks; m++) {
    const nf = Math.floor(rng.next() * 0.15 * FSD50K_MELS);
    const f0 = Math.floor(rng.next() * (FSD50K_MELS - nf));
    for (let f = f0; f < f0 + nf; f++) x.fill(min, at + f * FSD50K_FRAMES, at + (f + 1) * FSD50K_FRAMES);
    const nt = Math.floor(rng.next() * 0.2 * FSD50K_FRAMES);
    const t0 = Math.floor(rng.next() * (FSD50K_FRAMES - nt));
    for (let f = 0; f < FSD50K_MELS; f++) x.fill(min, at + f * FSD50K_FRAMES + t0, at + f * FSD50K_FRAMES + t0 + nt);
  }
}

/** A background-noise spectrogram `[96, frames]` (frames ≥ 101). */
export interface Background {
  readonly data: Float32Array;
  readonly frames: number;
}

/**
 * NB360's training transform of a chunk's features written at `out[at]`: SpecAugment with
 * probability ½, then with probability ¾ the `BackgroundAddMixer`: `(1 − α)·x + α·bg`, α ~ U(0, ½),
 * `bg` a random 101-frame crop of a random background spectrogram (itself SpecAugmented with
 * probability ½).
 */
export function augmentChunk(out: Float32Array, at: number, rng: Rng, backgrounds: readonly Background[]): void {
  if (rng.next() < 0.5) specAugment(out, at, rng);
  if (backgrounds.length === 0 || rng.next() >= 0.75) return;
  const bg = backgrounds[rng.int(backgrounds.length)]!;
  const crop = new Float32Array(PER);
  const start = rng.int(bg.frames - FSD50K_FRAMES + 1);
  for (let m = 0; m < FSD50K_MELS; m++) crop.set(bg.data.subarray(m * bg.frames + start, m * bg.frames + start + FSD50K_FRAMES), m * FSD50K_FRAMES);
  if (rng.next() < 0.5) specAugment(crop, 0, rng);
  const alpha = rng.next() * 0.5;
  for (let k = 0; k < PER; k++) out[at + k] = (1 - alpha) * out[at + k]! + alpha * crop[k]!;
}

/** Multi-hot targets of `labels`. */
function multiHot(labels: readonly string[], labelMap: ReadonlyMap<string, number>, out: Float32Array, at: number): void {
  for (const l of labels) out[at + labelMap.get(l)!] = 1;
}

/** Clips of a manifest in first-appearance order, with their chunks. */
function clipsOf(rows: readonly ManifestRow[]): { clip: string; chunks: ManifestRow[] }[] {
  const byClip = new Map<string, ManifestRow[]>();
  for (const r of rows) {
    const list = byClip.get(r.clip);
    if (list) list.push(r);
    else byClip.set(r.clip, [r]);
  }
  return [...byClip].map(([clip, chunks]) => ({ clip, chunks }));
}

/** Training: one row per clip, a random chunk of it each time the row is read (the source's own seeded stream). */
function trainingSet(
  dataDir: string,
  rows: readonly ManifestRow[],
  labelMap: ReadonlyMap<string, number>,
  rng: IntSource,
  backgrounds: readonly Background[],
  workers: AudioFeatureWorkers,
): StreamedSet {
  const clips = clipsOf(rows);
  const inputs: RowSource = {
    rows: clips.length,
    rowLength: PER,
    read: (start, count) =>
      workers.features(
        Array.from({ length: count }, (_, k) => {
          const { chunks } = clips[start + k]!;
          return resolveChunk(dataDir, chunks[rng.int(chunks.length)]!.file);
        }),
      ),
  };
  const targets: RowSource = {
    rows: clips.length,
    rowLength: FSD50K_CLASSES,
    async read(start, count): Promise<RowArray> {
      const out = new Float32Array(count * FSD50K_CLASSES);
      for (let k = 0; k < count; k++) multiHot(clips[start + k]!.chunks[0]!.labels, labelMap, out, k * FSD50K_CLASSES);
      return out;
    },
  };
  return {
    size: clips.length,
    shardRows: FSD50K_SHARD_ROWS,
    prefetch: FSD50K_PREFETCH,
    limitsApplied: true,
    contents: {
      inputs,
      targets,
      writeInput: (rowsRead, i, out, at, r) => {
        out.set(rowsRead.subarray(i * PER, (i + 1) * PER), at);
        if (r) augmentChunk(out, at, r, backgrounds);
      },
    },
  };
}

/** Evaluation: one row per chunk, grouped by clip (clips in first-appearance order, their chunks together). */
function evaluationSet(dataDir: string, rows: readonly ManifestRow[], labelMap: ReadonlyMap<string, number>, workers: AudioFeatureWorkers): StreamedSet {
  const clips = clipsOf(rows);
  const chunks = clips.flatMap((c) => c.chunks);
  const groups = Int32Array.from(clips.flatMap((c, k) => c.chunks.map(() => k)));
  return {
    size: chunks.length,
    shardRows: FSD50K_SHARD_ROWS,
    prefetch: FSD50K_PREFETCH,
    groups,
    limitsApplied: true,
    contents: {
      inputs: {
        rows: chunks.length,
        rowLength: PER,
        read: (start, count) => workers.features(chunks.slice(start, start + count).map((c) => resolveChunk(dataDir, c.file))),
      },
      targets: {
        rows: chunks.length,
        rowLength: FSD50K_CLASSES,
        async read(start, count): Promise<RowArray> {
          const out = new Float32Array(count * FSD50K_CLASSES);
          for (let k = 0; k < count; k++) multiHot(chunks[start + k]!.labels, labelMap, out, k * FSD50K_CLASSES);
          return out;
        },
      },
    },
  };
}

/**
 * mAP of clips: each clip's logits are the mean over its chunks (`groups`; without groups every
 * sample is its own clip), its scores their sigmoid, its targets those of its first chunk.
 */
export function clipMeanAveragePrecision(p: TaskPredictions, split: ScoredSplit): number {
  const k = p.outputSize;
  const groups = split.groups?.subarray(0, p.samples) ?? Int32Array.from({ length: p.samples }, (_, i) => i);
  const ids = new Map<number, number>();
  for (const g of groups) if (!ids.has(g)) ids.set(g, ids.size);
  const n = ids.size;
  const sums = new Float64Array(n * k);
  const counts = new Int32Array(n);
  const truth = new Float32Array(n * k);
  for (let i = 0; i < p.samples; i++) {
    const c = ids.get(groups[i]!)!;
    if (counts[c] === 0) truth.set(p.targets.subarray(i * k, (i + 1) * k), c * k);
    counts[c]!++;
    for (let j = 0; j < k; j++) sums[c * k + j] = sums[c * k + j]! + p.outputs[i * k + j]!;
  }
  const scores = Float64Array.from(sums, (s, idx) => 1 / (1 + Math.exp(-s / counts[Math.floor(idx / k)]!)));
  return meanAveragePrecision(truth, scores, n, k);
}

/** Synthetic clips (tests only): class j is a tone of its own frequency; a clip mixes the tones of its 1-3 classes, with noise, in 1-3 chunks. */
export function syntheticFsd50k(ctx: LoadContext): LoadedData {
  const u = () => ctx.rng.int(1 << 30) / (1 << 30);
  const clip = (chunks: number) => {
    const classes = [...new Set(Array.from({ length: 1 + ctx.rng.int(3) }, () => ctx.rng.int(FSD50K_CLASSES)))];
    const feats = Array.from({ length: chunks }, () => {
      const samples = new Float32Array(FSD50K_RATE);
      for (let t = 0; t < samples.length; t++) {
        let v = 0.05 * (u() - 0.5);
        for (const c of classes) v += 0.3 * Math.sin((2 * Math.PI * (100 + 50 * c) * t) / FSD50K_RATE);
        samples[t] = v;
      }
      const f = fsd50kFeatures(samples, FSD50K_RATE);
      return fitFrames(f.data, f.frames);
    });
    return { classes, feats };
  };
  const make = (clips: number, chunked: boolean): SampleSet => {
    const made = Array.from({ length: clips }, () => clip(chunked ? 1 + ctx.rng.int(3) : 1));
    const size = made.reduce((a, m) => a + m.feats.length, 0);
    const x = new Float32Array(size * PER);
    const values = new Float32Array(size * FSD50K_CLASSES);
    const groups = new Int32Array(size);
    let s = 0;
    made.forEach((m, g) =>
      m.feats.forEach((f) => {
        x.set(f, s * PER);
        for (const c of m.classes) values[s * FSD50K_CLASSES + c] = 1;
        groups[s++] = g;
      }),
    );
    return chunked ? { size, x, values, groups } : { size, x, values };
  };
  const n = ctx.options.syntheticSize;
  return {
    source: 'synthetic',
    description: 'SYNTHETIC tone mixtures (tests only)',
    files: [],
    train: make(n, false),
    validation: make(Math.ceil(n / 4), true),
    test: make(Math.ceil(n / 4), true),
  };
}

/** The background-noise spectrograms (`data/noise_22050/*.wav`), at least 101 frames each; none if the folder is absent. */
export function readBackgrounds(dataDir: string): Background[] {
  const dir = path.join(dataDir, FSD50K_NOISE_DIR);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.toLowerCase().endsWith('.wav'))
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const wav = decodeWav(fs.readFileSync(file), file);
      const feat = fsd50kFeatures(wav.samples, wav.sampleRate);
      return feat.frames >= FSD50K_FRAMES ? { data: feat.data, frames: feat.frames } : { data: fitFrames(feat.data, feat.frames), frames: FSD50K_FRAMES };
    });
}

export const fsd50kTask = defineNb360Task({
  id: FSD50K_ID,
  title: 'FSD50K (NAS-Bench-360)',
  description:
    'Tag 1-second sound chunks with 200 AudioSet classes (FSD50K): log-mel spectrograms [1, 96, 101], multi-label, 1 − mAP of clips (chunk logits averaged); chunks are decoded a shard at a time.',
  modality: 'image',
  inputShape: [1, FSD50K_MELS, FSD50K_FRAMES],
  outputShape: [FSD50K_CLASSES],
  numClasses: FSD50K_CLASSES,
  loss: 'binary-cross-entropy',
  metric: {
    name: 'val_map',
    direction: 'maximize',
    description: 'mean average precision over the 200 classes of the validation clips (chunk logits averaged per clip)',
  },
  paper: {
    metric: '1 − mAP',
    wrn: { mean: 0.92, std: 0.001 },
    denseNas: { mean: 0.64, std: 0.002 },
    dartsGaea: { mean: 0.94, std: 0.02 },
  },
  files: { full: [...FSD50K_FILES] },
  download:
    'the NAS-Bench-360 FSD50K release (audio.zip, about 24 GB: https://pde-xd.s3.amazonaws.com/audio/audio.zip), unpacked into the data directory’s data/ folder (data/chunks/*.csv, lbl_map.json, the WAV chunks, data/noise_22050/)',
  loadFull(ctx) {
    const at = (f: string) => path.join(ctx.dataDir, f);
    const mapFile = at('data/chunks/lbl_map.json');
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(mapFile, 'utf8'));
    } catch (e) {
      throw dataErr(mapFile, `is not readable JSON (${(e as Error).message})`);
    }
    const entries = Object.entries((raw ?? {}) as Record<string, unknown>);
    if (entries.length !== FSD50K_CLASSES || entries.some(([, v]) => !Number.isInteger(v) || (v as number) < 0 || (v as number) >= FSD50K_CLASSES))
      throw dataErr(mapFile, `maps ${entries.length} labels; expected the ${FSD50K_CLASSES} FSD50K classes to indices 0..${FSD50K_CLASSES - 1}`);
    const labelMap = new Map(entries as [string, number][]);
    const [tr, val, ev] = ['tr', 'val', 'eval'].map((m) => readManifest(at(`data/chunks/${m}.csv`), labelMap)) as [ManifestRow[], ManifestRow[], ManifestRow[]];
    const first = tr[0] ?? val[0];
    if (first && !fs.existsSync(resolveChunk(ctx.dataDir, first.file)))
      throw dataErr(
        resolveChunk(ctx.dataDir, first.file),
        `(the first chunk of the manifests, "${first.file}") is missing`,
        'unpack audio.zip of the release into the data directory’s data/ folder, keeping its layout',
      );
    const backgrounds = readBackgrounds(ctx.dataDir);
    const limitRows = (rows: ManifestRow[], limit: number | undefined) => {
      if (limit === undefined) return rows;
      const keep = new Set(
        clipsOf(rows)
          .slice(0, limit)
          .map((c) => c.clip),
      );
      return rows.filter((r) => keep.has(r.clip));
    };
    const workers = new AudioFeatureWorkers(undefined, FSD50K_FRAMES, FSD50K_RATE);
    const train = trainingSet(ctx.dataDir, limitRows(tr, ctx.options.limit), labelMap, seededIntSource(ctx.options.seed), backgrounds, workers);
    const validation = evaluationSet(ctx.dataDir, limitRows(val, ctx.options.validationLimit), labelMap, workers);
    const test = evaluationSet(ctx.dataDir, ev, labelMap, workers);
    return {
      source: 'full',
      description: `full release: ${train.size} training clips (a random chunk each epoch), ${validation.size} validation and ${test.size} test chunks, ${backgrounds.length} background-noise files; decoded a shard at a time`,
      files: FSD50K_FILES.map(at),
      train,
      validation,
      test,
    };
  },
  synthetic: syntheticFsd50k,
  paperForm: (map) => 1 - map,
  score: clipMeanAveragePrecision,
});
