#!/usr/bin/env python3
"""Writes the small files the @nasx/data format readers are tested on (libs/data/src/formats/__fixtures__).

Values follow formulas the spec recomputes (a[i, j, k] = 100 i + 10 j + k, …), so no expected values
are stored beside them. Run with NumPy and SciPy: python3 tools/scripts/format-fixtures.py
"""
import gzip
import io
import os
import pickle
import tarfile

import numpy as np
import scipy.io

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'libs', 'data', 'src', 'formats', '__fixtures__')
os.makedirs(OUT, exist_ok=True)


def cube(shape, dtype):
    idx = np.indices(shape)
    weights = [10 ** (len(shape) - 1 - k) for k in range(len(shape))]
    return sum(w * i for w, i in zip(weights, idx)).astype(dtype)


def main():
    # .npy: dtypes, orders, byte orders.
    np.save(os.path.join(OUT, 'f4.npy'), cube((3, 4, 5), np.float32))
    np.save(os.path.join(OUT, 'f8_fortran.npy'), np.asfortranarray(cube((3, 4, 5), np.float64)))
    np.save(os.path.join(OUT, 'i8.npy'), cube((6, 7), np.int64) - 30)
    np.save(os.path.join(OUT, 'u1.npy'), cube((4, 9), np.uint8))
    np.save(os.path.join(OUT, 'i2_big.npy'), (cube((5, 3), np.int16) - 20).astype('>i2'))
    np.save(os.path.join(OUT, 'bool.npy'), np.array([True, False, True, True]))
    np.save(os.path.join(OUT, 'str.npy'), np.array(['N', 'A', 'O', '~', 'Nö']))
    # An object array holding a dict, as NAS-Bench-360's satellite_train.npy does.
    np.save(os.path.join(OUT, 'object_dict.npy'), np.array({'data': cube((4, 46), np.float64), 'label': np.arange(1, 5, dtype=np.int64)}, dtype=object), allow_pickle=True)
    # .npz stored and deflated (zip64 not produced at this size; the reader's zip64 path is tested from JS).
    arrays = {'x_train': cube((20, 4, 10), np.uint8), 'y_train': cube((20, 36), np.uint8) % 2, 'x_val': cube((5, 4, 10), np.float32)}
    np.savez(os.path.join(OUT, 'stored.npz'), **arrays)
    np.savez_compressed(os.path.join(OUT, 'deflated.npz'), **arrays)
    # Pickles like challenge2017.pkl: a dict of a list of float64 arrays and a list of labels.
    rec = {'data': [np.arange(n, dtype=np.float64) / 8 for n in (5, 9, 3)], 'label': ['N', 'A', '~'], 'meta': {1: 'one', 'two': (2.5, None, True)}}
    for proto in (2, 4, 5):
        with open(os.path.join(OUT, f'records_p{proto}.pkl'), 'wb') as f:
            pickle.dump(rec, f, protocol=proto)
    with gzip.open(os.path.join(OUT, 'records_p4.pkl.gz'), 'wb') as f:
        pickle.dump(rec, f, protocol=4)
    with open(os.path.join(OUT, 'scalars_p0.pkl'), 'wb') as f:
        pickle.dump([np.float32(1.5), np.int64(-7), 2 ** 70, -3, 'é', b'\x00\x01'], f, protocol=0)
    # MATLAB level 5 (what scipy writes), uncompressed and compressed; a 3-D double like Darcy's coeff.
    mat = {'coeff': cube((6, 7, 8), np.float64), 'sol': cube((6, 7, 8), np.float64) / 4, 'ints': cube((3, 2), np.int32), 'note': 'skip me'}
    scipy.io.savemat(os.path.join(OUT, 'darcy_like.mat'), mat)
    scipy.io.savemat(os.path.join(OUT, 'darcy_like_z.mat'), mat, do_compression=True)
    tars()
    arrays_pickles()


def arrays_pickles():
    # Pickles of a dict of arrays like NAS-Bench-360's s2_cifar100.gz, for unpacking to disk: a
    # float32 [10, 3, 4] cube (480 bytes: a BINBYTES), int64 labels (a SHORT_BINBYTES), a small float64 array, a string and a NaN; protocols 2
    # (array bytes as latin-1 text), 4 (BINBYTES) and 5 (in-band bytearray), and a gzip of protocol 4.
    arr = {'images': cube((10, 3, 4), np.float32), 'labels': np.arange(10, dtype=np.int64) * 7, 'small': np.array([0.5, -1.0]),
           'name': 'cube', 'nan': float('nan'), 'parts': [1, 'two', None]}
    for proto in (2, 4, 5):
        with open(os.path.join(OUT, f'arrays_p{proto}.pkl'), 'wb') as f:
            pickle.dump(arr, f, protocol=proto)
    with open(os.path.join(OUT, 'arrays_p4.pkl.gz'), 'wb') as raw, gzip.GzipFile(filename='', mode='wb', fileobj=raw, mtime=0) as f:
        pickle.dump(arr, f, protocol=4)


def tars():
    # One GNU-format and one PAX-format tar (Python's default): a short name, a 130-character name
    # (GNU long-name / pax path record), an empty file and a directory; members dated 0.
    long_name = 'npy_train/f435w/' + 'd' * 100 + '/1_x.npy'
    for fmt, name in ((tarfile.GNU_FORMAT, 'gnu.tar'), (tarfile.PAX_FORMAT, 'pax.tar')):
        with tarfile.open(os.path.join(OUT, name), 'w', format=fmt) as t:
            d = tarfile.TarInfo('npy_train')
            d.type, d.mtime = tarfile.DIRTYPE, 0
            t.addfile(d)
            for member, data in (('a.txt', b'hello'), (long_name, bytes(range(200)) * 3), ('empty', b'')):
                info = tarfile.TarInfo(member)
                info.size, info.mtime = len(data), 0
                t.addfile(info, io.BytesIO(data))


if __name__ == '__main__':
    main()
