import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { ShardedSplit, npyHeader, readTarDirectory, writeTar } from '@nasx/data';
import { catchNasxErrorAsync, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type Nb360Options, type Nb360Task } from '../common/nb360-task';
import { COSMIC_SIDE, cosmicTask } from './cosmic';

async function create(options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await cosmicTask.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}

const W = 200;
/** Stored value of array `id`, plane p, row r, column c: the image plane encodes the position; the mask plane is 1 on even diagonals. */
const value = (id: number, p: number, r: number, c: number) => (p === 0 ? id * 100000 + r * 256 + c : p === 1 ? ((r + c) % 2 === 0 ? 1 : 0) : 0);
function npy(id: number, planes = 3): Uint8Array {
  const data = Float32Array.from({ length: planes * W * W }, (_, k) => value(id, Math.floor(k / (W * W)), Math.floor((k % (W * W)) / W), k % W));
  return Buffer.concat([npyHeader('f4', [planes, W, W]), Buffer.from(data.buffer)]);
}

describe('Cosmic (deepCR ACS-WFC)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-cosmic-'));
    // 10 galaxy-field arrays over two GAL visits (10760_2, 13737_3), plus what NAS-Bench-360 skips:
    // a globular-cluster visit, another filter, and sky.npy.
    const train = [
      ...Array.from({ length: 6 }, (_, i) => ({ name: `npy_train/f435w/10760/2/${i + 1}_x.npy`, data: npy(i) })),
      ...Array.from({ length: 4 }, (_, i) => ({ name: `npy_train/f435w/13737/3/${i + 1}_y.npy`, data: npy(10 + i, i === 0 ? 2 : 3) })),
      { name: 'npy_train/f435w/10595/2/1_z.npy', data: npy(90) },
      { name: 'npy_train/f606w/10760/2/1_x.npy', data: npy(91) },
      { name: 'npy_train/f435w/10760/2/sky.npy', data: Buffer.concat([npyHeader('f4', [6]), Buffer.alloc(24)]) },
    ];
    writeTar(path.join(dir, 'deepCR.ACS-WFC.train.tar'), train);
    writeTar(
      path.join(dir, 'deepCR.ACS-WFC.test.tar'),
      Array.from({ length: 3 }, (_, i) => ({ name: `npy_test/f435w/12058/6/${i + 1}_t.npy`, data: npy(50 + i) })),
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the tar directory (names, offsets, sizes) written by a ustar writer', () => {
    const entries = readTarDirectory(path.join(dir, 'deepCR.ACS-WFC.test.tar'));
    expect(entries.map((e) => e.name)).toEqual(['npy_test/f435w/12058/6/1_t.npy', 'npy_test/f435w/12058/6/2_t.npy', 'npy_test/f435w/12058/6/3_t.npy']);
    expect(entries[0]!.size).toBe(npy(0).length);
    expect(entries[1]!.offset % 512).toBe(0);
  });

  it('keeps f435w galaxy fields only, splits 90/10 in path order, crops [64:192, 64:192] of image and mask, streamed', async () => {
    const t = await create({ source: 'full' }, { dataDir: dir });
    const { train, validation, test } = t.data;
    if (!isStreamed(train) || !isStreamed(validation) || !isStreamed(test)) throw new Error('expected streamed splits');
    expect([train.size, validation.size, test.size]).toEqual([9, 1, 3]);
    // path order: 10760/2/1..6 (ids 0-5), then 13737/3/1..4 (ids 10-13); the last one validates.
    const x = await validation.contents.inputs.read(0, 1);
    expect(x[0]).toBe(value(13, 0, 64, 64));
    expect(x[5 * COSMIC_SIDE + 7]).toBe(value(13, 0, 69, 71));
    const y = await train.contents.targets.read(6, 1); // id 10: a 2-plane array (no ignore mask)
    expect(Array.from(y.subarray(0, 4))).toEqual([1, 0, 1, 0]);
    const xt = await test.contents.inputs.read(2, 1);
    expect(xt[COSMIC_SIDE * COSMIC_SIDE - 1]).toBe(value(52, 0, 191, 191));
    // an epoch streams a shard at a time
    const split = t.splits.train as ShardedSplit;
    let seen = 0;
    for await (const b of split.batches({ batchSize: 4 })) seen += b.x.shape[0]!;
    expect(seen).toBe(9);
    expect(split.peakBytesHeld).toBeLessThanOrEqual(2 * 9 * COSMIC_SIDE * COSMIC_SIDE * 4);
  });

  it('scores 1 − AUROC of the thresholded masks; perfect masks give AUROC 1, all-zero masks 0.5', async () => {
    const t = await create({ source: 'synthetic', syntheticSize: 8 });
    expect(t.metric.description).toMatch(/SYNTHETIC/);
    const n = t.splits.validation.size;
    const truth = (await t.targetsOf('validation')) as Float32Array;
    const p = (outputs: Float32Array) => ({ outputs, outputSize: COSMIC_SIDE * COSMIC_SIDE, targets: truth, samples: n });
    expect(t.score(p(Float32Array.from(truth, (v) => (v ? 5 : -5))))).toBe(1);
    expect(t.score(p(new Float32Array(truth.length)))).toBe(0.5);
    expect(t.paperForm(0.75)).toBeCloseTo(25, 9);
    const e = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: os.tmpdir() }));
    expect(e.message).toContain('deepCR.ACS-WFC.train.tar');
    expect(e.fix).toContain('cosmic');
  });

  it('names the member of a wrong shape', async () => {
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-cosmic-bad-'));
    try {
      const small = Buffer.concat([npyHeader('f4', [3, 100, 100]), Buffer.alloc(3 * 100 * 100 * 4)]);
      writeTar(path.join(bad, 'deepCR.ACS-WFC.train.tar'), [
        { name: 'npy_train/f435w/10760/2/1_x.npy', data: small },
        { name: 'npy_train/f435w/10760/2/2_x.npy', data: small },
      ]);
      writeTar(path.join(bad, 'deepCR.ACS-WFC.test.tar'), [{ name: 'npy_test/f435w/10760/2/1_x.npy', data: small }]);
      const t = await create({ source: 'full' }, { dataDir: bad });
      const train = t.data.train;
      if (!isStreamed(train)) throw new Error('expected streamed');
      await expect(train.contents.inputs.read(0, 1)).rejects.toThrow(/1_x\.npy holds \[3, 100, 100\]/);
    } finally {
      fs.rmSync(bad, { recursive: true, force: true });
    }
  });
});
