import { createRng } from '@nasx/kernel';
import { initTensorBackend } from '../backend/backend';
import { DEEPNETS_DEFAULT_RANGES, sampleDeepNets } from '../deepnets/deepnets.network';
import { tf } from '../tf';
import { ghnNetwork, initialParameters } from './ghn.train';
import { orthonormalColumns, reinitializeParameters } from './reinit';

beforeAll(async () => {
  await initTensorBackend();
});

/** `aᵀ b` for `m × n` row-major matrices. */
function gram(a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number): number[][] {
  return Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => {
      let s = 0;
      for (let r = 0; r < m; r++) s += a[r * n + i]! * b[r * n + j]!;
      return s;
    }),
  );
}

describe('orthonormalColumns: the Q of A = QR with diag(R) ≥ 0', () => {
  it('has orthonormal columns and QᵀA upper triangular with a positive diagonal, so it is the unique such Q', () => {
    const rng = createRng(5);
    for (const [m, n] of [
      [7, 4],
      [9, 9],
      [40, 3],
    ] as const) {
      const a = Float64Array.from({ length: m * n }, () => rng.normal());
      const q = orthonormalColumns(a, m, n);
      const qq = gram(q, q, m, n);
      const qa = gram(q, a, m, n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          expect(qq[i]![j]!).toBeCloseTo(i === j ? 1 : 0, 10);
          if (i > j) expect(qa[i]![j]!).toBeCloseTo(0, 10);
        }
        expect(qa[i]![i]!).toBeGreaterThan(0);
      }
    }
    expect(() => orthonormalColumns(new Float64Array(6), 2, 3)).toThrow(/more columns than rows/);
  });
});

describe('reinitializeParameters (GHN-orth)', () => {
  const net = ghnNetwork(sampleDeepNets(createRng(11), { ...DEEPNETS_DEFAULT_RANGES, channels: [8], layers: [2, 2], nodes: [3, 3] }), {
    numClasses: 10,
    inputShape: [1, 12, 12],
  });
  const weights = net.compute.nodes.filter((n) => n.op === 'conv' || n.op === 'dw_conv' || n.op === 'linear');

  /** PyTorch's 2-D view of a weight, rows = output channels (torch layout [out, in, kh, kw] flattened). */
  const torchRows = (t: tf.Tensor, depthwise: boolean): number[][] => {
    const perm = t.rank === 2 ? [1, 0] : depthwise ? [2, 3, 0, 1] : [3, 2, 0, 1];
    const torch = tf.transpose(t, perm);
    const rows = (torch.arraySync() as unknown[]).map((r) => [r].flat(3) as number[]);
    torch.dispose();
    return rows;
  };

  it('makes each transformed weight orthonormal along its shorter side and keeps the classifier, batch norms and biases', () => {
    const start = initialParameters(net, 3);
    const out = reinitializeParameters(net, start, { orthogonalize: true, noise: 0, fromLayer: 1, seed: 0 });
    try {
      expect(weights.length).toBeGreaterThan(3);
      for (const node of weights) {
        const rows = torchRows(out[node.param!.names[0]!]!, node.op === 'dw_conv');
        const [r, c] = [rows.length, rows[0]!.length];
        // Wide (out < in·k²): orthonormal rows; tall: orthonormal columns.
        const vecs = r <= c ? rows : Array.from({ length: c }, (_, j) => rows.map((row) => row[j]!));
        for (let i = 0; i < vecs.length; i++) {
          for (let j = i; j < vecs.length; j++) {
            const dot = vecs[i]!.reduce((s, v, k) => s + v * vecs[j]![k]!, 0);
            expect(dot).toBeCloseTo(i === j ? 1 : 0, 4);
          }
        }
      }
      const kept = net.compute.nodes.filter((n) => n.param && !weights.includes(n)).flatMap((n) => n.param!.names);
      expect(kept.length).toBeGreaterThan(2);
      for (const name of kept) expect(out[name]!.arraySync()).toEqual(start[name]!.arraySync());
    } finally {
      tf.dispose([...Object.values(start), ...Object.values(out)]);
    }
  });

  it('transforms only from weight layer fromLayer on; noise alone perturbs slightly and is seeded', () => {
    const start = initialParameters(net, 3);
    const late = reinitializeParameters(net, start, { orthogonalize: true, noise: 0, fromLayer: 3, seed: 0 });
    const noisy = reinitializeParameters(net, start, { orthogonalize: false, noise: 0.01, fromLayer: 1, seed: 4 });
    const again = reinitializeParameters(net, start, { orthogonalize: false, noise: 0.01, fromLayer: 1, seed: 4 });
    try {
      weights.forEach((node, k) => {
        const name = node.param!.names[0]!;
        const same = tf.max(tf.abs(tf.sub(late[name]!, start[name]!))).dataSync()[0]!;
        if (k < 2) expect(same).toBe(0);
        else expect(same).toBeGreaterThan(1e-3);
        const moved = tf.sub(noisy[name]!, start[name]!);
        const scale = tf.max(tf.abs(start[name]!)).dataSync()[0]!;
        const shift = tf.max(tf.abs(moved)).dataSync()[0]!;
        expect(shift).toBeGreaterThan(0);
        expect(shift).toBeLessThan(scale);
        expect(noisy[name]!.arraySync()).toEqual(again[name]!.arraySync());
      });
    } finally {
      tf.dispose([...Object.values(start), ...Object.values(late), ...Object.values(noisy), ...Object.values(again)]);
    }
  });
});
