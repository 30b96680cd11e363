/**
 * PSICOV (NAS-Bench-360, after Adhikari's PDNET, Bioinformatics 2020): predict the inter-residue
 * distance map of a protein from 57 channels of pairwise features — dense regression, scored by
 * MAE₈ (mean absolute error over long-range pairs closer than 8 Å). As NAS-Bench-360 prepares it
 * (`backbone/model_grid_fno.py`, `data_utils/protein_io.py`, `protein_gen.py`):
 *
 * - the release `protein.zip` holds `deepcov.lst`, `psicov.lst`, `<set>/features/<id>.pkl` (dicts of
 *   `ss` [3, L], `pssm` [L, 22], `sa` [L], `entropy` [L], `ccmpred`, `freecon`, `potential` [L, L])
 *   and `<set>/distance/<id>-cb.npy` (`(L, sequence, Cβ distance map [L, L])`);
 * - training on DeepCov's proteins after the first 100, validation on the first 100, testing on
 *   PSICOV's 150;
 * - inputs: the 1-D features tiled along rows and columns (27 pairs of channels) and the three
 *   pairwise maps, padded by 10 (5 each side) and cropped to 128×128 — a random crop each epoch
 *   where the padded protein is larger, its top-left corner otherwise (zeros beyond);
 * - targets: the distance map processed as `get_map` does (values < 1 → 1, diagonal from its
 *   neighbours), padding 100, clipped at 16 Å (`label_engineering='16.0'`), NaN → 0; MSE loss.
 *
 * Validation and test score whole proteins, as NAS-Bench-360's test evaluation (`forward_window`
 * over the full map): each padded protein is cut into 128×128 tiles, the tiles' predictions are
 * stitched back, and MAE₈ is computed on the unclipped distances with the map made symmetric by
 * averaging the two triangles. (NAS-Bench-360 validates by the L1 loss of random crops; scoring the
 * paper's metric on whole proteins is what a search should select by.)
 *
 * The archive is read in place, as NAS-Bench-360's generator reads its files: a protein's features
 * (1-D features and three L × L maps, float32) are read when a batch needs them — the next batch's
 * while the current one trains — and at most {@link PSICOV_HELD_PROTEINS} per split are held (the
 * training set's 3,356 proteins would take gigabytes); crops are built when a batch is written.
 * Validation and test proteins are read once when the task is created for their lengths and
 * distances, which the metric keeps.
 * No redistributable sample: synthetic proteins (compact random chains) for tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Rng, type TaskPredictions } from '@nasx/contracts';
import { isNumeric, loadNpy, readZipDirectory, readZipMember, shuffleInPlace, unpickle, type IntSource, type NdArray, type ZipEntry } from '@nasx/data';
import { mae8 } from '@nasx/stats';
import { PKG, defineNb360Task, type LoadContext, type LoadedData, type SampleSet, type SampleWriter } from '../common/nb360-task';

export const PSICOV_ID = 'psicov';
export const PSICOV_FILE = 'protein.zip';
export const PSICOV_CHANNELS = 57;
export const PSICOV_CROP = 128;
/** Padding around each protein (`pad_size`, split evenly). */
export const PSICOV_PAD = 10;
/** Training targets are clipped here (`label_engineering='16.0'`). */
export const PSICOV_CLIP = 16;
/** DeepCov proteins held out for validation (the list's first 100). */
export const PSICOV_VALIDATION = 100;
/** 1-D features per residue: secondary structure 3, PSSM 22, solvent accessibility 1, entropy 1. */
const F1 = 27;
const PLANE = PSICOV_CROP * PSICOV_CROP;
const HALF = PSICOV_PAD / 2;

/** One protein's features and distances, as held in memory. */
export interface Protein {
  readonly id: string;
  readonly length: number;
  /** `[L, 27]`: ss (3), pssm (22), sa, entropy per residue. */
  readonly f1: Float32Array;
  /** `[3, L, L]`: ccmpred, freecon, potential. */
  readonly maps: Float32Array;
  /** `[L, L]` Cβ distances after `get_map`'s processing; NaN where unknown. */
  readonly distance: Float32Array;
}

