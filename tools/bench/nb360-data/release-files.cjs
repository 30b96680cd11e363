// Files in the formats of NAS-Bench-360 releases, with generated values, for the data benchmarks:
// the full-release loaders read them exactly as they read the real files.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const data = require(path.join(ROOT, 'libs', 'data', 'dist', 'index.js'));

/** Writes files of the task's release format (generated values) into `dir`; false where that is not done here. */
async function writeRelease(id, dir, { sphericalImages = [4096, 2048], deepseaRows = 16384 } = {}) {
  const lcg = (i) => ((1103515245 * i + 12345) % 2 ** 31) / 2 ** 31;
  if (id === 'spherical') {
    // s2_cifar100.gz: {train: {images [N, 3, 60, 60] float32, labels [N] int64}, test: {…}}; 4,096 and 2,048
    // images, or --spherical N,M (the release's size class: 60000,10000 would be 2.6 GB of images).
    const part = (n, seed) => ({
      images: { dtype: 'f4', shape: [n, 3, 60, 60], fill: (s, c) => Float32Array.from({ length: c * 10800 }, (_, k) => lcg(seed + s * 10800 + k)) },
      labels: { dtype: 'i8', shape: [n], fill: (s, c) => BigInt64Array.from({ length: c }, (_, k) => BigInt((s + k) % 100)) },
    });
    const [nTrain, nTest] = sphericalImages;
    await writeArraysPickle(path.join(dir, 's2_cifar100.gz'), { train: part(nTrain, 0), test: part(nTest, 7) });
    return true;
  }
  if (id === 'deepsea') {
    const part = (n, seed) => ({
      [`x_${seed}`]: {
        dtype: 'u1',
        shape: [n, 1000, 4],
        rows: (s, c) => Uint8Array.from({ length: c * 4000 }, (_, k) => (k % 4 === Math.floor(lcg(s * 4000 + k) * 4) ? 1 : 0)),
      },
      [`y_${seed}`]: { dtype: 'u1', shape: [n, 36], rows: (s, c) => Uint8Array.from({ length: c * 36 }, (_, k) => (lcg(7 * (s * 36 + k)) < 0.2 ? 1 : 0)) },
    });
    data.writeNpz(path.join(dir, 'deepsea_filtered.npz'), { ...part(deepseaRows, 'train'), ...part(1024, 'val'), ...part(1024, 'test') });
    return true;
  }
  if (id === 'ninapro') {
    for (const [part, n] of [
      ['train', 4096],
      ['val', 512],
      ['test', 512],
    ]) {
      data.saveNpy(
        path.join(dir, `ninapro_${part}.npy`),
        'f4',
        [n, 52, 16],
        Float32Array.from({ length: n * 832 }, (_, k) => lcg(k)),
      );
      data.saveNpy(
        path.join(dir, `label_${part}.npy`),
        'i8',
        [n],
        Float64Array.from({ length: n }, (_, i) => i % 18),
      );
    }
    return true;
  }
  if (id === 'cosmic') {
    const npy = (seed) => {
      const plane = 256 * 256;
      const v = new Float32Array(3 * plane);
      for (let k = 0; k < plane; k++) {
        v[k] = 10 + 5 * lcg(seed * plane + k);
        v[plane + k] = lcg(3 * seed * plane + k) < 0.01 ? 1 : 0;
      }
      return Buffer.concat([data.npyHeader('f4', [3, 256, 256]), Buffer.from(v.buffer)]);
    };
    const members = (part, n) => Array.from({ length: n }, (_, i) => ({ name: `npy_${part}/f435w/10760/2/${i + 1}_x.npy`, data: npy(i) }));
    data.writeTar(path.join(dir, 'deepCR.ACS-WFC.train.tar'), members('train', 600));
    data.writeTar(path.join(dir, 'deepCR.ACS-WFC.test.tar'), members('test', 64));
    return true;
  }
  if (id === 'fsd50k') {
    const chunks = path.join(dir, 'data', 'chunks');
    for (const p of ['train', 'val', 'eval']) fs.mkdirSync(path.join(chunks, p), { recursive: true });
    fs.writeFileSync(path.join(chunks, 'lbl_map.json'), JSON.stringify(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, i]))));
    const manifest = (p, clips) => {
      const lines = ['files,labels,ext'];
      for (let c = 0; c < clips; c++)
        for (let k = 0; k < 2; k++) {
          const file = `${p}/${c}_${k}.wav`;
          fs.writeFileSync(
            path.join(chunks, file),
            data.encodeWav(
              Float32Array.from(
                { length: 22050 },
                (_, t) => 0.3 * Math.sin((2 * Math.PI * (100 + 10 * (c % 200)) * t) / 22050) + 0.05 * (lcg(c * 22050 + t) - 0.5),
              ),
            ),
          );
          lines.push(`${file},"c${c % 200},c${(c * 7) % 200}",${p}${c}`);
        }
      fs.writeFileSync(path.join(chunks, `${p === 'train' ? 'tr' : p}.csv`), lines.join('\n') + '\n');
    };
    manifest('train', 1024);
    manifest('val', 128);
    manifest('eval', 128);
    return true;
  }
  return false;
}

