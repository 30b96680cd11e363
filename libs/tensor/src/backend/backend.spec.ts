import { isNasxError, type NasxError } from '@nasx/contracts';
import { loadOnednn } from '@nasx/tensor-onednn';
import { tf } from '../tf';
import { BACKEND_ENV_VAR, assertTensorBackend, currentTensorBackend, initTensorBackend } from './backend';

/** Runs `fn` with NASX_BACKEND set to `value` (or unset), restoring it afterwards. */
async function withEnv<R>(value: string | undefined, fn: () => Promise<R>): Promise<R> {
  const saved = process.env[BACKEND_ENV_VAR];
  if (value === undefined) delete process.env[BACKEND_ENV_VAR];
  else process.env[BACKEND_ENV_VAR] = value;
  try {
    return await fn();
  } finally {
    if (saved === undefined) delete process.env[BACKEND_ENV_VAR];
    else process.env[BACKEND_ENV_VAR] = saved;
  }
}

async function nasxErrorOf(p: Promise<unknown>): Promise<NasxError> {
  try {
    await p;
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

// tfjs-node and tfjs-node-gpu are optional dependencies that are not installed in this workspace.
const nodeBackendInstalled = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe('initTensorBackend', () => {
  beforeAll(() => {
    tf.env().set('PROD', true); // no "use tfjs-node" banner from the cpu backend
  });

  it('refuses tensor work before initialisation, with a fix', () => {
    expect(currentTensorBackend()).toBeUndefined();
    expect(() => assertTensorBackend('building a network')).toThrow(
      expect.objectContaining({ kind: 'usage', fix: expect.stringContaining('initTensorBackend') }),
    );
  });

  it('auto picks onednn where its addon is built, else wasm (SIMD, not threaded), never cpu', async () => {
    if (nodeBackendInstalled('@tensorflow/tfjs-node') || nodeBackendInstalled('@tensorflow/tfjs-node-gpu')) return;
    const info = await withEnv(undefined, () => initTensorBackend());
    const onednn = loadOnednn();
    if (onednn.ok) {
      expect(info).toMatchObject({ name: 'onednn', tfBackend: 'onednn', source: 'auto', simd: true });
      expect(info.onednn).toMatchObject({ version: onednn.kernels.info().version, isa: onednn.kernels.info().isa });
      expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow']);
    } else {
      expect(info).toMatchObject({ name: 'wasm', tfBackend: 'wasm', source: 'auto', simd: true, threads: false });
      expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'onednn']);
      expect(info.skipped[2]!.reason).toBe(onednn.reason);
    }
    expect(info.skipped[1]!.reason).toMatch(/@tensorflow\/tfjs-node is not installed/);
    expect(tf.getBackend()).toBe(info.tfBackend);
    expect(assertTensorBackend('test')).toBe(info);
  });

  it('forcing "onednn" runs on it where the addon is built, and is a config error with the apt/npm fix elsewhere', async () => {
    const onednn = loadOnednn();
    await initTensorBackend('wasm');
    if (onednn.ok) {
      expect(await withEnv('onednn', () => initTensorBackend())).toMatchObject({ name: 'onednn', source: 'env' });
      expect(tf.getBackend()).toBe('onednn');
    } else {
      const e = await nasxErrorOf(withEnv('onednn', () => initTensorBackend()));
      expect(e.kind).toBe('config');
      expect(e.message).toContain(onednn.reason);
      expect(e.fix).toContain('apt-get install libdnnl-dev');
    }
    await initTensorBackend('wasm');
  });

  it('is idempotent: a second call (also concurrent ones) returns the same backend without re-initialising', async () => {
    const [a, b] = await withEnv(undefined, () => Promise.all([initTensorBackend(), initTensorBackend('auto')]));
    expect(b).toBe(a);
    expect(await initTensorBackend(a.name)).toBe(a);
  });

  it('NASX_BACKEND forces a backend', async () => {
    const info = await withEnv('cpu', () => initTensorBackend());
    expect(info).toMatchObject({ name: 'cpu', tfBackend: 'cpu', source: 'env' });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('an explicit argument wins over NASX_BACKEND', async () => {
    const info = await withEnv('cpu', () => initTensorBackend('wasm'));
    expect(info).toMatchObject({ name: 'wasm', source: 'argument' });
    expect(tf.getBackend()).toBe('wasm');
  });

  it.each([
    ['tensorflow', '@tensorflow/tfjs-node'],
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu'],
  ] as const)('forcing "%s" when %s is not installed fails with a config error and an install fix', async (name, pkg) => {
    if (nodeBackendInstalled(pkg)) return;
    for (const attempt of [() => initTensorBackend(name), () => withEnv(name, () => initTensorBackend())]) {
      const e = await nasxErrorOf(attempt());
      expect(e.kind).toBe('config');
      expect(e.message).toContain(`${pkg} is not installed`);
      expect(e.fix).toContain(`npm install ${pkg}@4.22.0`);
      expect(e.fix).toContain(BACKEND_ENV_VAR);
    }
    // The failed attempt left the working backend in place.
    expect(tf.getBackend()).toBe('wasm');
    expect(currentTensorBackend()?.name).toBe('wasm');
  });

  it('rejects an unknown NASX_BACKEND value, listing the valid ones', async () => {
    const e = await nasxErrorOf(withEnv('gpu', () => initTensorBackend()));
    expect(e.kind).toBe('config');
    expect(e.message).toContain('NASX_BACKEND="gpu"');
    expect(e.fix).toContain('auto, tensorflow-gpu, tensorflow, onednn, wasm, cpu');
  });

  it('registers the gradients tfjs-core leaves out and runs a conv gradient on wasm', async () => {
    await initTensorBackend('wasm');
    const g = tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 2]) as tf.Tensor4D;
      return tf
        .grad((w: tf.Tensor) => tf.sum(tf.conv2d(x, w as tf.Tensor4D, 1, 'same')))(tf.ones([3, 3, 2, 1]))
        .dataSync();
    });
    // Filter tap (1, 1) (the centre) sees all 16 pixels of each channel.
    expect(g[(1 * 3 + 1) * 2]).toBe(16);
  });
});
