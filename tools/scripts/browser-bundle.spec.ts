// The browser profiler's bundle: built by the build (build.cjs → browser-bundle.cjs), shipped in
// @nasx/tensor's npm package, and rebuilt only when one of its inputs changed.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { bundleBrowserProfiler, outfile } = require('./browser-bundle.cjs') as { bundleBrowserProfiler(o?: { force?: boolean }): boolean; outfile: string };
const tensorDir = path.resolve(__dirname, '..', '..', 'libs', 'tensor');

describe('the browser profiler bundle', () => {
  beforeAll(() => {
    bundleBrowserProfiler();
  });

  it('is one script that registers the WebGL, wasm and cpu backends and exposes the profiler', () => {
    const js = fs.readFileSync(outfile, 'utf8');
    expect(path.relative(tensorDir, outfile)).toBe(path.join('dist', 'browser', 'nasx-profiler.js'));
    // (Substring checks that print the word, not the 750 kB script, when they fail.)
    const missing = ['nasxProfiler', 'WEBGL_VERSION', 'WASM_HAS_SIMD_SUPPORT', 'CPU_HANDOFF_SIZE_THRESHOLD'].filter((word) => !js.includes(word));
    expect(missing).toEqual([]);
    expect(js.startsWith('"use strict";(()=>{')).toBe(true);
  });

  it('is not rebuilt while its inputs are unchanged', () => {
    const before = fs.statSync(outfile).mtimeMs;
    expect(bundleBrowserProfiler()).toBe(false);
    expect(fs.statSync(outfile).mtimeMs).toBe(before);
  });

  it("is in @nasx/tensor's npm package", () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: tensorDir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(['dist/browser/nasx-profiler.js', 'dist/browser/nasx-profiler.js.LEGAL.txt']));
  });
});
