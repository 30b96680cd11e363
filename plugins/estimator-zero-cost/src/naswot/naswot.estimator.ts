import { NasxError } from '@nasx/contracts';
import { currentTensorBackend, tf } from '@nasx/tensor';
import { slogdet } from '../common/linalg';
import { defineProxyEstimator, type ProxyInputs } from '../common/proxy-estimator';
import { jacobianCovarianceScore } from '../proxies/jacob-cov.proxy';
import { naswotSchema, type NaswotOptions } from './naswot.schema';

export type { NaswotOptions } from './naswot.schema';

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

/**
 * Adds one layer's contribution to the Hamming kernel: K[i, j] += units − d_H(c_i, c_j), with c the
 * layer's binary codes (pre-activation > 0) packed 32 to a word (Mellor et al., ICML 2021, eq. 2;
 * summing per layer equals one kernel over all units).
 */
export function addLayerToKernel(k: Float64Array, values: Float32Array | Int32Array | Uint8Array, n: number): void {
  const units = values.length / n;
  const words = Math.ceil(units / 32);
  const bits = new Uint32Array(n * words);
  for (let s = 0; s < n; s++) {
    const base = s * units;
    const out = s * words;
    for (let u = 0; u < units; u++) if ((values[base + u] as number) > 0) bits[out + (u >>> 5)] = ((bits[out + (u >>> 5)] as number) | (1 << (u & 31))) >>> 0;
  }
  for (let i = 0; i < n; i++) {
    k[i * n + i] = (k[i * n + i] as number) + units;
    for (let j = i + 1; j < n; j++) {
      let d = 0;
      const a = i * words;
      const b = j * words;
      for (let w = 0; w < words; w++) d += popcount(((bits[a + w] as number) ^ (bits[b + w] as number)) >>> 0);
      const v = (k[i * n + j] as number) + units - d;
      k[i * n + j] = v;
      k[j * n + i] = v;
    }
  }
}

/**
 * Backends whose matrix product is native and multi-threaded (oneDNN's, libtensorflow's): there a
 * layer's contribution is one product of its ±1 codes, S·Sᵀ = units − 2·d_H, computed where the
 * activations are and read back as an n × n matrix. Elsewhere (wasm, cpu) the codes are read back
 * and compared packed 32 to a word, which is faster than a single-threaded product.
 */
const NATIVE_MATMUL_BACKENDS = new Set(['onednn', 'tensorflow']);
/** Largest per-layer count of units whose ±1 products a float32 accumulator holds exactly (2²⁴). */
const EXACT_FLOAT32_INT = 2 ** 24;

/**
 * Adds one layer's Hamming kernel from its pre-activations `t` (`[n, …]`) computed on the backend:
 * K[i, j] += (units + sᵢ·sⱼ) / 2 with s = +1 where t > 0, −1 elsewhere (`tf.step(t, −1)`), which is
 * units − d_H(cᵢ, cⱼ) exactly: every term is an integer below 2²⁴.
 */
export function addLayerToKernelOnBackend(k: Float64Array, t: tf.Tensor, n: number): void {
  const units = t.size / n;
  if (units >= EXACT_FLOAT32_INT) {
    addLayerToKernel(k, t.dataSync() as Float32Array, n);
    return;
  }
  const g = tf.tidy(() => {
    const signs = tf.reshape(tf.step(t, -1), [n, units]) as tf.Tensor2D;
    return tf.matMul(signs, signs, false, true);
  });
  const products = g.dataSync();
  g.dispose();
  for (let i = 0; i < n * n; i++) k[i] = (k[i] as number) + (units + (products[i] as number)) / 2;
}

/**
 * NASWOT v2 (Mellor, Turner, Storkey & Crowley, "Neural Architecture Search without Training",
 * ICML 2021): one forward pass of an untrained network over a mini-batch; each sample's binary
 * code is which ReLUs it activates; the score is log|K_H|, K_H = N_A − Hamming distances.
 * Networks that separate the inputs well (codes far apart) get a high score.
 */
export function naswotScore({ net, batch }: ProxyInputs): number {
  const x = batch!.x;
  const n = x.shape[0];
  const k = new Float64Array(n * n);
  const onBackend = NATIVE_MATMUL_BACKENDS.has(tf.getBackend());
  tf.tidy(() => {
    net.forward(x, {
      training: true,
      tap: (_name, t, kind) => {
        if (kind !== 'relu-in') return;
        if (onBackend) addLayerToKernelOnBackend(k, t, n);
        else addLayerToKernel(k, t.dataSync() as Float32Array, n);
      },
    });
  });
  return slogdet(k, n).logAbsDet;
}

/**
 * NASWOT v1 back-propagates the whole mini-batch at once: training-mode batch norm couples the
 * samples, so splitting the batch would change the score, and TF.js keeps every activation and
 * every gradient until the backward pass ends, so the peak is about a training step's
 * (`plan.trainingBytesPerSample` per sample). On wasm it must fit in the module's heap (4 GiB):
 * past it the module aborts and its thread fails every later call. Measured on CIFAR-10 at the
 * paper's batch of 128, the NB201 cells with four or more 3×3 convolutions peak at 4.0–4.3 GiB
 * (heap high-water 4,093 MB for one that still fit; the same cell at batch 32: 1,096 MB, and flat
 * over repeated estimates, so no leak). Such a network is refused with the fix before any tensor
 * is allocated, instead of killing the thread.
 */
export function assertJacobianFits(inputs: ProxyInputs, limitBytes: number | undefined): void {
  if (limitBytes === undefined) return;
  const perSample = inputs.net.plan.trainingBytesPerSample;
  const n = inputs.batch!.x.shape[0];
  if (perSample * n <= limitBytes) return;
  const gib = (b: number): string => (b / 1024 ** 3).toFixed(1);
  throw new NasxError(
    'config',
    `NASWOT v1 needs about ${gib(perSample * n)} GiB of tensor memory for ${inputs.net.arch.key} at batchSize ${n}, more than the wasm backend's ${gib(limitBytes)} GiB heap`,
    {
      pkg: '@nasx/estimator-zero-cost',
      contribution: 'naswot',
      pointer: '/options/batchSize',
      fix: `lower estimator.options.batchSize to ${Math.max(2, Math.floor(limitBytes / perSample))} or less for networks of this size, or install @tensorflow/tfjs-node, which has no such limit`,
    },
  );
}

/** The `naswot` estimator contribution. */
export const naswotEstimator = defineProxyEstimator<NaswotOptions>({
  id: 'naswot',
  title: 'NASWOT (v2 log-det Hamming kernel)',
  description: 'Mellor et al. 2021: log|K_H| of the binary ReLU codes of a mini-batch (v1 Jacobian-correlation score as an option); no training.',
  optionsSchema: naswotSchema,
  needsData: true,
  score: (inputs, o) => {
    if (o.version !== 'v1') return naswotScore(inputs);
    assertJacobianFits(inputs, currentTensorBackend()?.memoryLimitBytes);
    return jacobianCovarianceScore(inputs);
  },
});
