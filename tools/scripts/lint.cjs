#!/usr/bin/env node
// Lints the given folders (default: the whole workspace) with ESLint, then checks their
// formatting with Prettier. Both keep a cache under node_modules/.cache, so a second run only
// reads the files that changed. Each project's `lint` target runs it on the project's folder.
//
// @nx/enforce-module-boundaries reads Nx's cached project graph and silently skips when there is
// none (a fresh clone), so outside an Nx task this computes the graph first.
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { root } = require('./workspace-packages.cjs');

/** A cache file name for a set of paths, so parallel lint targets never share one. */
function cacheName(paths) {
  return paths.length === 0 ? 'workspace' : paths.map((p) => p.replace(/[^A-Za-z0-9_-]+/g, '_')).join('+');
}

async function lint(paths, { fix = false } = {}) {
  const cacheDir = path.join(root, 'node_modules', '.cache', 'nasx-lint');
  fs.mkdirSync(cacheDir, { recursive: true });
  const targets = paths.length ? paths : ['.'];

  if (!process.env.NX_TASK_TARGET_PROJECT) {
    const { createProjectGraphAsync } = require('@nx/devkit');
    await createProjectGraphAsync({ exitOnError: true });
  }

  const { ESLint } = require('eslint');
  const eslint = new ESLint({
    cwd: root,
    fix,
    cache: true,
    cacheLocation: path.join(cacheDir, `eslint-${cacheName(paths)}.json`),
    cacheStrategy: 'content',
    errorOnUnmatchedPattern: false,
    // Lints on every core (ESLint ≥ 9.34); the cache still applies.
    concurrency: 'auto',
  });
  // Prettier checks formatting in its own process while ESLint runs (after it, when fixing: both write files).
  const prettier = path.join(path.dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');
  const startPrettier = () =>
    new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [
          prettier,
          fix ? '--write' : '--check',
          '--cache',
          '--cache-strategy',
          'content',
          '--cache-location',
          path.join(cacheDir, `prettier-${cacheName(paths)}.json`),
          '--log-level',
          'warn',
          '--ignore-unknown',
          '--no-error-on-unmatched-pattern',
          ...targets,
        ],
        { cwd: root, stdio: 'inherit' },
      );
      child.on('close', (status) => resolve({ status }));
      child.on('error', () => resolve({ status: 1 }));
    });
  const checking = fix ? undefined : startPrettier();
  const results = await eslint.lintFiles(targets);
  if (fix) await ESLint.outputFixes(results);
  const text = await (await eslint.loadFormatter('stylish')).format(results);
  if (text) process.stdout.write(text);
  const errors = results.reduce((n, r) => n + r.errorCount, 0);

  const check = await (checking ?? startPrettier());
  if (check.status !== 0) {
    process.stderr.write('Prettier: the files above are not formatted; `node tools/scripts/lint.cjs --fix <folder>` formats them.\n');
  }
  return errors === 0 && check.status === 0;
}

module.exports = { lint };

if (require.main === module) {
  const args = process.argv.slice(2);
  const fix = args.includes('--fix');
  lint(
    args.filter((a) => a !== '--fix'),
    { fix },
  ).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
