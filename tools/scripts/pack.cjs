#!/usr/bin/env node
// Packs every publishable workspace package (not "private") with `npm pack` into one folder, the
// way the release publishes them, and writes SHA256SUMS beside the tarballs.
//
//   node tools/scripts/pack.cjs [--out dist/packages] [--no-build]
//
// The install test (tools/scripts/install.spec.ts) installs the CLI and a generated plugin from
// these tarballs in a folder outside the workspace.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { root, workspacePackages } = require('./workspace-packages.cjs');

function publishablePackages() {
  return workspacePackages().filter((p) => !p.pkg.private);
}

function digest(file, algorithm, encoding) {
  return crypto.createHash(algorithm).update(fs.readFileSync(file)).digest(encoding);
}

/**
 * Packs the publishable packages into `out` (created; previous tarballs of the same names are
 * replaced). Returns one entry per tarball: name, version, file, integrity (sha512, as npm
 * writes it), sha256 and the packed package.json.
 */
function packAll({ out = path.join(root, 'dist', 'packages'), build = true } = {}) {
  if (build) require('./build.cjs').build({ quiet: true });
  fs.mkdirSync(out, { recursive: true });
  const packages = publishablePackages();
  const args = ['pack', '--ignore-scripts', '--json', '--pack-destination', out, ...packages.flatMap((p) => ['-w', p.rel])];
  const r = spawnSync('npm', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`npm pack failed (exit ${r.status}): ${r.stderr.trim().split('\n').slice(-5).join(' ')}`);
  const reports = JSON.parse(r.stdout);
  const entries = reports.map((rep) => {
    const file = path.join(out, rep.filename);
    const pkg = packages.find((p) => p.name === rep.name);
    return {
      name: rep.name,
      version: rep.version,
      file,
      files: rep.files.map((f) => f.path),
      integrity: `sha512-${digest(file, 'sha512', 'base64')}`,
      sha256: digest(file, 'sha256', 'hex'),
      pkg: pkg ? pkg.pkg : undefined,
    };
  });
  fs.writeFileSync(path.join(out, 'SHA256SUMS'), entries.map((e) => `${e.sha256}  ${path.basename(e.file)}\n`).join(''));
  return entries;
}

module.exports = { packAll, publishablePackages };

if (require.main === module) {
  const argv = process.argv.slice(2);
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? path.resolve(argv[outIndex + 1]) : undefined;
  try {
    const entries = packAll({ out, build: !argv.includes('--no-build') });
    for (const e of entries) console.log(`${e.name}@${e.version}  ${path.relative(process.cwd(), e.file)}`);
  } catch (e) {
    console.error(`pack: ${e.message}`);
    process.exit(1);
  }
}
