#!/usr/bin/env node
// Releases every publishable package together, at one version (an Nx release "fixed" group,
// configured in nx.json under "release"):
//
//   npm run release -- 0.2.0 [--dry-run] [--publish] [--allow-dirty]
//
// 1. `nx release version <v>`: writes the version into every package.json of the group and
//    the exact version into their dependencies on each other, and updates package-lock.json;
// 2. peer dependencies on nasx packages become `^<v>` (Nx writes an exact version there);
// 3. `nx release changelog <v>`: CHANGELOG.md from the git history since the last release tag;
// 4. build, then `npm pack` of every package into dist/packages with SHA256SUMS;
// 5. with --publish: `npm publish` of each tarball, dependencies first.
// Committing and tagging (`git commit -am "release v<v>" && git tag v<v>`) is left to the person
// releasing, after looking at the diff.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { root, workspacePackages } = require('./workspace-packages.cjs');

function sh(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NX_DAEMON: 'false' }, ...opts });
  if (r.status !== 0) throw new Error(`"${cmd} ${args.join(' ')}" failed (exit ${r.status})`);
  return r;
}

function publishable() {
  return workspacePackages().filter((p) => !p.pkg.private);
}

/** Peer dependencies on packages of the group accept the whole minor line of the release. */
function widenPeers(version) {
  const ours = new Set(publishable().map((p) => p.name));
  for (const p of publishable()) {
    const file = path.join(p.dir, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
    let changed = false;
    for (const name of Object.keys(pkg.peerDependencies || {})) {
      if (ours.has(name) && pkg.peerDependencies[name] !== `^${version}`) {
        pkg.peerDependencies[name] = `^${version}`;
        changed = true;
      }
    }
    if (changed) fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
  }
}

/** Packed packages ordered so that each comes after the nasx packages it depends on. */
function dependencyOrder(entries) {
  const byName = new Map(entries.map((e) => [e.name, e]));
  const out = [];
  const seen = new Set();
  const visit = (e) => {
    if (seen.has(e.name)) return;
    seen.add(e.name);
    const deps = { ...(e.pkg.dependencies || {}), ...(e.pkg.peerDependencies || {}) };
    for (const d of Object.keys(deps)) if (byName.has(d)) visit(byName.get(d));
    out.push(e);
  };
  entries.forEach(visit);
  return out;
}

function main(argv) {
  const version = argv.find((a) => !a.startsWith('--'));
  const dryRun = argv.includes('--dry-run');
  if (!version || !/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(version)) {
    throw new Error('usage: npm run release -- <version> [--dry-run] [--publish] [--allow-dirty]   (version like 0.2.0)');
  }
  if (!argv.includes('--allow-dirty') && !dryRun) {
    const status = spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' });
    if (status.stdout.trim()) throw new Error('the working tree has uncommitted changes: commit them first (or pass --allow-dirty)');
  }
  sh('npx', ['nx', 'release', 'version', version, ...(dryRun ? ['--dry-run'] : [])]);
  if (dryRun) return;
  widenPeers(version);
  const tags = spawnSync('git', ['tag', '--list', 'v*'], { cwd: root, encoding: 'utf8' }).stdout.trim();
  sh('npx', ['nx', 'release', 'changelog', version, ...(tags ? [] : ['--first-release'])]);
  const entries = require('./pack.cjs').packAll({ out: path.join(root, 'dist', 'packages') });
  for (const e of entries) console.log(`packed ${e.name}@${e.version}`);
  if (argv.includes('--publish')) {
    for (const e of dependencyOrder(entries)) sh('npm', ['publish', e.file, '--access', 'public']);
  }
}

module.exports = { dependencyOrder, widenPeers };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    console.error(`release: ${e.message}`);
    process.exit(1);
  }
}
