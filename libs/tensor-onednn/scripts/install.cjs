#!/usr/bin/env node
// Builds the oneDNN addon at install time. Never fails the install: without oneDNN's headers or a
// C++ compiler it prints one line saying what to install and exits 0 (nasx then runs on wasm).
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const dir = path.resolve(__dirname, '..');
const say = (msg) => console.error(`@nasx/tensor-onednn: ${msg}`);
const hint = 'apt-get install libdnnl-dev g++, then run `npm rebuild @nasx/tensor-onednn`; nasx runs on wasm meanwhile';

function onPath(name) {
  return (process.env.PATH || '').split(path.delimiter).some((d) => d && fs.existsSync(path.join(d, name)));
}

function nodeGyp() {
  if (process.env.npm_config_node_gyp && fs.existsSync(process.env.npm_config_node_gyp)) return process.env.npm_config_node_gyp;
  // node-gyp ships inside npm.
  const candidates = [path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not installed on its own
  }
  return candidates.find((f) => fs.existsSync(f));
}

function main() {
  if (process.platform !== 'linux') return say(`the native addon is built on Linux only; nasx runs on wasm here`);
  const header = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/local/include/oneapi/dnnl/dnnl.hpp'].some((f) => fs.existsSync(f));
  if (!header) return say(`oneDNN headers not found, not building the addon (${hint})`);
  if (!onPath('g++') && !onPath('c++')) return say(`no C++ compiler found, not building the addon (${hint})`);
  const gyp = nodeGyp();
  if (!gyp) return say(`node-gyp not found, not building the addon (${hint})`);
  // Node's own headers: Debian's nodejs ships them in /usr/include/node, so no download is needed.
  const nodedir = path.resolve(path.dirname(process.execPath), '..');
  const args = [gyp, 'rebuild'];
  if (fs.existsSync(path.join(nodedir, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${nodedir}`);
  const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) {
    const lines = `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /error/i.test(l) && !/gyp (ERR|info)/.test(l));
    return say(`building the addon failed (${lines[0]?.trim() || `node-gyp exit ${r.status}`}); ${hint}`);
  }
  say('built the oneDNN addon');
}

try {
  main();
} catch (e) {
  say(`not building the addon (${e && e.message ? e.message : e}); ${hint}`);
}
process.exit(0);