/** `get_map`'s processing of a distance map: values < 1 → 1, the diagonal from its neighbours. */
export function processDistanceMap(y: Float32Array, L: number): Float32Array {
  const d = Float32Array.from(y, (v) => (v < 1 ? 1 : v));
  if (L < 2) return d;
  d[0] = d[1]!;
  d[(L - 1) * L + L - 1] = d[(L - 1) * L + L - 2]!;
  for (let q = 1; q < L - 1; q++) {
    const at = q * L + q;
    if (Number.isNaN(d[at]!)) continue;
    const [left, right] = [d[at - 1]!, d[at + 1]!];
    d[at] = Number.isNaN(left) && Number.isNaN(right) ? 1 : Number.isNaN(left) ? right : Number.isNaN(right) ? left : (left + right) / 2;
  }
  return d;
}

/**
 * Writes the 57-channel input of the 128×128 window whose top-left corner is (`r0`, `c0`) of the
 * padded protein into `out` at `at` (zeros outside the protein).
 */
export function writeProteinInput(pr: Protein, r0: number, c0: number, out: Float32Array, at: number): void {
  const L = pr.length;
  out.fill(0, at, at + PSICOV_CHANNELS * PLANE);
  // Window rows r (and columns c) that fall on residues: p = r + r0 − 5 ∈ [0, L).
  const [ra, rb] = [Math.max(0, HALF - r0), Math.min(PSICOV_CROP, L + HALF - r0)];
  const [ca, cb] = [Math.max(0, HALF - c0), Math.min(PSICOV_CROP, L + HALF - c0)];
  if (ra >= rb || ca >= cb) return;
  const column = new Float32Array(PSICOV_CROP);
  for (let k = 0; k < F1; k++) {
    // Channel 2k: the column residue's feature (the same on every row); 2k + 1: the row residue's.
    for (let c = ca; c < cb; c++) column[c] = pr.f1[(c + c0 - HALF) * F1 + k]!;
    const colBase = at + 2 * k * PLANE;
    const rowBase = colBase + PLANE;
    for (let r = ra; r < rb; r++) {
      out.set(column.subarray(ca, cb), colBase + r * PSICOV_CROP + ca);
      out.fill(pr.f1[(r + r0 - HALF) * F1 + k]!, rowBase + r * PSICOV_CROP + ca, rowBase + r * PSICOV_CROP + cb);
    }
  }
  for (let m = 0; m < 3; m++) {
    const base = at + (2 * F1 + m) * PLANE;
    for (let r = ra; r < rb; r++) {
      const src = m * L * L + (r + r0 - HALF) * L + (ca + c0 - HALF);
      out.set(pr.maps.subarray(src, src + (cb - ca)), base + r * PSICOV_CROP + ca);
    }
  }
}

/** Writes the training-form target of the same window: distances clipped at 16, NaN → 0, padding and beyond → 16. */
export function writeProteinTarget(pr: Protein, r0: number, c0: number, out: Float32Array, at: number): void {
  const L = pr.length;
  for (let r = 0; r < PSICOV_CROP; r++) {
    const p = r + r0 - HALF;
    for (let c = 0; c < PSICOV_CROP; c++) {
      const q = c + c0 - HALF;
      let y = PSICOV_CLIP;
      if (p >= 0 && p < L && q >= 0 && q < L) {
        const d = pr.distance[p * L + q]!;
        y = Number.isNaN(d) ? 0 : Math.min(d, PSICOV_CLIP);
      }
      out[at + r * PSICOV_CROP + c] = y;
    }
  }
}

/**
 * The proteins of a split, read as batches need them: `prepare` loads a batch's proteins (and
 * `ImageSplit` already the next batch's while the current one trains), `get` hands one out.
 */
export interface ProteinStore {
  readonly size: number;
  /** Loads proteins `ks`; they stay until proteins of later requests push them out. */
  prepare(ks: Iterable<number>): Promise<void>;
  /** Protein `k`, prepared before. */
  get(k: number): Protein;
}

