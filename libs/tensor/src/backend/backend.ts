import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { NasxError } from '@nasx/contracts';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerNasxGradients } from './gradients';
import { registerComposedConvKernels } from './conv-backprop.kernels';
import { registerSegmentKernels } from './segment.kernels';
import { ONEDNN_TF_BACKEND, registerOnednnBackend } from './onednn.kernels';
import type * as Onednn from '@nasx/tensor-onednn';

/** Package name, for error locations. */
export const TENSOR_PACKAGE = '@nasx/tensor';

/** The compute backends nasx knows, fastest first. */
export const TENSOR_BACKENDS = ['tensorflow-gpu', 'tensorflow', 'onednn', 'wasm', 'cpu'] as const;

/** One of {@link TENSOR_BACKENDS}. */
export type TensorBackendName = (typeof TENSOR_BACKENDS)[number];

/** What {@link initTensorBackend} accepts: a backend to force, or `auto` (the fastest installed). */
export type TensorBackendPreference = 'auto' | TensorBackendName;

/** The environment variable that forces a backend (`auto`, `tensorflow-gpu`, `tensorflow`, `onednn`, `wasm`, `cpu`). */
export const BACKEND_ENV_VAR = 'NASX_BACKEND';

/** The backend in use, as {@link initTensorBackend} reports it. */
export interface TensorBackendInfo {
  /** nasx name of the backend. */
  readonly name: TensorBackendName;
  /** TensorFlow.js's name for it (`tf.getBackend()`): `tensorflow`, `onednn`, `wasm` or `cpu`. */
  readonly tfBackend: string;
  /** Where the choice came from: the argument, the `NASX_BACKEND` variable, or `auto` (fastest installed). */
  readonly source: 'argument' | 'env' | 'auto';
  /** Faster backends passed over in `auto` mode, with the reason (not installed, failed to load). */
  readonly skipped: readonly { readonly name: TensorBackendName; readonly reason: string }[];
  /** onednn only: the oneDNN library's version and the instruction set its JIT targets. */
  readonly onednn?: { readonly version: string; readonly isa: string; readonly threads: number };
  /** wasm and onednn: whether wasm's SIMD build is used. */
  readonly simd?: boolean;
  /** wasm and onednn: always `false` for wasm's own kernels; the threaded build does not run in Node. */
  readonly threads?: boolean;
  /**
   * Upper bound of the backend's tensor memory in bytes where there is one (wasm: a 32-bit heap,
   * 4 GiB). The trainer sizes micro-batches to stay well below it.
   */
  readonly memoryLimitBytes?: number;
}

/** npm package of each native backend. */
const NODE_PACKAGES: { readonly [K in 'tensorflow-gpu' | 'tensorflow']: string } = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
};

/** npm package of the oneDNN kernels (optional, like the tfjs-node packages). */
export const ONEDNN_PACKAGE = '@nasx/tensor-onednn';

/** wasm32 addresses at most 4 GiB; tfjs-backend-wasm is built to grow up to that. */
const WASM_HEAP_LIMIT = 4 * 1024 ** 3;

let current: TensorBackendInfo | undefined;
/** Serialises calls, so concurrent callers never race two `tf.setBackend`s. */
let pending: Promise<unknown> = Promise.resolve();
let wasmPathsSet = false;

/**
 * Selects and initialises the TensorFlow.js backend, fastest first: `@tensorflow/tfjs-node-gpu`,
 * `@tensorflow/tfjs-node` (both optional, used only when installed), then WebAssembly, then the
 * pure-JavaScript cpu backend (about 40× slower than wasm for convolutions, so never chosen while
 * wasm works). An explicit `prefer` other than `auto` wins over the `NASX_BACKEND` environment
 * variable, which wins over `auto`. Forcing a backend that is not installed or does not load throws
 * a `NasxError` of kind `config` that says how to install it.
 *
 * Also registers what tfjs-core's CommonJS build leaves out, the gradients nasx needs
 * (`gradients.ts`), and convolution backprop kernels for wasm (which lacks `Conv2DBackpropFilter`)
 * and cpu built from forward convolutions (`conv-backprop.kernels.ts`). Safe to call many times and
 * concurrently; a later call with a different forced backend switches to it.
 *
 * @example
 * const info = await initTensorBackend();   // { name: 'wasm', simd: true, ... } on a plain install
 * NASX_BACKEND=cpu node run.js               // force the cpu backend
 */
