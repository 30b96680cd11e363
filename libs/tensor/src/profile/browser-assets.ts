import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';

/** File name of the browser bundle in `dist/browser/` of this package. */
export const BROWSER_PROFILER_BUNDLE = 'nasx-profiler.js';

/** The files a page that profiles in the browser loads: the bundle, and tfjs-backend-wasm's binaries by name. */
export interface BrowserProfilerAssets {
  /** Absolute path of the bundle (`globalThis.nasxProfiler`, see `browser-entry.ts`). */
  readonly script: string;
  /** `.wasm` file name → absolute path (the names tfjs-backend-wasm fetches under its wasm path). */
  readonly wasm: { readonly [file: string]: string };
}

/**
 * Where the installed package keeps the browser profiler: the bundle that the build writes into
 * `dist/browser/` (shipped in the npm package) and tfjs-backend-wasm's binaries in its own install.
 * Throws a `NasxError` naming the fix when the bundle was not built.
 */
export function browserProfilerAssets(): BrowserProfilerAssets {
  // Two levels below the package root both as source (src/profile) and compiled (dist/profile).
  const script = path.resolve(__dirname, '..', '..', 'dist', 'browser', BROWSER_PROFILER_BUNDLE);
  if (!fs.existsSync(script)) {
    throw new NasxError('run', `the browser profiler bundle ${BROWSER_PROFILER_BUNDLE} is missing from @nasx/tensor (dist/browser/)`, {
      pkg: '@nasx/tensor',
      fix: 'in a clone of nasx run `npm run build` (it bundles the profiler with esbuild); an installed @nasx/tensor ships it, so reinstall the package',
    });
  }
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm'));
  const wasm: Record<string, string> = {};
  for (const file of fs.readdirSync(dir)) if (file.endsWith('.wasm')) wasm[file] = path.join(dir, file);
  return { script, wasm };
}
