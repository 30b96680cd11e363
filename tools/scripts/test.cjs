#!/usr/bin/env node
// `npm test` after its set-up: ESLint + Prettier (lint.cjs) and the type check (tsc) run beside
// jest instead of before it. On a fresh clone lint and tsc have no cache and take most of a minute
// on one core, while jest's two workers leave gaps (suites waiting on a child process, an npm
// install or a socket), so side by side the three end sooner than one after another. Lint and tsc
// print their output when they finish, under a header; jest's goes straight to the terminal.
// The exit code is 0 only if all three passed. Arguments go to jest (`npm test -- <pattern>`).
const { spawn } = require('node:child_process');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** Runs `node <args>` in the workspace, its output buffered (or passed through); resolves with its status. */
function run(name, args, { inherit = false } = {}) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'] });
    let out = '';
    if (!inherit) {
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
    }
    let finished = false;
    const done = (status) => {
      if (finished) return; // 'error' (the spawn failed) may be followed by 'close'
      finished = true;
      const seconds = ((Date.now() - t0) / 1000).toFixed(0);
      if (!inherit) {
        process.stderr.write(`\n[${name}] ${status === 0 ? 'passed' : `FAILED (exit ${status})`} in ${seconds} s\n`);
        if (out.trim()) process.stderr.write(`${out.trimEnd()}\n`);
      }
      resolve({ name, status });
    };
    child.on('close', (code, signal) => done(code ?? (signal ? 128 : 1)));
    child.on('error', (e) => {
      out += `${e.message}\n`;
      done(1);
    });
  });
}

async function main() {
  const checks = [
    run('lint', [path.join(ROOT, 'tools', 'scripts', 'lint.cjs')]),
    run('typecheck', [require.resolve('typescript/bin/tsc', { paths: [ROOT] }), '-p', 'tsconfig.json']),
  ];
  const jest = run('jest', [require.resolve('jest/bin/jest', { paths: [ROOT] }), ...process.argv.slice(2)], { inherit: true });
  const results = await Promise.all([...checks, jest]);
  const failed = results.filter((r) => r.status !== 0).map((r) => r.name);
  if (failed.length) {
    process.stderr.write(`\nnpm test: ${failed.join(', ')} failed (see above)\n`);
    process.exit(1);
  }
}

main();
