import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { mae8 } from '@nasx/stats';
import { catchNasxErrorAsync, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type DataSet, type Nb360Options, type Nb360Task, type SampleSet } from '../common/nb360-task';
import { LazyProteins, PSICOV_CHANNELS, processDistanceMap, proteinBytes, psicovTask, stitchedMae8, syntheticProtein, tileProteins } from './psicov';

// protein.zip in the release layout (tools/scripts/nb360-release-fixtures.py), formulas below.
const RELEASE = path.join(__dirname, '..', '__fixtures__', 'release');
const PLANE = 128 * 128;

async function create(options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await psicovTask.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}
const held = (s: DataSet): SampleSet => {
  if (isStreamed(s)) throw new Error('expected an in-memory split');
  return s;
};
const cb = (p: number, q: number) => (Math.abs(p - q) < 24 ? 1.5 * Math.abs(p - q) : 4 + ((p + q) % 9));

describe('PSICOV (PDNET features, protein.zip)', () => {
  it('proteins are read from the archive as batches need them, the next batch already while one is consumed, a bounded number held', async () => {
    const t = await create({ source: 'full' }, { dataDir: RELEASE });
    const reads: number[] = [];
    const proteins = Array.from({ length: 10 }, (_, k) => syntheticProtein(`p${k}`, 12 + k, testDeps(k).rng));
    const store = new LazyProteins(10, async (k) => (reads.push(k), proteins[k]!), 3);
    await store.prepare([0, 1]);
    await store.prepare([1, 2]);
    expect(reads).toEqual([0, 1, 2]); // 1 was held
    await store.prepare([3, 4]);
    // Capacity 3: the least recently used (0, then 1) went; the request's own are never pushed out.
    await store.prepare([0]);
    expect(reads).toEqual([0, 1, 2, 3, 4, 0]);
    expect(store.get(0)).toBe(proteins[0]);
    expect(() => store.get(1)).toThrow(/protein 1 was used before it was loaded/);
    // At most the capacity plus one request is held: 0–4 while [3, 4] was served.
    expect(store.peakBytes).toBe([0, 1, 2, 3, 4].reduce((b, k) => b + proteinBytes(proteins[k]!), 0));
    // Concurrent requests for one protein read it once.
    const once = new LazyProteins(2, async (k) => (reads.push(100 + k), proteins[k]!), 2);
    await Promise.all([once.prepare([1]), once.prepare([1])]);
    expect(reads.filter((r) => r === 101)).toHaveLength(1);

    // Through the task: the validation tiles in fixed order, batch by batch as the writer gives them after prepare().
    const validation = held(t.data.validation);
    const x = new Float32Array(PSICOV_CHANNELS * PLANE);
    let n = 0;
    for await (const b of t.splits.validation.batches({ batchSize: 16 })) {
      const indices = b.indices!;
      const k = indices.length - 1;
      await validation.writer!.prepare!(indices.subarray(k));
      validation.writer!.write(indices[k]!, x, 0, undefined);
      const got = (b.x.data as Float32Array).subarray(k * x.length, (k + 1) * x.length);
      expect(Buffer.compare(Buffer.from(got.buffer, got.byteOffset, got.byteLength), Buffer.from(x.buffer))).toBe(0);
      n += indices.length;
    }
    expect(n).toBe(100);
  });

  it('reads the archive in place: DeepCov after the first 100 trains, the first 100 validate, PSICOV tests in 128×128 tiles', async () => {
    const t = await create({ source: 'full' }, { dataDir: RELEASE });
    expect(t.inputShape).toEqual([PSICOV_CHANNELS, 128, 128]);
    // 4 training proteins; 100 validation proteins of ≤ 14 residues (one tile each); test: 20 and 30 residues
    // (one tile each), 130 residues (padded 140: 2 × 2 tiles).
    expect([t.splits.train.size, t.splits.validation.size, t.splits.test!.size]).toEqual([4, 100, 6]);
  });

  it('builds the 57 channels as get_feature does: 1-D features along columns and rows, then the three maps; padding 5', async () => {
    const t = await create({ source: 'full' }, { dataDir: RELEASE });
    const train = held(t.data.train);
    const x = new Float32Array(PSICOV_CHANNELS * PLANE);
    await train.writer!.prepare!(Int32Array.of(0));
    train.writer!.write(0, x, 0, undefined); // dc100: L = 8 + 100 % 7 = 10, n = 100
    const at = (ch: number, r: number, c: number) => x[ch * PLANE + r * 128 + c]!;
    const [p, q] = [2, 7];
    const [r, c] = [p + 5, q + 5];
    expect(at(0, r, c)).toBe((q + 0) % 3 === 0 ? 1 : 0); // ss[0] of the column residue
    expect(at(1, r, c)).toBe((p + 0) % 3 === 0 ? 1 : 0); // … of the row residue
    expect(at(6 + 2 * 4, r, c)).toBeCloseTo((22 * q + 4) / 1000 + 1, 6); // pssm[q, 4]
    expect(at(6 + 2 * 4 + 1, r, c)).toBeCloseTo((22 * p + 4) / 1000 + 1, 6);
    expect(at(50, r, c)).toBeCloseTo(q / 100, 6);
    expect(at(53, r, c)).toBeCloseTo(1 + p / 100, 6);
    expect(at(54, r, c)).toBeCloseTo((p - q) / 100, 6);
    expect(at(55, r, c)).toBeCloseTo(p / 10, 6);
    expect(at(56, r, c)).toBeCloseTo(q / 10 + 1, 6);
    expect(at(56, 4, 6)).toBe(0); // padding
    expect(at(56, 5 + 10, 6)).toBe(0); // past the protein
  });

  it('targets: get_map processing, clipped at 16, NaN → 0, padding 16; a random crop shares its corner with the target', async () => {
    const t = await create({ source: 'full' }, { dataDir: RELEASE });
    const train = held(t.data.train);
    const y = new Float32Array(PLANE);
    const x = new Float32Array(PSICOV_CHANNELS * PLANE);
    await train.writer!.prepare!(Int32Array.of(1));
    train.writer!.write(1, x, 0, undefined); // dc101: L = 11, NaN at (1, 3)
    train.writer!.writeTarget(1, y, 0);
    const Y = (p: number, q: number) => y[(p + 5) * 128 + q + 5]!;
    expect(Y(1, 3)).toBe(0);
    expect(Y(0, 0)).toBe(1.5); // diagonal = its right neighbour
    expect(Y(4, 4)).toBe(1.5); // mean of both neighbours
    expect(Y(0, 10)).toBe(15);
    expect(Y(0, 11)).toBe(16);
    expect(y[0]).toBe(16);
    // A random crop of the 130-residue test protein would need room: the training proteins fit whole, so
    // any rng gives the top-left corner.
    const x2 = new Float32Array(PSICOV_CHANNELS * PLANE);
    train.writer!.write(1, x2, 0, testDeps(3).rng);
    expect(x2).toEqual(x);
  });

  it('scores MAE₈ of whole proteins stitched from tiles: exact distances → 0, +1 Å everywhere → 1', async () => {
    const t = await create({ source: 'full' }, { dataDir: RELEASE });
    const test = held(t.data.test);
    const n = test.size;
    const exact = new Float32Array(n * PLANE);
    // tiles in order: ps0 (1), ps1 (1), ps2 (2 × 2, row-major)
    const tiles: [number, number, number, number][] = [
      [20, 0, 0, 0],
      [30, 1, 0, 0],
      [130, 2, 0, 0],
      [130, 3, 0, 128],
      [130, 4, 128, 0],
      [130, 5, 128, 128],
    ];
    for (const [L, s, r0, c0] of tiles)
      for (let r = 0; r < 128; r++)
        for (let c = 0; c < 128; c++) {
          const [p, q] = [r + r0 - 5, c + c0 - 5];
          if (p >= 0 && p < L && q >= 0 && q < L) exact[s * PLANE + r * 128 + c] = p === q ? 1.5 : cb(p, q);
        }
    const targets = (await t.targetsOf('test')) as Float32Array;
    const score = (outputs: Float32Array) => t.scoreSplit({ outputs, outputSize: PLANE, targets, samples: n }, 'test');
    expect(score(exact)).toBeCloseTo(0, 6);
    expect(score(Float32Array.from(exact, (v) => v + 1))).toBeCloseTo(1, 6);
    // the direct MAE₈ of the three proteins with a per-protein bias equals the stitched one
    const biased = exact.slice();
    for (const [L, s] of tiles) for (let k = 0; k < PLANE; k++) biased[s * PLANE + k] = biased[s * PLANE + k]! + (L === 130 ? 3 : 0);
    const expected = [20, 30, 130].map((L) => {
      const truth = Float32Array.from({ length: L * L }, (_, k) => (Math.floor(k / L) === k % L ? 1.5 : cb(Math.floor(k / L), k % L)));
      return mae8(
        Float32Array.from(truth, (v) => v + (L === 130 ? 3 : 0)),
        truth,
        1,
        L,
      );
    });
    const valid = expected.filter((v) => !Number.isNaN(v));
    expect(score(biased)).toBeCloseTo(valid.reduce((a, b) => a + b, 0) / valid.length, 6);
    // the metric scores whole proteins only
    await expect(async () => t.scoreSplit({ outputs: exact.subarray(0, 4 * PLANE), outputSize: PLANE, targets, samples: 4 }, 'train')).rejects.toThrow(
      /validation and test/,
    );
  });

  it('limit and validationLimit count proteins, a seeded subset; a missing archive names it and the download', async () => {
    const t = await create({ source: 'full', limit: 2, validationLimit: 10 }, { dataDir: RELEASE });
    expect([t.splits.train.size, t.splits.validation.size]).toEqual([2, 10]);
    const e = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: os.tmpdir() }));
    expect(e.message).toContain('protein.zip');
    expect(e.fix).toContain('protein.zip');
  });

  it('synthetic proteins: learnable distance structure, tiles cover each protein, processDistanceMap fixes the diagonal', () => {
    const pr = syntheticProtein('s', 40, testDeps(1).rng);
    expect(pr.distance[5 * 40 + 6]).toBeCloseTo(3.8, 4); // consecutive residues 3.8 Å apart
    const tiling = tileProteins([pr, syntheticProtein('t', 125, testDeps(2).rng)]);
    expect(tiling.tiles.length).toBe(1 + 4);
    expect(stitchedMae8(tiling, new Float32Array(5 * PLANE), 5)).toBeGreaterThan(0);
    const d = processDistanceMap(Float32Array.from([0, 2, NaN, 2, 0.5, 4, NaN, 4, 0]), 3);
    expect(Array.from(d)).toEqual([2, 2, NaN, 2, 3, 4, NaN, 4, 4]);
  });
});
