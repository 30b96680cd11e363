#!/usr/bin/env node
// Makes a clone ready to run: installs dependencies when node_modules is missing or older than
// the lockfile, then builds the TypeScript packages (incremental, so a no-op when up to date).
// Uses only Node built-ins because it runs before anything is installed.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.resolve(__dirname, '..', '..');
const stamp = path.join(root, 'node_modules', '.package-lock.json');
const lock = path.join(root, 'package-lock.json');

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function needsInstall() {
  if (!fs.existsSync(path.join(root, 'node_modules'))) return true;
  if (mtime(stamp) < 0) return true;
  return mtime(lock) > mtime(stamp) || mtime(path.join(root, 'package.json')) > mtime(stamp);
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    console.error(`nasx setup: "${cmd} ${args.join(' ')}" failed (exit ${r.status}).`);
    process.exit(r.status || 1);
  }
}

if (needsInstall()) {
  console.error('nasx setup: installing dependencies (first run)…');
  // Optional backends (tfjs-node) download native libraries and may fail offline: npm skips them.
  run('npm', fs.existsSync(lock) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
}

try {
  require('./build.cjs').build({ quiet: true });
} catch (e) {
  console.error(`nasx setup: ${e.message}`);
  process.exit(1);
}