/**
 * Writes `tree` (objects of strings → objects, or arrays { dtype: 'f4' | 'i8', shape, fill(start, count) })
 * as a gzip pickle of protocol 4, as Python writes a dict of NumPy arrays (`pickle.dump` of ndarrays:
 * numpy.core.multiarray._reconstruct + BUILD with the array's bytes), streaming the array data.
 */
async function writeArraysPickle(file, tree) {
  const zlib = require('node:zlib');
  const out = zlib.createGzip({ level: 1 });
  const done = new Promise((resolve, reject) => out.pipe(fs.createWriteStream(file)).on('finish', resolve).on('error', reject));
  const write = (b) => (out.write(b) ? Promise.resolve() : new Promise((r) => out.once('drain', r)));
  const str = (t) => {
    const b = Buffer.from(t, 'utf8');
    return Buffer.concat([Buffer.from([0x8c, b.length]), b]);
  };
  const int = (n) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a; // BININT
    b.writeInt32LE(n, 1);
    return b;
  };
  const global = (m, n) => Buffer.from(`c${m}\n${n}\n`, 'latin1');
  const value = async (v) => {
    if (v.dtype) {
      const item = v.dtype === 'f4' ? 4 : 8;
      const count = v.shape.reduce((a, b) => a * b, 1);
      const dtype = Buffer.concat([
        global('numpy', 'dtype'),
        str(v.dtype),
        Buffer.from([0x89, 0x88, 0x87, 0x52, 0x28, 0x4b, 3]),
        str('<'),
        Buffer.from('NNN'),
        int(-1),
        int(-1),
        Buffer.from([0x4b, 0, 0x74, 0x62]),
      ]);
      const head = Buffer.concat([
        global('numpy.core.multiarray', '_reconstruct'),
        global('numpy', 'ndarray'),
        Buffer.from([0x4b, 0, 0x85, 0x43, 1, 0x62, 0x87, 0x52, 0x28, 0x4b, 1, 0x28]),
        ...v.shape.map(int),
        Buffer.from([0x74]),
        dtype,
        Buffer.from([0x89, 0x8e]),
      ]);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(count * item));
      await write(Buffer.concat([head, len]));
      const per = count / v.shape[0];
      for (let r = 0; r < v.shape[0]; r += 256) {
        const rows = Math.min(256, v.shape[0] - r);
        const a = v.fill(r, rows);
        await write(Buffer.from(a.buffer, a.byteOffset, rows * per * item));
      }
      return write(Buffer.from([0x74, 0x62]));
    }
    await write(Buffer.from([0x7d, 0x28]));
    for (const [k, x] of Object.entries(v)) {
      await write(str(k));
      await value(x);
    }
    return write(Buffer.from([0x75]));
  };
  await write(Buffer.from([0x80, 4]));
  await value(tree);
  await write(Buffer.from([0x2e]));
  out.end();
  await done;
}

module.exports = { writeRelease, writeArraysPickle };
