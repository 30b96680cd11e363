import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNumeric, type NdArray } from './ndarray';
import { loadPickle } from './pickle';
import { isDiskArray, unpackPickle, type DiskArray } from './spill';

// tools/scripts/format-fixtures.py: {images: float32 [10, 3, 4] = 100 i + 10 j + k, labels: 7 i (int64),
// small: [0.5, -1], name: 'cube', nan: NaN, parts: [1, 'two', None]}, pickled with protocols 2, 4, 5.
const fx = (name: string) => path.join(__dirname, '__fixtures__', name);
type Arrays = { images: NdArray | DiskArray; labels: NdArray | DiskArray; small: NdArray; name: string; nan: number; parts: unknown[] };
const cube = Array.from({ length: 120 }, (_, n) => 100 * Math.floor(n / 12) + 10 * Math.floor((n % 12) / 4) + (n % 4));

async function rowsOf(a: DiskArray, start: number, count: number): Promise<number[]> {
  const src = a.open();
  try {
    return Array.from(await src.read(start, count));
  } finally {
    src.close();
  }
}

describe('unpackPickle: a pickle with its large arrays on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-unpack-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it.each(['arrays_p4.pkl', 'arrays_p4.pkl.gz', 'arrays_p5.pkl'])(
    '%s: arrays at least minBytes long are read from disk by row range; the rest as loadPickle reads them',
    async (name) => {
      const first = await unpackPickle(fx(name), { minBytes: 256, dir });
      expect(first.from).toBe('unpacked');
      const v = first.value as Arrays;
      expect(isDiskArray(v.images)).toBe(true);
      const images = v.images as DiskArray;
      expect([images.dtype, images.shape]).toEqual(['f4', [10, 3, 4]]);
      expect(await rowsOf(images, 0, 10)).toEqual(cube);
      expect(await rowsOf(images, 7, 2)).toEqual(cube.slice(84, 108));
      // 80 bytes of labels stay in memory, as do the other values.
      expect(isDiskArray(v.labels)).toBe(false);
      expect(Array.from((v.labels as NdArray).data as Float64Array)).toEqual([0, 7, 14, 21, 28, 35, 42, 49, 56, 63]);
      expect(Array.from(v.small.data as Float64Array)).toEqual([0.5, -1]);
      expect([v.name, v.nan, v.parts]).toEqual(['cube', NaN, [1, 'two', null]]);
      // Only the spilled bytes are on disk.
      expect(fs.statSync(first.file!).size).toBe(480);

      // Again: from the cache's manifest, without reading the pickle, the same values.
      const again = await unpackPickle(fx(name), { minBytes: 256, dir });
      expect(again.from).toBe('cache');
      const w = again.value as Arrays;
      expect(await rowsOf(w.images as DiskArray, 0, 10)).toEqual(cube);
      expect(Array.from((w.labels as NdArray).data as Float64Array)).toEqual(Array.from((v.labels as NdArray).data as Float64Array));
      expect((w.labels as NdArray).data).toBeInstanceOf(Float64Array);
      expect([w.name, w.nan, w.parts, w.small]).toEqual([v.name, v.nan, v.parts, v.small]);
      expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    },
  );

  it('matches loadPickle value for value; nothing at or above minBytes: nothing written', async () => {
    const held = (await loadPickle(fx('arrays_p4.pkl'))) as Arrays;
    const none = await unpackPickle(fx('arrays_p4.pkl'), { minBytes: 1 << 20, dir });
    expect(none.value).toEqual(held);
    expect(none.file).toBeUndefined();
    expect(fs.readdirSync(dir)).toEqual([]);
    expect(isNumeric(held.images as NdArray)).toBe(true);
  });

  it('protocol 2 keeps arrays in memory (their bytes are latin-1 text, which is not spilled)', async () => {
    const { value } = await unpackPickle(fx('arrays_p2.pkl'), { minBytes: 256, dir });
    const v = value as Arrays;
    expect(isDiskArray(v.images)).toBe(false);
    expect(Array.from((v.images as NdArray).data as Float32Array)).toEqual(cube);
  });

  it('a changed pickle is unpacked again; a value the manifest cannot keep (a dict with int keys) is unpacked every time', async () => {
    const copy = path.join(dir, 'in', 'a.pkl');
    fs.mkdirSync(path.dirname(copy));
    fs.copyFileSync(fx('arrays_p4.pkl'), copy);
    const out = path.join(dir, 'out');
    expect((await unpackPickle(copy, { minBytes: 256, dir: out })).from).toBe('unpacked');
    expect((await unpackPickle(copy, { minBytes: 256, dir: out })).from).toBe('cache');
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(copy, later, later);
    expect((await unpackPickle(copy, { minBytes: 256, dir: out })).from).toBe('unpacked');
    // records_p4.pkl holds {1: 'one', …}: a Map, kept in memory; its arrays are below 256 bytes.
    expect((await unpackPickle(fx('records_p4.pkl'), { minBytes: 16, dir: out })).from).toBe('unpacked');
    expect((await unpackPickle(fx('records_p4.pkl'), { minBytes: 16, dir: out })).from).toBe('unpacked');
  });

  it('processes unpacking the same pickle at once each get a whole file (written under a temporary name, then renamed)', async () => {
    const all = await Promise.all([1, 2, 3].map(() => unpackPickle(fx('arrays_p4.pkl.gz'), { minBytes: 256, dir })));
    for (const u of all) expect(await rowsOf((u.value as Arrays).images as DiskArray, 0, 10)).toEqual(cube);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a truncated gzip pickle: one error naming the file, and no partial file left behind', async () => {
    const bytes = fs.readFileSync(fx('arrays_p4.pkl.gz'));
    const cut = path.join(dir, 'cut.pkl.gz');
    fs.writeFileSync(cut, bytes.subarray(0, 300));
    const out = path.join(dir, 'out');
    await expect(unpackPickle(cut, { minBytes: 256, dir: out })).rejects.toThrow(/cut\.pkl\.gz/);
    expect(fs.readdirSync(out)).toEqual([]);
  });

  it('without a cache folder the file goes to a temporary folder of the process, and is unpacked again next time', async () => {
    const u = await unpackPickle(fx('arrays_p5.pkl'), { minBytes: 256 });
    expect(path.basename(path.dirname(u.file!))).toMatch(/^nasx-unpacked-/);
    expect(await rowsOf((u.value as Arrays).images as DiskArray, 9, 1)).toEqual(cube.slice(108));
    expect((await unpackPickle(fx('arrays_p5.pkl'), { minBytes: 256 })).from).toBe('unpacked');
  });
});
