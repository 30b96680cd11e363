/**
 * Entry of the browser bundle that `nasx latency profile --browser` serves (built by
 * `tools/scripts/browser-bundle.cjs` into `dist/browser/nasx-profiler.js`): registers the WebGL
 * (phones' GPUs), wasm and cpu backends of TensorFlow.js and exposes the operator profiler to the
 * page as `globalThis.nasxProfiler`. Never imported by Node code.
 */
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { profileInBrowser, type BrowserProfileJob, type BrowserProfileProgress, type BrowserProfileResult } from './browser-profiler';
import { profileOperators } from './profile-operators';

/** What the page calls. */
export interface NasxBrowserProfiler {
  /**
   * Profiles `job` in this page; `wasmPath` is the URL prefix the server serves
   * tfjs-backend-wasm's `.wasm` files under (e.g. `/<token>/wasm/`).
   */
  run(job: BrowserProfileJob, wasmPath: string, onProgress?: (p: BrowserProfileProgress) => void | Promise<void>): Promise<BrowserProfileResult>;
}

const profiler: NasxBrowserProfiler = {
  run(job, wasmPath, onProgress) {
    setWasmPaths(wasmPath);
    // One thread, as the Node wasm backend runs: tables of a phone and of this computer compare,
    // and a phone on the LAN never gets the cross-origin isolation that threads need anyway.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    return profileInBrowser(job, profileOperators, onProgress);
  },
};

(globalThis as { nasxProfiler?: NasxBrowserProfiler }).nasxProfiler = profiler;
