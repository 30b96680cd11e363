// Lists the workspace's packages (the folders matched by package.json "workspaces") without
// any dependency, so set-up, build and jest can share one answer and no list is kept by hand.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

function workspacePackages() {
  const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  const out = [];
  for (const pattern of rootPkg.workspaces) {
    const dirs = pattern.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
          .filter((d) => d.isDirectory())
          .map((d) => path.join(pattern.slice(0, -2), d.name))
      : [pattern];
    for (const rel of dirs) {
      const file = path.join(root, rel, 'package.json');
      if (!fs.existsSync(file)) continue;
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      out.push({ name: pkg.name, dir: path.join(root, rel), rel, pkg, hasTsconfig: fs.existsSync(path.join(root, rel, 'tsconfig.json')) });
    }
  }
  return out;
}

module.exports = { root, workspacePackages };