export function initTensorBackend(prefer?: TensorBackendPreference): Promise<TensorBackendInfo> {
  const run = pending.catch(() => undefined).then(() => select(prefer));
  pending = run;
  return run;
}

/** The backend selected by {@link initTensorBackend}, or `undefined` before it finished. */
export function currentTensorBackend(): TensorBackendInfo | undefined {
  return current;
}

/**
 * Bytes of WebAssembly memory the wasm backend's module has grown to, or `undefined` on other
 * backends. The heap never shrinks (freed tensors go back to the module's allocator, not to the
 * system), so this is the thread's high-water mark of tensor memory, and what reaches
 * {@link TensorBackendInfo.memoryLimitBytes} first — then the module aborts (`Aborted()`) and every
 * later call of the thread fails. `tf.memory()` counts live tensors only: a leak inside the module
 * (kernel scratch, operator caches) or an ever higher peak shows here and not there.
 */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm' && tf.getBackend() !== ONEDNN_TF_BACKEND) return undefined;
  const module = (tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } }).wasm;
  return module?.HEAPU8?.buffer.byteLength;
}

/**
 * An abort or trap of a WebAssembly module (`Aborted()`, `RuntimeError`: out-of-bounds memory
 * access, `unreachable`, a failed heap growth), or TF.js's wasm backend viewing an allocation that
 * failed (a typed array past the heap's end). TF.js's wasm backend does not recover from an abort:
 * every later kernel call of the thread may fail.
 */
const WASM_FAILURE =
  /\bAborted\(|\bRuntimeError\b|memory access out of bounds|unreachable executed|table index is out of bounds|Cannot enlarge memory|Invalid typed array length|is outside the bounds of the buffer/;
/** A heap this close to the limit when the module failed means an allocation did not fit. */
const OUT_OF_MEMORY_FRACTION = 0.9;

const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(2)} GiB`;

/**
 * `e` explained, when it is the wasm module's abort with its heap at the 4 GiB a WebAssembly
 * module can address: `what` did not fit in memory, a property of the network and the data, not a
 * transient fault (retrying it on a fresh thread fails the same way). Any other error is returned
 * as it is. The message keeps the module's own words, so callers still see the backend broken.
 *
 * @example
 * try { await trainGraphNetwork(net, graph, options); }
 * catch (e) { throw explainOutOfMemory(e, `training ${arch.key} on pubmed`); }
 */
export function explainOutOfMemory(e: unknown, what: string): unknown {
  const limit = current?.memoryLimitBytes;
  const heap = wasmHeapBytes();
  if (limit === undefined || heap === undefined || !(e instanceof Error) || !isWasmFailure(e)) return e;
  if (heap < OUT_OF_MEMORY_FRACTION * limit) return e;
  const original = e.message.split(/\.\s/)[0]!.trim();
  return new NasxError(
    'run',
    `${what} ran out of memory: the ${current!.name} backend's WebAssembly heap reached ${gib(heap)} of the ${gib(limit)} a WebAssembly module can address (${original})`,
    {
      pkg: TENSOR_PACKAGE,
      fix: 'narrow the network (fewer heads, hidden units or channels) or constrain the search space; a backend without the 4 GiB limit (NASX_BACKEND=cpu, or tensorflow where installed) fits it, more slowly on cpu',
      cause: e,
    },
  );
}

/**
 * Makes a failed allocation of the wasm backend an error. tfjs-backend-wasm takes whatever its
 * module's `malloc` returns: near the 4 GiB limit that is 0 (null) for small blocks, and tensors
 * written there overlay each other at address 0 — training then goes on and returns wrong numbers
 * (measured: a GCN at chance level, no error). Guarded, the allocation throws "Cannot enlarge
 * memory", which {@link explainOutOfMemory} reports as out of memory. Idempotent per module.
 */
function guardWasmAllocations(): void {
  const module = (tf.findBackend('wasm') as unknown as { wasm?: WasmModule } | null)?.wasm;
  if (!module || module.nasxGuarded) return;
  const malloc = module.asm?.malloc ?? module._malloc.bind(module);
  module._malloc = (bytes: number): number => {
    const at = malloc(bytes);
    if (at === 0 && bytes > 0) throw new Error(`Cannot enlarge memory: the WebAssembly heap could not allocate ${bytes} bytes`);
    return at;
  };
  module.nasxGuarded = true;
}

