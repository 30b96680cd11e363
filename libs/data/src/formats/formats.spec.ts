import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import { loadMat } from './mat';
import { isNumeric, type NdArray } from './ndarray';
import { loadNpy, openNpy } from './npy';
import { openNpz } from './npz';
import { saveNpy, writeNpz } from './npz-writer';
import { loadPickle } from './pickle';
import { readTarDirectory, writeTar } from './tar';

const FIX = path.join(__dirname, '__fixtures__');
const fx = (f: string) => path.join(FIX, f);

/** a[i, j, k] = 100 i + 10 j + k (the generator's `cube`), C order. */
function cube(shape: number[]): number[] {
  const out: number[] = [];
  const w = shape.map((_, k) => 10 ** (shape.length - 1 - k));
  const idx = new Array<number>(shape.length).fill(0);
  const n = shape.reduce((a, b) => a * b, 1);
  for (let c = 0; c < n; c++) {
    out.push(idx.reduce((s, i, k) => s + i * w[k]!, 0));
    for (let k = shape.length - 1; k >= 0; k--) {
      if (++idx[k]! < shape[k]!) break;
      idx[k] = 0;
    }
  }
  return out;
}

const values = (a: NdArray) => Array.from(a.data as ArrayLike<number>);

describe('.npy', () => {
  it('reads numeric dtypes, Fortran order and big-endian data into C order', async () => {
    const f4 = await loadNpy(fx('f4.npy'));
    expect(f4.dtype).toBe('f4');
    expect(f4.shape).toEqual([3, 4, 5]);
    expect(f4.data).toBeInstanceOf(Float32Array);
    expect(values(f4)).toEqual(cube([3, 4, 5]));
    const f8 = await loadNpy(fx('f8_fortran.npy'));
    expect(f8.data).toBeInstanceOf(Float64Array);
    expect(values(f8)).toEqual(cube([3, 4, 5]));
    expect(values(await loadNpy(fx('i8.npy')))).toEqual(cube([6, 7]).map((v) => v - 30));
    expect(values(await loadNpy(fx('u1.npy')))).toEqual(cube([4, 9]));
    const i2 = await loadNpy(fx('i2_big.npy'));
    expect(i2.data).toBeInstanceOf(Int16Array);
    expect(values(i2)).toEqual(cube([5, 3]).map((v) => v - 20));
    expect(values(await loadNpy(fx('bool.npy')))).toEqual([1, 0, 1, 1]);
    expect((await loadNpy(fx('str.npy'))).data).toEqual(['N', 'A', 'O', '~', 'Nö']);
  });

  it("reads an object array holding a dict (NAS-Bench-360's satellite files)", async () => {
    const a = await loadNpy(fx('object_dict.npy'));
    expect(a.dtype).toBe('O');
    expect(a.shape).toEqual([]);
    const d = a.data[0] as { data: NdArray; label: NdArray };
    expect(d.data.shape).toEqual([4, 46]);
    expect(values(d.data)).toEqual(cube([4, 46]));
    expect(values(d.label)).toEqual([1, 2, 3, 4]);
  });

  it('streams row ranges without reading the file', async () => {
    const src = openNpy(fx('f4.npy'));
    expect([src.rows, src.rowLength]).toEqual([3, 20]);
    expect(Array.from(await src.read(1, 2))).toEqual(cube([3, 4, 5]).slice(20));
    expect(src.maxReadBytes).toBe(2 * 20 * 4);
    await expect(src.read(2, 2)).rejects.toThrow(RangeError);
    src.close();
    expect(() => openNpy(fx('f8_fortran.npy'))).toThrow(/Fortran order/);
  });

  it('names the file and the fix for a file that is not .npy, or truncated', async () => {
    const bad = path.join(os.tmpdir(), `nasx-bad-${process.pid}.npy`);
    fs.writeFileSync(bad, 'hello world, not numpy');
    try {
      await loadNpy(bad);
      throw new Error('no error');
    } catch (e) {
      expect(e).toBeInstanceOf(NasxError);
      expect((e as NasxError).message).toContain(bad);
      expect((e as NasxError).fix).toMatch(/numpy\.save/);
    }
    fs.writeFileSync(bad, fs.readFileSync(fx('f4.npy')).subarray(0, 200));
    await expect(loadNpy(bad)).rejects.toThrow(/truncated|holds \d+ data bytes/);
    fs.rmSync(bad);
    await expect(loadNpy(fx('missing.npy'))).rejects.toThrow(/cannot be read \(ENOENT\)/);
  });
});