/** Proteins all in memory (synthetic data, tests). */
export function heldProteins(proteins: readonly Protein[]): ProteinStore {
  return { size: proteins.length, prepare: () => Promise.resolve(), get: (k) => proteins[k]! };
}

/** Bytes of a protein's data in memory. */
export const proteinBytes = (pr: Protein): number => pr.f1.byteLength + pr.maps.byteLength + pr.distance.byteLength;

/**
 * Proteins read on demand by `load`, at most `capacity` of them held: the least recently used go
 * first, never one of the request being served. The release's 3,356 DeepCov training proteins
 * hold about 16·L² bytes each (1 MB at L = 250), gigabytes together; this holds a few batches.
 */
export class LazyProteins implements ProteinStore {
  /** Held proteins, least recently used first (a Map keeps insertion order). */
  private readonly held = new Map<number, Protein>();
  private readonly loading = new Map<number, Promise<Protein>>();
  /** The most bytes of proteins held at once so far. */
  peakBytes = 0;
  private bytes = 0;

  constructor(
    readonly size: number,
    private readonly load: (k: number) => Promise<Protein>,
    readonly capacity = 64,
  ) {}

  async prepare(ks: Iterable<number>): Promise<void> {
    const want = new Set(ks);
    await Promise.all(
      [...want].map(async (k) => {
        const have = this.held.get(k);
        if (have) {
          this.held.delete(k);
          this.held.set(k, have);
          return;
        }
        let pending = this.loading.get(k);
        if (!pending) {
          pending = this.load(k);
          this.loading.set(k, pending);
        }
        try {
          const pr = await pending;
          if (!this.held.has(k)) {
            this.held.set(k, pr);
            this.bytes += proteinBytes(pr);
          }
        } finally {
          this.loading.delete(k);
        }
      }),
    );
    this.peakBytes = Math.max(this.peakBytes, this.bytes);
    for (const [k, pr] of this.held) {
      if (this.held.size <= this.capacity) break;
      if (want.has(k)) continue;
      this.held.delete(k);
      this.bytes -= proteinBytes(pr);
    }
  }

  get(k: number): Protein {
    const pr = this.held.get(k);
    if (!pr)
      throw new NasxError('run', `task "${PSICOV_ID}": protein ${k} was used before it was loaded`, {
        pkg: PKG,
        contribution: PSICOV_ID,
        fix: 'report this as a bug of @nasx/task-nb360 (samples are written only after prepare())',
      });
    return pr;
  }
}

/** Training: one sample per protein, a random 128×128 crop of the padded protein each epoch (top-left without an rng). */
export function cropWriter(store: ProteinStore): SampleWriter {
  const corners = new Map<number, [number, number]>();
  return {
    write(i, out, at, rng: Rng | undefined) {
      const pr = store.get(i);
      const room = pr.length + PSICOV_PAD - PSICOV_CROP;
      const corner: [number, number] = room > 0 && rng ? [rng.int(room + 1), rng.int(room + 1)] : [0, 0];
      corners.set(i, corner);
      writeProteinInput(pr, corner[0], corner[1], out, at);
    },
    writeTarget(i, out, at) {
      const [r0, c0] = corners.get(i) ?? [0, 0];
      writeProteinTarget(store.get(i), r0, c0, out, at);
    },
    prepare: (indices) => store.prepare(indices),
  };
}

/** The tiles covering each padded protein, and what the metric needs of each protein (its length and distances). */
export interface Tiling {
  readonly store: ProteinStore;
  /** Per protein: its length L. */
  readonly lengths: readonly number[];
  /** Per protein: its `[L, L]` distances (kept for scoring; the features are read on demand). */
  readonly distances: readonly Float32Array[];
  /** Per tile: protein index, row and column of its corner in the padded protein. */
  readonly tiles: readonly (readonly [number, number, number])[];
  /** Per protein: index of its first tile (tiles of a protein are row-major). */
  readonly first: readonly number[];
}