interface WasmModule {
  _malloc(bytes: number): number;
  asm?: { malloc?(bytes: number): number };
  nasxGuarded?: boolean;
}

/** True if `e` is an abort or trap of the WebAssembly module (see {@link explainOutOfMemory}). */
function isWasmFailure(e: unknown): boolean {
  return e instanceof Error && WASM_FAILURE.test(`${e.name} ${e.message}`);
}

/**
 * After `e`, an abort or trap of the thread's wasm module (the wasm or onednn backend), replaces
 * the module with a fresh one, so the thread computes again without a restart; returns whether it
 * did (false for any other error or backend). An aborted module is not to be trusted even when a
 * small kernel still runs (the abort may have left its allocator mid-update), so it is always
 * replaced. Every tensor and variable of the old module is lost: callers drop and rebuild what
 * they cached (disposing the old ones is harmless, the old module's frees become no-ops). The
 * onednn backend, which is the wasm module with native kernels, moves to the new module with it.
 */
export async function recoverWasmBackend(e: unknown): Promise<boolean> {
  const info = current;
  if (!info || (info.name !== 'wasm' && info.name !== 'onednn') || !isWasmFailure(e)) return false;
  const old = tf.findBackend('wasm') as unknown as { dispose(): void; disposeData(): boolean } | null;
  const factory = tf.findBackendFactory('wasm');
  if (!old || !factory) return false;
  // Freeing into an aborted module aborts again: the old instance forgets instead.
  old.dispose = () => undefined;
  old.disposeData = () => true;
  if (info.name === 'onednn') tf.removeBackend(ONEDNN_TF_BACKEND);
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, 2);
  await switchTo('wasm', info.name, true);
  guardWasmAllocations();
  if (info.name === 'onednn') {
    registerOnednnBackend(loadOnednnPackage(true), tf.findBackend('wasm')!);
    await switchTo(ONEDNN_TF_BACKEND, info.name, true);
  }
  registerSegmentKernels();
  return true;
}

/**
 * Throws a `NasxError` (kind `usage`) unless {@link initTensorBackend} has finished; tensor code
 * calls it first so a forgotten initialisation fails with a fix instead of a tfjs stack trace.
 */
export function assertTensorBackend(what: string): TensorBackendInfo {
  if (!current) {
    throw new NasxError('usage', `${what} needs an initialised tensor backend`, {
      pkg: TENSOR_PACKAGE,
      fix: 'call `await initTensorBackend()` from @nasx/tensor once before building or running networks',
    });
  }
  return current;
}

async function select(prefer: TensorBackendPreference | undefined): Promise<TensorBackendInfo> {
  const { wanted, source } = resolvePreference(prefer);
  if (current && (wanted === 'auto' || wanted === current.name) && tf.getBackend() === current.tfBackend) return current;

  let info: TensorBackendInfo;
  if (wanted !== 'auto') {
    info = { ...(await activate(wanted, true)), source, skipped: [] };
  } else {
    const skipped: { name: TensorBackendName; reason: string }[] = [];
    let found: Omit<TensorBackendInfo, 'source' | 'skipped'> | undefined;
    for (const name of TENSOR_BACKENDS) {
      try {
        found = await activate(name, false);
        break;
      } catch (e) {
        skipped.push({ name, reason: e instanceof Error ? e.message : String(e) });
      }
    }
    if (!found) {
      throw new NasxError('run', `no TensorFlow.js backend could be initialised (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})`, {
        pkg: TENSOR_PACKAGE,
        fix: 'reinstall @nasx/tensor so that @tensorflow/tfjs-backend-wasm and @tensorflow/tfjs-backend-cpu are present',
      });
    }
    info = { ...found, source, skipped };
  }
  registerNasxGradients(info.name === 'onednn' || info.name === 'wasm' || info.name === 'cpu');
  registerComposedConvKernels();
  registerSegmentKernels();
  current = info;
  return info;
}

