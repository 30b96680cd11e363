import { operatorKey, type ArchGraphNode } from '@nasx/contracts';
import { initTensorBackend } from '../backend/backend';
import { mnasOperators } from '../mnas/mnas.network';
import { tf } from '../tf';
import { profileOperators, type ProfileProgress } from './profile-operators';

const nodes: ArchGraphNode[] = [
  { id: 'a', op: 'conv', attrs: { input: [3, 16, 16], cout: 8, kernel: 3, stride: 2 } },
  { id: 'b', op: 'mbconv', attrs: { input: [8, 8, 8], cout: 8, kernel: 5, stride: 1, expansion: 6, se: 0.25, skip: 'identity' } },
  // Same operator as `a` under another id: timed once.
  { id: 'c', op: 'conv', attrs: { input: [3, 16, 16], cout: 8, kernel: 3, stride: 2 } },
  { id: 'in', op: 'input', shape: [3, 16, 16] },
  { id: 'd', op: 'dense', attrs: { input: [8], cout: 4 } },
];

describe('profileOperators', () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('times each distinct operator once, reports progress, the backend, and frees every tensor', async () => {
    const progress: ProfileProgress[] = [];
    const before = tf.memory().numTensors;
    const { rows, backend } = await profileOperators(nodes, { warmup: 1, repeats: 3, batch: 2, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(rows.map((r) => r.key)).toEqual([operatorKey(nodes[0]!), operatorKey(nodes[1]!), operatorKey(nodes[4]!)]);
    for (const r of rows) {
      expect(r.samples).toBe(3);
      expect(r.ms).toBeGreaterThan(0);
    }
    expect(progress.map((p) => `${p.done}/${p.total}`)).toEqual(['1/3', '2/3', '3/3']);
    const { rows: fastest } = await profileOperators(nodes.slice(0, 1), { warmup: 0, repeats: 2, statistic: 'min' });
    expect(fastest[0]!.ms).toBeGreaterThan(0);
    expect(backend).toMatch(new RegExp(`^tfjs ${tf.version_core.replace(/\./g, '\\.')} wasm, 1 thread, (simd|no simd)$`));
  });

  it('stops when its signal is aborted', async () => {
    const controller = new AbortController();
    const run = profileOperators(mnasOperators([3, 32, 32], 10), {
      repeats: 1,
      warmup: 0,
      signal: controller.signal,
      onProgress: (p) => p.done === 2 && controller.abort(),
    });
    await expect(run).rejects.toThrow(/abort/i);
  });

  it('rejects a bad operator before timing anything, and bad counts', async () => {
    const calls: number[] = [];
    await expect(
      profileOperators([nodes[0]!, { id: 'x', op: 'mbconv', attrs: { input: [8, 8, 8], cout: 4, skip: 'identity' } }], {
        onProgress: (p) => calls.push(p.done),
      }),
    ).rejects.toThrow(/network op "x".*identity skip/);
    expect(calls).toEqual([]);
    await expect(profileOperators(nodes, { repeats: 0 })).rejects.toThrow(/repeats must be an integer ≥ 1/);
    await expect(profileOperators(nodes, { statistic: 'mean' as never })).rejects.toThrow(/statistic must be "median" or "min"/);
  });
});
