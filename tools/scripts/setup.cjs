#!/usr/bin/env node
// Makes a clone ready to run: installs dependencies when node_modules is missing or older than
// the lockfile, builds the native addons (oneDNN when its headers are there; better-sqlite3 for
// the experiment store when its install script did not run), then builds the TypeScript packages
// and the browser bundle (incremental, so a no-op when up to date). With --test-tools (npm test) it
// also makes sure Chromium and redis-server are there for the headless-browser and
// distributed-evaluation tests: installed with apt-get when missing and running as root (CI,
// containers), else it says what to install and goes on (those tests then skip, saying so).
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

/** The first of `names` on the PATH, or undefined. */
function onPath(...names) {
  for (const dir of (process.env.PATH || '').split(path.delimiter).filter(Boolean)) {
    for (const name of names) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * A Debian package a group of tests needs (Chromium for `nasx latency profile --browser`,
 * redis-server for distributed evaluation): installed with apt-get when missing and running as root
 * (CI, containers), else a line says what to install and those tests skip, saying so.
 */
function ensureTestTool({ binaries, envVar, pkg, tests, hint }) {
  if ((envVar && process.env[envVar]) || onPath(...binaries)) return true;
  if (process.platform !== 'linux' || process.getuid?.() !== 0 || !onPath('apt-get')) {
    console.error(`nasx setup: no ${binaries[0]} found, so the ${tests} will be skipped; ${hint}.`);
    return false;
  }
  console.error(`nasx setup: installing ${pkg} for the ${tests} (apt-get)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', pkg], { stdio: 'inherit', env }).status === 0;
  // The package lists may be missing or stale on a fresh machine: update once, then try again.
  if (install() || (spawnSync('apt-get', ['update'], { stdio: 'inherit', env }).status === 0 && install())) return true;
  console.error(`nasx setup: "apt-get install ${pkg}" failed; the ${tests} will be skipped; ${hint}.`);
  return false;
}

if (process.argv.includes('--test-tools') || process.argv.includes('--browser-tests')) {
  ensureTestTool({
    binaries: ['chromium', 'chromium-browser', 'google-chrome'],
    envVar: 'NASX_CHROMIUM',
    pkg: 'chromium',
    tests: 'headless-browser tests',
    hint: 'install Chromium (Debian/Ubuntu: sudo apt-get install chromium) or set NASX_CHROMIUM to a Chrome or Chromium binary',
  });
  ensureTestTool({
    binaries: ['redis-server'],
    envVar: 'NASX_REDIS_SERVER',
    pkg: 'redis-server',
    tests: 'distributed-evaluation tests (nasx worker, executor: bullmq)',
    hint: 'install Redis (Debian/Ubuntu: sudo apt-get install redis-server) or set NASX_REDIS_SERVER to a redis-server binary',
  });
}

/**
 * oneDNN for the `onednn` tensor backend (@nasx/tensor-onednn): installs libdnnl-dev (and g++)
 * with apt-get when missing and running as root, then builds the addon when it is missing or older
 * than its source. Never fails the set-up: without it nasx runs on wasm, and the package's install
 * script prints the one-line notice.
 */
function ensureOnednn() {
  const pkg = path.join(root, 'libs', 'tensor-onednn');
  if (process.platform !== 'linux' || !fs.existsSync(pkg)) return;
  const header = '/usr/include/oneapi/dnnl/dnnl.hpp';
  const missing = [!fs.existsSync(header) && 'libdnnl-dev', !onPath('g++') && 'g++'].filter(Boolean);
  if (missing.length && process.getuid?.() === 0 && onPath('apt-get')) {
    console.error(`nasx setup: installing ${missing.join(' and ')} for the oneDNN backend (apt-get)…`);
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => spawnSync('apt-get', ['install', '-y', ...missing], { stdio: 'inherit', env }).status === 0;
    // The package lists may be missing or stale on a fresh machine: update once, then retry.
    if (!install() && !(spawnSync('apt-get', ['update'], { stdio: 'inherit', env }).status === 0 && install())) {
      console.error('nasx setup: apt-get could not install libdnnl-dev; nasx runs on wasm (see `nasx doctor`).');
      return;
    }
  }
  const addon = path.join(pkg, 'build', 'Release', 'nasx_onednn.node');
  const sources = ['native/onednn.cc', 'binding.gyp'].map((f) => mtime(path.join(pkg, f)));
  if (mtime(addon) >= Math.max(...sources)) return;
  // The package's own install script: builds, or prints what to install and exits 0.
  spawnSync(process.execPath, [path.join(pkg, 'scripts', 'install.cjs')], { cwd: pkg, stdio: 'inherit' });
}

/**
 * better-sqlite3, the SQLite addon of the experiment store (@nasx/store): built by its install
 * script, which npm runs because the root package.json approves it (allowScripts; npm 11 skips
 * unapproved install scripts). When it is missing anyway (installed with --ignore-scripts, an npm
 * that skipped it), `npm rebuild` runs the script: a prebuilt binary, else a node-gyp build
 * against Node's own headers (Debian's nodejs ships them, so it works offline). Fails the set-up:
 * `nasx runs`, `nasx compare` and the web view need it.
 */
function ensureSqlite() {
  const pkg = path.join(root, 'node_modules', 'better-sqlite3');
  if (!fs.existsSync(pkg) || fs.existsSync(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'))) return;
  console.error('nasx setup: building the SQLite addon of the experiment store (better-sqlite3; a minute or two when it compiles)…');
  const env = { ...process.env };
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  if (!env.npm_config_nodedir && fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = nodedir;
  const r = spawnSync('npm', ['rebuild', 'better-sqlite3', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: 'inherit',
    env,
    shell: process.platform === 'win32',
  });
  if (r.status !== 0 || !fs.existsSync(path.join(pkg, 'build', 'Release', 'better_sqlite3.node'))) {
    console.error('nasx setup: could not build better-sqlite3 (it needs python3, make and a C++ compiler when no prebuilt binary can be downloaded).');
    process.exit(1);
  }
}

ensureOnednn();
ensureSqlite();

try {
  require('./build.cjs').build({ quiet: true });
} catch (e) {
  console.error(`nasx setup: ${e.message}`);
  process.exit(1);
}
