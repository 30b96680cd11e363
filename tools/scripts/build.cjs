#!/usr/bin/env node
// Builds every TypeScript package of the workspace with `tsc -b` (project references order them),
// then the browser bundle of the operator profiler (browser-bundle.cjs; a no-op when up to date).
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { root, workspacePackages } = require('./workspace-packages.cjs');

function build({ quiet = false } = {}) {
  // Options types are generated from the schema files (schema-types.cjs); refresh them first.
  require('./schema-types.cjs').writeSchemaTypes();
  const projects = workspacePackages()
    .filter((p) => p.hasTsconfig)
    .map((p) => p.rel);
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-b', ...projects], { cwd: root, stdio: quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  if (r.status !== 0) {
    if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    throw new Error(`TypeScript build failed (exit ${r.status})`);
  }
  require('./browser-bundle.cjs').bundleBrowserProfiler();
}

module.exports = { build };

if (require.main === module) {
  try {
    build();
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
