import { initTensorBackend, tf } from '@nasx/tensor';
import { addLayerToKernel, addLayerToKernelOnBackend } from '../naswot/naswot.estimator';
import { createRng } from '@nasx/kernel';
import { rowCorrelation, slogdet, symmetricEigenvalues } from './linalg';

describe('proxy math', () => {
  beforeAll(async () => {
    await initTensorBackend();
  });

  it('slogdet matches a known determinant and the sum of log-eigenvalues of an SPD matrix', () => {
    // det [[4,2],[2,3]] = 8
    expect(slogdet(Float64Array.from([4, 2, 2, 3]), 2)).toEqual({ sign: 1, logAbsDet: expect.closeTo(Math.log(8), 12) });
    expect(slogdet(Float64Array.from([0, 1, 1, 0]), 2).sign).toBe(-1);
    const rng = createRng(1);
    const n = 12;
    const b = Float64Array.from({ length: n * n }, () => rng.normal());
    const a = new Float64Array(n * n); // A = B Bᵀ + I
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = i === j ? 1 : 0;
        for (let k = 0; k < n; k++) s += (b[i * n + k] as number) * (b[j * n + k] as number);
        a[i * n + j] = s;
      }
    const eig = symmetricEigenvalues(a, n);
    expect(slogdet(a, n).logAbsDet).toBeCloseTo(
      eig.reduce((s, l) => s + Math.log(l), 0),
      8,
    );
    expect(Math.min(...eig)).toBeGreaterThan(0.99);
  });

  it('row correlation is numpy.corrcoef of the rows', () => {
    const c = rowCorrelation(Float64Array.from([1, 2, 3, 2, 4, 6, 3, 2, 1]), 3, 3);
    expect(Array.from(c).map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 1, -1, 1, 1, -1, -1, -1, 1]);
  });

  it('Hamming kernel: N_A on the diagonal, N_A − d_H off it', () => {
    const k = new Float64Array(9);
    addLayerToKernel(k, Float32Array.from([...Array(40).fill(1), ...Array(40).fill(-1), ...Array.from({ length: 40 }, (_, i) => (i < 10 ? 1 : 0))]), 3);
    expect(Array.from(k)).toEqual([40, 0, 10, 0, 40, 30, 10, 30, 40]);
    // a second layer adds its own N_A − d_H
    addLayerToKernel(k, Float32Array.from([1, 0, 1, 0, 1, 1]), 3);
    expect(Array.from(k)).toEqual([42, 2, 11, 2, 42, 31, 11, 31, 42]);
  });

  it('the Hamming kernel from a product of ±1 codes on the backend equals the packed-bits kernel exactly (zeros count as inactive)', () => {
    const rng = createRng(7);
    const n = 9;
    const packed = new Float64Array(n * n);
    const product = new Float64Array(n * n);
    for (const units of [5, 33, 700]) {
      // A third of the pre-activations exactly 0 (inactive), the rest of either sign.
      const values = Float32Array.from({ length: n * units }, () => (rng.next() < 1 / 3 ? 0 : rng.normal()));
      addLayerToKernel(packed, values, n);
      const t = tf.tensor4d(values, [n, 1, units, 1]);
      addLayerToKernelOnBackend(product, t, n);
      t.dispose();
    }
    expect(Array.from(product)).toEqual(Array.from(packed));
    expect(packed[0]).toBe(5 + 33 + 700);
    expect(new Set(Array.from(packed)).size).toBeGreaterThan(n);
  });
});
