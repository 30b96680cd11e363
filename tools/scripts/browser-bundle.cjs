#!/usr/bin/env node
// Bundles the browser operator profiler of @nasx/tensor (src/profile/browser-entry.ts with
// tfjs-core and its cpu, wasm and WebGL backends) into one script, dist/browser/nasx-profiler.js,
// which `nasx latency profile --browser` serves to the page. It sits in dist/ so the npm package
// ships it (`files`) and Nx caches it with the build's outputs. Run by build.cjs after tsc and by
// the package's own `build` script; skipped when the bundle is newer than every file it was made from.
const fs = require('node:fs');
const path = require('node:path');
const { root } = require('./workspace-packages.cjs');

const pkgDir = path.join(root, 'libs', 'tensor');
const entry = path.join(pkgDir, 'src', 'profile', 'browser-entry.ts');
const outfile = path.join(pkgDir, 'dist', 'browser', 'nasx-profiler.js');
/** Inputs of the last bundle (from esbuild's metafile), to tell whether it is up to date; kept out of the package. */
const inputsFile = path.join(root, 'node_modules', '.cache', 'nasx-profiler-inputs.json');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return Infinity;
  }
}

function upToDate() {
  const built = fs.existsSync(outfile) ? mtime(outfile) : -1;
  if (built < 0 || !fs.existsSync(inputsFile)) return false;
  let inputs;
  try {
    inputs = JSON.parse(fs.readFileSync(inputsFile, 'utf8'));
  } catch {
    return false;
  }
  return [__filename, ...inputs.map((f) => path.resolve(root, f))].every((f) => mtime(f) <= built);
}

/**
 * The files whose change calls for a new bundle: our own sources, and for the ~1,000 files of
 * installed packages only each package's package.json (a reinstall or upgrade rewrites it), so the
 * check costs a dozen stats instead of a thousand.
 */
function watchList(inputs) {
  const files = new Set();
  for (const input of inputs) {
    if (input.startsWith('(disabled):')) continue; // a Node built-in the packages map to nothing for browsers
    const abs = path.resolve(root, input);
    const m = /^(.*[\\/]node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(abs);
    files.add(path.relative(root, m ? path.join(m[1], 'package.json') : abs));
  }
  return [...files].sort();
}

/** Writes the bundle unless it is up to date; `force` rebuilds anyway. Returns whether it bundled. */
function bundleBrowserProfiler({ force = false } = {}) {
  if (!force && upToDate()) return false;
  const esbuild = require('esbuild');
  const result = esbuild.buildSync({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Phones a few years old: Safari 14 / Chrome 80 understand ES2019 plus what tfjs itself needs.
    target: ['es2019'],
    // tfjs-core's package.json maps its Node-only helpers to browser stubs through "browser".
    mainFields: ['browser', 'module', 'main'],
    minify: true,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  fs.mkdirSync(path.dirname(inputsFile), { recursive: true });
  fs.writeFileSync(inputsFile, JSON.stringify(watchList(Object.keys(result.metafile.inputs))) + '\n');
  return true;
}

module.exports = { bundleBrowserProfiler, outfile };

if (require.main === module) {
  try {
    bundleBrowserProfiler({ force: process.argv.includes('--force') });
  } catch (e) {
    console.error(`browser bundle failed: ${e.message}`);
    process.exit(1);
  }
}
