#!/usr/bin/env python3
"""Tiny files in the formats of the NAS-Bench-360 release, for the task-nb360 loader tests.

Writes plugins/task-nb360/src/__fixtures__/release/: challenge2017.pkl (ECG), satellite_train.npy /
satellite_test.npy, the two Darcy .mat files (1000 / 100 fields on an 11×11 grid instead of
421×421), cifar-100-python/{train,test} (50 / 10 images, pickle protocol 2 as the python release)
s2_cifar100.gz (Spherical: 10 / 4 images) and protein.zip (PSICOV: 104 DeepCov proteins of 8-14
residues, 3 PSICOV proteins of 20, 30 and 130). Values follow formulas the spec recomputes. Run: python3 tools/scripts/nb360-release-fixtures.py
"""
import gzip
import io
import os
import pickle
import zipfile

import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'plugins', 'task-nb360', 'src', '__fixtures__', 'release')
os.makedirs(OUT, exist_ok=True)


def main():
    rng = np.random.RandomState(0)
    # ECG: 20 records of 1,200-1,770 samples (int16, as the PhysioNet signals), labels cycling N, A, O, ~.
    labels = ['N', 'A', 'O', '~']
    data = [np.round(100 * np.sin(np.arange(1200 + 30 * i) / (5 + i)) + i, 0).astype(np.int16) for i in range(20)]
    with open(os.path.join(OUT, 'challenge2017.pkl'), 'wb') as f:
        pickle.dump({'data': data, 'label': [labels[i % 4] for i in range(20)]}, f, protocol=4)
    # Satellite: 60 training and 12 test series of 46 values, labels 1..24.
    for name, n in (('train', 60), ('test', 12)):
        series = np.arange(n * 46, dtype=np.float64).reshape(n, 46) % 17 + np.arange(n)[:, None]
        np.save(os.path.join(OUT, f'satellite_{name}.npy'), np.array({'data': series, 'label': (np.arange(n) % 24) + 1}, dtype=object), allow_pickle=True)
    # Darcy: coeff[i, j, k] = 3 + 9 * ((i + j + k) % 2), sol = coeff / 100 + i / 1000 on an 11×11 grid.
    for name, n in (('smooth1', 1000), ('smooth2', 100)):
        idx = np.indices((n, 11, 11))
        coeff = 3.0 + 9.0 * ((idx[0] + idx[1] + idx[2]) % 2)
        sol = coeff / 100 + idx[0] / 1000
        scipy.io.savemat(os.path.join(OUT, f'piececonst_r421_N1024_{name}.mat'), {'coeff': coeff, 'sol': sol}, do_compression=True)
    # CIFAR-100 (python release layout): pixel k of image i = (7 i + k) % 256, fine label (3 i) % 100.
    os.makedirs(os.path.join(OUT, 'cifar-100-python'), exist_ok=True)
    for name, n in (('train', 50), ('test', 10)):
        pixels = ((7 * np.arange(n)[:, None] + np.arange(3072)[None, :]) % 256).astype(np.uint8)
        batch = {'filenames': [f'img_{i}.png' for i in range(n)], 'batch_label': f'{name} batch', 'fine_labels': [(3 * i) % 100 for i in range(n)],
                 'coarse_labels': [(3 * i) % 20 for i in range(n)], 'data': pixels}
        with open(os.path.join(OUT, 'cifar-100-python', name), 'wb') as f:
            pickle.dump(batch, f, protocol=2)
    # Spherical: images[i, c, r, q] = i + c / 4 + r / 64 + q / 4096 (float32), labels (11 i) % 100.
    parts = {}
    for name, n in (('train', 10), ('test', 4)):
        idx = np.indices((n, 3, 60, 60)).astype(np.float64)
        images = (idx[0] + idx[1] / 4 + idx[2] / 64 + idx[3] / 4096).astype(np.float32)
        parts[name] = {'images': images, 'labels': (11 * np.arange(n)) % 100}
    with open(os.path.join(OUT, 's2_cifar100.gz'), 'wb') as raw, gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0) as f:
        pickle.dump(parts, f, protocol=4)
    # PSICOV: protein.zip as PDNET lays it out. Protein k of a list (L residues, n = its index in the file's
    # numbering below): ss[j, q] = (q + j) % 3 == 0, pssm[q, j] = (22 q + j) / 1000 + n / 100, sa[q] = q / 100,
    # entropy[q] = 1 + q / 100, ccmpred[p, q] = (p - q) / 100, freecon[p, q] = p / 10, potential[p, q] = q / 10 + n / 100;
    # Cβ distance 1.5 |p − q| below separation 24, else 4 + (p + q) % 9 (so long-range contacts exist);
    # DeepCov protein 101 has a NaN at (1, 3) and (3, 1).
    def protein(n, L, nan=False):
        q = np.arange(L)
        pp, qq = np.meshgrid(q, q, indexing='ij')
        feats = {'seq': 'A' * L, 'ss': np.array([((q + j) % 3 == 0).astype(np.float64) for j in range(3)]),
                 'pssm': (22 * q[:, None] + np.arange(22)[None, :]) / 1000 + n / 100, 'sa': q / 100.0, 'entropy': 1 + q / 100.0,
                 'ccmpred': (pp - qq) / 100.0, 'freecon': pp / 10.0, 'potential': qq / 10.0 + n / 100}
        sep = np.abs(pp - qq)
        cb = np.where(sep < 24, 1.5 * sep, 4.0 + (pp + qq) % 9)
        if nan:
            cb[1, 3] = cb[3, 1] = np.nan
        dist = np.empty(3, dtype=object)
        dist[0], dist[1], dist[2] = L, 'A' * L, cb
        buf = io.BytesIO()
        np.save(buf, dist, allow_pickle=True)
        return pickle.dumps(feats, protocol=4), buf.getvalue()
    with zipfile.ZipFile(os.path.join(OUT, 'protein.zip'), 'w', zipfile.ZIP_DEFLATED) as zf:
        class Fixed:  # members dated 1980-01-01, so the archive is the same on every run
            def writestr(self, name, data):
                zf.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)
        z = Fixed()
        deepcov = [f'dc{n:03d}' for n in range(104)]
        psicov = ['ps0', 'ps1', 'ps2']
        z.writestr('deepcov.lst', ''.join(f'{p} extra\n' for p in deepcov))
        z.writestr('psicov.lst', ''.join(f'{p}\n' for p in psicov))
        for n, pid in enumerate(deepcov):
            f, d = protein(n, 8 + n % 7, nan=(n == 101))
            z.writestr(f'deepcov/features/{pid}.pkl', f)
            z.writestr(f'deepcov/distance/{pid}-cb.npy', d)
        for n, (pid, L) in enumerate(zip(psicov, (20, 30, 130))):
            f, d = protein(200 + n, L)
            z.writestr(f'psicov/features/{pid}.pkl', f)
            z.writestr(f'psicov/distance/{pid}-cb.npy', d)


if __name__ == '__main__':
    main()