/** The tiling of proteins whose lengths and distances are known, their features in `store`. */
export function tileStore(store: ProteinStore, lengths: readonly number[], distances: readonly Float32Array[]): Tiling {
  const tiles: [number, number, number][] = [];
  const first: number[] = [];
  lengths.forEach((L, k) => {
    first.push(tiles.length);
    const t = Math.ceil((L + PSICOV_PAD) / PSICOV_CROP);
    for (let a = 0; a < t; a++) for (let b = 0; b < t; b++) tiles.push([k, a * PSICOV_CROP, b * PSICOV_CROP]);
  });
  return { store, lengths, distances, tiles, first };
}

/** The tiling of proteins held in memory. */
export function tileProteins(proteins: readonly Protein[]): Tiling {
  return tileStore(
    heldProteins(proteins),
    proteins.map((p) => p.length),
    proteins.map((p) => p.distance),
  );
}

function tileWriter(t: Tiling): SampleWriter {
  return {
    write: (i, out, at) => writeProteinInput(t.store.get(t.tiles[i]![0]), t.tiles[i]![1], t.tiles[i]![2], out, at),
    writeTarget: (i, out, at) => writeProteinTarget(t.store.get(t.tiles[i]![0]), t.tiles[i]![1], t.tiles[i]![2], out, at),
    prepare: (indices) => t.store.prepare(Array.from(indices, (i) => t.tiles[i]![0])),
  };
}

/** The tilings of the validation and test sets, by set (the metric stitches their tiles back). */
const tilings = new WeakMap<object, Tiling>();

function tiledSet(t: Tiling): SampleSet {
  const set: SampleSet = { size: t.tiles.length, x: new Float32Array(0), writer: tileWriter(t) };
  tilings.set(set, t);
  return set;
}

/**
 * MAE₈ of whole proteins from the predictions of their tiles: each protein's predicted map is
 * stitched from its tiles (padding removed), made symmetric, and scored against its distances.
 */
export function stitchedMae8(t: Tiling, outputs: Float32Array, samples: number): number {
  let total = 0;
  let counted = 0;
  t.lengths.forEach((L, k) => {
    const perSide = Math.ceil((L + PSICOV_PAD) / PSICOV_CROP);
    if (t.first[k]! + perSide * perSide > samples) return;
    const pred = new Float32Array(L * L);
    for (let p = 0; p < L; p++)
      for (let q = 0; q < L; q++) {
        const [R, C] = [p + HALF, q + HALF];
        const tile = t.first[k]! + Math.floor(R / PSICOV_CROP) * perSide + Math.floor(C / PSICOV_CROP);
        pred[p * L + q] = outputs[tile * PLANE + (R % PSICOV_CROP) * PSICOV_CROP + (C % PSICOV_CROP)]!;
      }
    const v = mae8(pred, t.distances[k]!, 1, L);
    if (!Number.isNaN(v)) {
      total += v;
      counted++;
    }
  });
  return counted ? total / counted : NaN;
}

/** First whitespace-separated token of each non-empty line (`load_list`). */
export function parseList(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((s) => s !== '');
}