describe('.npz', () => {
  it.each(['stored.npz', 'deflated.npz'])('%s: loads members whole and streams row ranges', async (name) => {
    const z = await openNpz(fx(name));
    expect([...z.names].sort()).toEqual(['x_train', 'x_val', 'y_train']);
    expect(values(await z.load('x_train'))).toEqual(cube([20, 4, 10]).map((v) => v % 256));
    expect((await z.header('y_train')).shape).toEqual([20, 36]);
    const src = await z.open('x_train');
    expect([src.rows, src.rowLength, src.dtype]).toEqual([20, 40, 'u1']);
    const all = cube([20, 4, 10]).map((v) => v % 256);
    // Out of order, as a ShardedSplit reads shards: the deflated member restarts its inflation.
    expect(Array.from(await src.read(12, 5))).toEqual(all.slice(12 * 40, 17 * 40));
    expect(Array.from(await src.read(3, 4))).toEqual(all.slice(3 * 40, 7 * 40));
    expect(Array.from(await src.read(7, 2))).toEqual(all.slice(7 * 40, 9 * 40));
    expect(src.maxReadBytes).toBe(5 * 40);
    const val = await z.open('x_val');
    expect(val.dtype).toBe('f4');
    expect(Array.from(await val.read(4, 1))).toEqual(cube([5, 4, 10]).slice(160));
    await expect(z.open('x_test')).rejects.toThrow(/has no array "x_test" \(it holds /);
    z.close();
  });

  it('writes archives NumPy-compatible, zip64 included, and streams them back one range at a time', async () => {
    const file = path.join(os.tmpdir(), `nasx-npz-${process.pid}.npz`);
    const rows = 3000;
    const members = {
      x: { dtype: 'f4' as const, shape: [rows, 4, 250], rows: (s: number, n: number) => Float32Array.from({ length: n * 1000 }, (_, i) => s * 1000 + i) },
      y: { dtype: 'u1' as const, shape: [rows, 36], rows: (s: number, n: number) => Uint8Array.from({ length: n * 36 }, (_, i) => (s * 36 + i) % 2) },
    };
    try {
      for (const zip64 of [false, true]) {
        writeNpz(file, members, { chunkRows: 256, zip64 });
        const z = await openNpz(file);
        const x = await z.open('x');
        expect([x.rows, x.rowLength]).toEqual([rows, 1000]);
        const order = [7, 2, 11, 0, 5];
        for (const shard of order) {
          const got = await x.read(shard * 250, 250);
          expect(got[0]).toBe(shard * 250 * 1000);
          expect(got[got.length - 1]).toBe((shard + 1) * 250 * 1000 - 1);
        }
        expect(x.maxReadBytes).toBe(250 * 1000 * 4);
        expect(Array.from(await (await z.open('y')).read(1, 1)).slice(0, 3)).toEqual([0, 1, 0]);
        z.close();
      }
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('saveNpy round-trips', async () => {
    const file = path.join(os.tmpdir(), `nasx-save-${process.pid}.npy`);
    saveNpy(file, 'i8', [2, 3], Float64Array.from([1, -2, 3, 2 ** 40, 5, -6]));
    const a = await loadNpy(file);
    fs.rmSync(file);
    expect(a.shape).toEqual([2, 3]);
    expect(values(a)).toEqual([1, -2, 3, 2 ** 40, 5, -6]);
  });
});

describe('pickle', () => {
  it.each(['records_p2.pkl', 'records_p4.pkl', 'records_p5.pkl', 'records_p4.pkl.gz'])(
    'reads %s like challenge2017.pkl: a dict of float64 arrays and labels',
    async (name) => {
      const rec = (await loadPickle(fx(name))) as { data: NdArray[]; label: string[]; meta: Map<unknown, unknown> };
      expect(rec.label).toEqual(['N', 'A', '~']);
      expect(rec.data.map((a) => a.shape)).toEqual([[5], [9], [3]]);
      expect(rec.data[1]!.data).toBeInstanceOf(Float64Array);
      expect(values(rec.data[1]!)).toEqual(Array.from({ length: 9 }, (_, i) => i / 8));
      expect(rec.meta).toBeInstanceOf(Map);
      expect(rec.meta.get(1)).toBe('one');
      expect(rec.meta.get('two')).toEqual([2.5, null, true]);
    },
  );

  it('reads protocol 0 with NumPy scalars, big integers and bytes', async () => {
    const v = (await loadPickle(fx('scalars_p0.pkl'))) as unknown[];
    expect(v.slice(0, 2)).toEqual([1.5, -7]);
    expect(v[2]).toBe(2n ** 70n);
    expect(v.slice(3, 5)).toEqual([-3, 'é']);
    expect(Array.from(v[5] as Uint8Array)).toEqual([0, 1]);
  });

  it('refuses classes it does not know, naming them, and never runs code', async () => {
    // pickle.dumps(os.system) with protocol 2: GLOBAL 'posix system'.
    const evil = Buffer.from('800263706f7369780a73797374656d0a71002e', 'hex');
    await expect(loadPickle(evil, 'evil.pkl')).rejects.toThrow(/evil\.pkl: names the Python class posix\.system/);
    await expect(loadPickle(Buffer.from([0x80, 0x02, 0x5d]), 'cut.pkl')).rejects.toThrow(/cut\.pkl: is not a readable pickle \(/);
  });
});

describe('.mat (level 5)', () => {
  it.each(['darcy_like.mat', 'darcy_like_z.mat'])('%s: numeric variables with MATLAB shape in C order, as scipy.io.loadmat', async (name) => {
    const m = await loadMat(fx(name));
    expect(Object.keys(m).sort()).toEqual(['coeff', 'ints', 'sol']);
    expect(m.coeff!.shape).toEqual([6, 7, 8]);
    expect(m.coeff!.data).toBeInstanceOf(Float64Array);
    expect(values(m.coeff!)).toEqual(cube([6, 7, 8]));
    expect(values(m.sol!)).toEqual(cube([6, 7, 8]).map((v) => v / 4));
    expect(m.ints!.data).toBeInstanceOf(Int32Array);
    expect(values(m.ints!)).toEqual(cube([3, 2]));
  });

  it('slices while reading (Darcy: the first N fields at a stride), as float32 on request', async () => {
    const m = await loadMat(fx('darcy_like_z.mat'), {
      variables: ['coeff'],
      slices: { coeff: [{ stop: 4 }, { step: 3 }, { start: 1, step: 2 }] },
      float32: true,
    });
    expect(Object.keys(m)).toEqual(['coeff']);
    const a = m.coeff!;
    expect(a.shape).toEqual([4, 3, 4]);
    expect(a.data).toBeInstanceOf(Float32Array);
    const expected: number[] = [];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 7; j += 3) for (let k = 1; k < 8; k += 2) expected.push(100 * i + 10 * j + k);
    expect(values(a)).toEqual(expected);
    expect(isNumeric(a)).toBe(true);
  });

  it('names a missing variable, and a file that is not MATLAB level 5', async () => {
    await expect(loadMat(fx('darcy_like.mat'), { variables: ['sol', 'kappa'] })).rejects.toThrow(/has no numeric variable "kappa"/);
    await expect(loadMat(fx('f4.npy'))).rejects.toThrow(/is not a MATLAB level-5 \.mat file/);
  });
});

describe('.tar', () => {
  it('lists regular files with GNU long names and pax paths (Python tarfile, both formats), and their data reads in place', () => {
    const long = `npy_train/f435w/${'d'.repeat(100)}/1_x.npy`;
    for (const name of ['gnu.tar', 'pax.tar']) {
      const file = path.join(FIX, name);
      const entries = readTarDirectory(file);
      expect(entries.map((e) => [e.name, e.size])).toEqual([
        ['a.txt', 5],
        [long, 600],
        ['empty', 0],
      ]);
      const bytes = fs.readFileSync(file);
      expect(bytes.toString('utf8', entries[0]!.offset, entries[0]!.offset + 5)).toBe('hello');
      expect(Array.from(bytes.subarray(entries[1]!.offset + 255, entries[1]!.offset + 258))).toEqual([55, 56, 57]);
    }
  });

  it('round-trips writeTar, and names a file that is not a tar archive', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tar-'));
    try {
      const file = path.join(dir, 'x.tar');
      writeTar(file, [
        { name: 'x/1.bin', data: Uint8Array.from([1, 2, 3]) },
        { name: 'x/2.bin', data: new Uint8Array(513) },
      ]);
      expect(readTarDirectory(file).map((e) => [e.name, e.offset, e.size])).toEqual([
        ['x/1.bin', 512, 3],
        ['x/2.bin', 1536, 513],
      ]);
      const bad = path.join(dir, 'bad.tar');
      fs.writeFileSync(bad, Buffer.alloc(1024, 7));
      expect(() => readTarDirectory(bad)).toThrow(/bad\.tar: is not a tar archive \(bad header checksum at byte 0\)/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