function resolvePreference(prefer: TensorBackendPreference | undefined): { wanted: TensorBackendPreference; source: TensorBackendInfo['source'] } {
  if (prefer !== undefined && prefer !== 'auto') {
    if (!(TENSOR_BACKENDS as readonly string[]).includes(prefer)) {
      throw new NasxError('config', `unknown tensor backend "${String(prefer)}"`, {
        pkg: TENSOR_PACKAGE,
        fix: `use one of auto, ${TENSOR_BACKENDS.join(', ')}`,
      });
    }
    return { wanted: prefer, source: 'argument' };
  }
  const env = process.env[BACKEND_ENV_VAR]?.trim();
  if (env) {
    if (env === 'auto') return { wanted: 'auto', source: 'auto' };
    if (!(TENSOR_BACKENDS as readonly string[]).includes(env)) {
      throw new NasxError('config', `${BACKEND_ENV_VAR}="${env}" is not a tensor backend`, {
        pkg: TENSOR_PACKAGE,
        fix: `set ${BACKEND_ENV_VAR} to one of auto, ${TENSOR_BACKENDS.join(', ')}, or unset it to pick the fastest installed backend`,
      });
    }
    return { wanted: env as TensorBackendName, source: 'env' };
  }
  return { wanted: 'auto', source: 'auto' };
}

/** Loads and switches to one backend; throws (a `NasxError` when `forced`) if it cannot. */
async function activate(name: TensorBackendName, forced: boolean): Promise<Omit<TensorBackendInfo, 'source' | 'skipped'>> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      loadNodeBackend(name, forced);
      await switchTo('tensorflow', name, forced);
      return { name, tfBackend: 'tensorflow' };
    }
    case 'onednn': {
      const native = loadOnednnPackage(forced);
      // A worker of nasx's pool shares the cores with the other workers: one oneDNN thread each
      // (more threads than cores stall oneDNN's barriers), unless OMP_NUM_THREADS says otherwise.
      if (!isMainThread && !process.env['OMP_NUM_THREADS']) native.setThreads(1);
      prepareWasm();
      await switchTo('wasm', name, forced);
      guardWasmAllocations();
      registerOnednnBackend(native, tf.findBackend('wasm')!);
      await switchTo(ONEDNN_TF_BACKEND, name, forced);
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      const { version, isa, threads } = native.info();
      return {
        name,
        tfBackend: ONEDNN_TF_BACKEND,
        simd,
        threads: false,
        memoryLimitBytes: WASM_HEAP_LIMIT,
        onednn: { version, isa, threads },
      };
    }
    case 'wasm': {
      prepareWasm();
      await switchTo('wasm', name, forced);
      guardWasmAllocations();
      const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
      return { name, tfBackend: 'wasm', simd, threads: false, memoryLimitBytes: WASM_HEAP_LIMIT };
    }
    case 'cpu':
      await switchTo('cpu', name, forced);
      return { name, tfBackend: 'cpu' };
  }
}

/**
 * `require`s a native backend package only if it is installed: both are optional dependencies
 * (they need a prebuilt TensorFlow C library, which many machines cannot install).
 */