/** A protein's features (`<id>.pkl`) and distance map (`<id>-cb.npy`), checked as `get_feature` / `get_map` check them. */
export async function readProtein(id: string, features: Uint8Array, distance: Uint8Array, where: string): Promise<Protein> {
  const bad = (what: string) =>
    new NasxError('data', `task "${PSICOV_ID}": ${where}: protein ${id} ${what}`, {
      pkg: PKG,
      contribution: PSICOV_ID,
      file: where,
      fix: `use ${PSICOV_FILE} of the NAS-Bench-360 release (PDNET's DeepCov / PSICOV features and distance maps)`,
    });
  const f = (await unpickle(features, `${where}:${id}.pkl`)) as Record<string, unknown>;
  const arr = (k: string, shape: (L: number) => number[], L: number): ArrayLike<number> => {
    const a = (f instanceof Map ? f.get(k) : f?.[k]) as NdArray | undefined;
    const want = shape(L);
    if (!a || !isNumeric(a) || a.shape.length !== want.length || a.shape.some((d, i) => d !== want[i]))
      throw bad(`has features "${k}" of shape [${a?.shape?.join(', ') ?? 'none'}]; expected [${want.join(', ')}]`);
    return a.data as ArrayLike<number>;
  };
  const seq = f instanceof Map ? f.get('seq') : f?.['seq'];
  if (typeof seq !== 'string') throw bad('has no "seq" string in its features');
  const L = seq.length;
  const ss = arr('ss', (l) => [3, l], L);
  const pssm = arr('pssm', (l) => [l, 22], L);
  const sa = arr('sa', (l) => [l], L);
  const entropy = arr('entropy', (l) => [l], L);
  const f1 = new Float32Array(L * F1);
  for (let q = 0; q < L; q++) {
    for (let j = 0; j < 3; j++) f1[q * F1 + j] = ss[j * L + q]!;
    for (let j = 0; j < 22; j++) f1[q * F1 + 3 + j] = pssm[q * 22 + j]!;
    f1[q * F1 + 25] = sa[q]!;
    f1[q * F1 + 26] = entropy[q]!;
  }
  const maps = new Float32Array(3 * L * L);
  ['ccmpred', 'freecon', 'potential'].forEach((k, m) => maps.set(Float32Array.from(arr(k, (l) => [l, l], L)), m * L * L));
  const d = await loadNpy(distance, `${where}:${id}-cb.npy`);
  const cb = (d.data as unknown[])[2] as NdArray | undefined;
  const ly = Number((d.data as unknown[])[0]);
  if (d.dtype !== 'O' || !cb || !isNumeric(cb) || cb.shape.length !== 2 || cb.shape[0] !== cb.shape[1] || cb.shape[0]! > L || ly !== cb.shape[0])
    throw bad(`has a distance file that is not (L, sequence, map [L, L]) with L ≤ ${L}`);
  const ly0 = cb.shape[0]!;
  const full = new Float32Array(L * L).fill(NaN);
  const processed = processDistanceMap(Float32Array.from(cb.data as ArrayLike<number>), ly0);
  for (let p = 0; p < ly0; p++) full.set(processed.subarray(p * ly0, (p + 1) * ly0), p * L);
  return { id, length: L, f1, maps, distance: full };
}

/** A seeded subset of `ids` of at most `limit`, in list order. */
function subset(ids: readonly string[], limit: number | undefined, rng: IntSource): string[] {
  if (limit === undefined || limit >= ids.length) return [...ids];
  const keep = shuffleInPlace(
    Int32Array.from({ length: ids.length }, (_, i) => i),
    rng,
  )
    .subarray(0, limit)
    .sort();
  return Array.from(keep, (i) => ids[i]!);
}

/** Proteins held for training, a few batches at a time (see {@link LazyProteins}). */
export const PSICOV_HELD_PROTEINS = 64;

/** What the release gives each split: training proteins read on demand, validation and test tiled. */
interface ReleaseSplits {
  readonly train: LazyProteins;
  readonly validation: Tiling;
  readonly test: Tiling;
}

/**
 * Opens the release archive: the lists, and each protein's members (features searched in deepcov,
 * psicov, cameo order; the last found wins, as in `get_feature`), all checked present. Validation and
 * test proteins are read once now for their lengths and distances (the metric needs them); their
 * features, and every training protein, are read from the archive as batches need them. The archive
 * stays open while the task is in use.
 */