function loadNodeBackend(name: 'tensorflow-gpu' | 'tensorflow', forced: boolean): void {
  const pkg = NODE_PACKAGES[name];
  try {
    require.resolve(pkg);
  } catch {
    const reason = `${pkg} is not installed`;
    if (!forced) throw new Error(reason);
    throw new NasxError('config', `the "${name}" tensor backend was requested but ${reason}`, {
      pkg: TENSOR_PACKAGE,
      fix: `install it (npm install ${pkg}@${tf.version_core}), or choose another backend: unset ${BACKEND_ENV_VAR} (or pass "auto") to use the fastest installed one (wasm on a plain install)`,
    });
  }
  try {
    // A variable keeps bundlers and TypeScript from resolving the optional package at build time.
    const id: string = pkg;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional package known only at run time; import() would be async and this check is not
    require(id);
  } catch (e) {
    const reason = `${pkg} is installed but failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
    if (!forced) throw new Error(reason);
    throw new NasxError('config', `the "${name}" tensor backend was requested but ${reason}`, {
      pkg: TENSOR_PACKAGE,
      fix: `reinstall ${pkg}@${tf.version_core} (it needs a matching prebuilt TensorFlow library${name === 'tensorflow-gpu' ? ', CUDA and cuDNN' : ''}), or unset ${BACKEND_ENV_VAR} to fall back to wasm`,
      cause: e,
    });
  }
}

/**
 * Loads `@nasx/tensor-onednn` and its native addon if they are there. Not installed or not built
 * (no `libdnnl-dev` at install time): an `Error` with the reason, or a `NasxError` with the fix when
 * `forced`.
 */
function loadOnednnPackage(forced: boolean): Onednn.OnednnKernels {
  const fail = (reason: string, fix: string, cause?: unknown): never => {
    if (!forced) throw new Error(reason);
    throw new NasxError('config', `the "onednn" tensor backend was requested but ${reason}`, {
      pkg: TENSOR_PACKAGE,
      fix: `${fix}, or unset ${BACKEND_ENV_VAR} (or pass "auto") to use the fastest installed backend (wasm on a plain install)`,
      cause,
    });
  };
  let mod: typeof Onednn;
  try {
    // A variable keeps bundlers and TypeScript from resolving the optional package at build time.
    const id: string = ONEDNN_PACKAGE;
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an optional package known only at run time, like tfjs-node
    mod = require(id) as typeof Onednn;
  } catch (e) {
    const missing = (e as { code?: string }).code === 'MODULE_NOT_FOUND';
    return fail(
      missing ? `${ONEDNN_PACKAGE} is not installed` : `${ONEDNN_PACKAGE} failed to load: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`,
      `apt-get install libdnnl-dev g++, then npm install ${ONEDNN_PACKAGE}`,
      e,
    );
  }
  const loaded = mod.loadOnednn();
  if (!loaded.ok) return fail(loaded.reason, loaded.fix);
  return loaded.kernels;
}

/** How to make each backend available (shown by `nasx doctor` and in errors). */
export const TENSOR_BACKEND_SETUP: { readonly [K in TensorBackendName]: string } = {
  'tensorflow-gpu': `npm install ${NODE_PACKAGES['tensorflow-gpu']}@${tf.version_core} (downloads libtensorflow at install; needs CUDA and cuDNN)`,
  tensorflow: `npm install ${NODE_PACKAGES.tensorflow}@${tf.version_core} (downloads libtensorflow at install)`,
  onednn: `apt-get install libdnnl-dev g++, then npm install ${ONEDNN_PACKAGE} (it builds its native addon at install)`,
  wasm: 'built in (@tensorflow/tfjs-backend-wasm)',
  cpu: 'built in (@tensorflow/tfjs-backend-cpu; slowest)',
};

/**
 * Whether a backend could be used, without switching to it: installed and, for oneDNN, its addon
 * loads (which reports the library's version and ISA). For `nasx doctor`.
 */
export function probeTensorBackend(
  name: TensorBackendName,
): { readonly available: true; readonly onednn?: Onednn.OnednnInfo } | { readonly available: false; readonly reason: string } {
  try {
    if (name === 'tensorflow' || name === 'tensorflow-gpu') {
      try {
        require.resolve(NODE_PACKAGES[name]);
      } catch {
        return { available: false, reason: `${NODE_PACKAGES[name]} is not installed` };
      }
      return { available: true };
    }
    if (name === 'onednn') return { available: true, onednn: loadOnednnPackage(false).info() };
    return { available: true };
  } catch (e) {
    return { available: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Points tfjs-backend-wasm at its own installed binaries, non-threaded (the threaded build fails in Node). */
function prepareWasm(): void {
  if (wasmPathsSet) return;
  // The binaries sit beside the package's dist entry; resolved, never a machine path.
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  setWasmPaths(dir + path.sep);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  wasmPathsSet = true;
}

async function switchTo(tfName: string, name: TensorBackendName, forced: boolean): Promise<void> {
  let ok = false;
  let cause: unknown;
  try {
    ok = await tf.setBackend(tfName);
  } catch (e) {
    cause = e;
  }
  if (ok && tf.getBackend() === tfName) return;
  const detail =
    cause instanceof Error ? cause.message : cause !== undefined ? String((cause as { message?: unknown }).message ?? cause) : 'initialisation failed';
  const reason = `TensorFlow.js backend "${tfName}" did not initialise: ${detail}`;
  if (!forced) throw new Error(reason);
  throw new NasxError('config', `the "${name}" tensor backend was requested but ${reason}`, {
    pkg: TENSOR_PACKAGE,
    fix: `unset ${BACKEND_ENV_VAR} (or pass "auto") to use the fastest backend that works`,
    cause,
  });
}