async function readRelease(file: string, ctx: LoadContext): Promise<ReleaseSplits> {
  const fd = fs.openSync(file, 'r');
  try {
    const entries = readZipDirectory(fd, file);
    const byName = new Map<string, ZipEntry>(entries.map((e) => [e.name, e]));
    const listEntry = entries.find((e) => e.name === 'deepcov.lst' || e.name.endsWith('/deepcov.lst'));
    const missing = (what: string) =>
      new NasxError('data', `task "${PSICOV_ID}": ${file} has no ${what}`, {
        pkg: PKG,
        contribution: PSICOV_ID,
        file,
        fix: `use ${PSICOV_FILE} of the NAS-Bench-360 release (deepcov.lst, psicov.lst, deepcov/, psicov/ with features/ and distance/)`,
      });
    if (!listEntry) throw missing('deepcov.lst');
    const root = listEntry.name.slice(0, listEntry.name.length - 'deepcov.lst'.length);
    const psicovList = byName.get(`${root}psicov.lst`);
    if (!psicovList) throw missing(`${root}psicov.lst`);
    const deepcov = parseList(readZipMember(fd, file, listEntry).toString('utf8'));
    const psicov = parseList(readZipMember(fd, file, psicovList).toString('utf8'));
    const find = (id: string, kind: 'features' | 'distance'): ZipEntry => {
      const leaf = kind === 'features' ? `${id}.pkl` : `${id}-cb.npy`;
      const hits = ['deepcov', 'psicov', 'cameo'].map((s) => byName.get(`${root}${s}/${kind}/${leaf}`)).filter((e): e is ZipEntry => e !== undefined);
      if (hits.length === 0) throw missing(`${kind} file for protein ${id} (${root}<deepcov|psicov|cameo>/${kind}/${leaf})`);
      return hits[hits.length - 1]!;
    };
    const members = (ids: readonly string[]) => ids.map((id) => ({ id, features: find(id, 'features'), distance: find(id, 'distance') }));
    const loader = (list: ReturnType<typeof members>) => (k: number) => {
      const m = list[k]!;
      return readProtein(m.id, readZipMember(fd, file, m.features), readZipMember(fd, file, m.distance), file);
    };
    const train = members(subset(deepcov.slice(PSICOV_VALIDATION), ctx.options.limit, ctx.rng));
    const tiled = async (ids: readonly string[]): Promise<Tiling> => {
      const list = members(ids);
      const load = loader(list);
      const lengths: number[] = [];
      const distances: Float32Array[] = [];
      for (let k = 0; k < list.length; k++) {
        const pr = await load(k);
        lengths.push(pr.length);
        distances.push(pr.distance);
      }
      return tileStore(new LazyProteins(list.length, load, PSICOV_HELD_PROTEINS), lengths, distances);
    };
    const validation = await tiled(subset(deepcov.slice(0, PSICOV_VALIDATION), ctx.options.validationLimit, ctx.rng));
    const test = await tiled(psicov);
    return { train: new LazyProteins(train.length, loader(train), PSICOV_HELD_PROTEINS), validation, test };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/**
 * Synthetic proteins (tests only): compact chains of random 3.8 Å steps kept within a sphere, so
 * residues far apart in sequence come into contact (< 8 Å) as in folded proteins; pairwise features carry a noisy contact signal and the 1-D features a
 * noisy local geometry, so distances are learnable.
 */
export function syntheticProtein(id: string, L: number, rng: IntSource): Protein {
  const u = () => rng.int(1 << 30) / (1 << 30);
  // A compact globule: a step that would leave a sphere of radius ~ 2.5 L^⅓ Å turns back toward the centre.
  const radius = 2.5 * Math.cbrt(L) * 1.6;
  const pos: [number, number, number][] = [[0, 0, 0]];
  let dir: [number, number, number] = [1, 0, 0];
  for (let i = 1; i < L; i++) {
    const prev = pos[i - 1]!;
    const out = Math.hypot(...prev) > radius;
    const base: [number, number, number] = out ? [-prev[0] / Math.hypot(...prev), -prev[1] / Math.hypot(...prev), -prev[2] / Math.hypot(...prev)] : dir;
    const turn: [number, number, number] = [base[0] + (u() - 0.5) * 1.6, base[1] + (u() - 0.5) * 1.6, base[2] + (u() - 0.5) * 1.6];
    const n = Math.hypot(...turn);
    dir = [turn[0] / n, turn[1] / n, turn[2] / n];
    pos.push([prev[0] + 3.8 * dir[0], prev[1] + 3.8 * dir[1], prev[2] + 3.8 * dir[2]]);
  }
  const raw = new Float32Array(L * L);
  for (let p = 0; p < L; p++)
    for (let q = 0; q < L; q++) raw[p * L + q] = Math.hypot(pos[p]![0] - pos[q]![0], pos[p]![1] - pos[q]![1], pos[p]![2] - pos[q]![2]);
  const f1 = new Float32Array(L * F1);
  for (let q = 0; q < L; q++) {
    const local = q > 1 && q < L - 2 ? raw[(q - 2) * L + q + 2]! / 15 : 0.5;
    for (let k = 0; k < F1; k++) f1[q * F1 + k] = k < 3 ? (k === Math.min(2, Math.floor(local * 3)) ? 1 : 0) : local * ((k % 5) / 5) + 0.1 * u();
  }
  const maps = new Float32Array(3 * L * L);
  for (let p = 0; p < L; p++)
    for (let q = 0; q < L; q++) {
      const contact = Math.exp(-raw[p * L + q]! / 8);
      for (let m = 0; m < 3; m++) maps[m * L * L + p * L + q] = contact * (1 - 0.2 * m) + 0.05 * u();
    }
  return { id, length: L, f1, maps, distance: processDistanceMap(raw, L) };
}

export function syntheticPsicov(ctx: LoadContext): LoadedData {
  const proteins = (n: number, tag: string) => Array.from({ length: n }, (_, i) => syntheticProtein(`${tag}${i}`, 30 + ctx.rng.int(120), ctx.rng));
  const n = ctx.options.syntheticSize;
  const v = Math.max(2, Math.ceil(n / 16));
  const train = proteins(n, 'train');
  return {
    source: 'synthetic',
    description: 'SYNTHETIC proteins (compact random chains, tests only)',
    files: [],
    train: { size: train.length, x: new Float32Array(0), writer: cropWriter(heldProteins(train)) },
    validation: tiledSet(tileProteins(proteins(v, 'val'))),
    test: tiledSet(tileProteins(proteins(v, 'test'))),
  };
}

export const psicovTask = defineNb360Task({
  id: PSICOV_ID,
  title: 'PSICOV (NAS-Bench-360)',
  description:
    'Predict protein inter-residue distance maps from 57 channels of pairwise features (PDNET): 128×128 crops, dense regression, MAE₈ of whole proteins (long-range pairs within 8 Å).',
  modality: 'dense-prediction',
  inputShape: [PSICOV_CHANNELS, PSICOV_CROP, PSICOV_CROP],
  outputShape: [1, PSICOV_CROP, PSICOV_CROP],
  numClasses: 1,
  loss: 'mse',
  metric: {
    name: 'val_mae8',
    direction: 'minimize',
    unit: 'Å',
    description: 'MAE₈ of the validation proteins: absolute distance error over pairs ≥ 24 apart and within 8 Å, stitched from 128×128 tiles',
  },
  paper: {
    metric: 'MAE₈ (Å)',
    wrn: { mean: 3.84, std: 0.05 },
    denseNas: { mean: 3.84, std: 0.15 },
    dartsGaea: { mean: 2.94, std: 0.13 },
    expert: { mean: 3.5, note: 'PDNET, from the repository draft table (docs/index.md)' },
  },
  files: { full: [PSICOV_FILE] },
  download: `the NAS-Bench-360 PSICOV release (${PSICOV_FILE}: https://pde-xd.s3.amazonaws.com/protein.zip, used without unpacking)`,
  async loadFull(ctx) {
    const file = path.join(ctx.dataDir, PSICOV_FILE);
    const { train, validation, test } = await readRelease(file, ctx);
    return {
      source: 'full',
      description: `full release: ${train.size} DeepCov training and ${validation.lengths.length} validation proteins, ${test.lengths.length} PSICOV test proteins (read from the archive in place as batches need them, at most ${PSICOV_HELD_PROTEINS} held per split)`,
      files: [file],
      train: { size: train.size, x: new Float32Array(0), writer: cropWriter(train) },
      validation: tiledSet(validation),
      test: tiledSet(test),
    };
  },
  synthetic: syntheticPsicov,
  score: (p: TaskPredictions, split) => {
    const t = tilings.get(split);
    if (!t)
      throw new NasxError('usage', `task "${PSICOV_ID}": only the validation and test splits (whole proteins, tiled) can be scored`, {
        pkg: PKG,
        contribution: PSICOV_ID,
        fix: 'score the validation or test split; training crops are random windows, not whole proteins',
      });
    return stitchedMae8(t, p.outputs, p.samples);
  },
});
