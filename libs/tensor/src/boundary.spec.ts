import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SELF = path.resolve(__dirname, '..');

function* sourceFiles(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'dist') yield* sourceFiles(p);
    } else if (/\.(ts|tsx|js|cjs|mjs)$/.test(e.name) && !e.name.startsWith('__layers-probe-')) {
      // (tools/scripts/layers.spec.ts writes __layers-probe-* files with forbidden imports on purpose, briefly.)
      yield p;
    }
  }
}

function packages(): string[] {
  return ['libs', 'plugins', 'apps'].flatMap((group) => {
    const dir = path.join(ROOT, group);
    return fs.existsSync(dir) ? fs.readdirSync(dir).map((d) => path.join(dir, d)) : [];
  });
}

describe('@nasx/tensor is the only package that uses @tensorflow/*', () => {
  it('no other package imports or depends on @tensorflow/* (they use `tf` from @nasx/tensor)', () => {
    const offenders: string[] = [];
    for (const pkg of packages()) {
      if (path.resolve(pkg) === SELF) continue;
      const manifest = path.join(pkg, 'package.json');
      if (fs.existsSync(manifest)) {
        const json = JSON.parse(fs.readFileSync(manifest, 'utf8')) as Record<string, Record<string, string> | undefined>;
        for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
          for (const dep of Object.keys(json[field] ?? {}))
            if (dep.startsWith('@tensorflow/')) offenders.push(`${path.relative(ROOT, manifest)}: ${field} ${dep}`);
        }
      }
      for (const file of sourceFiles(path.join(pkg, 'src'))) {
        if (/(from\s+|require\(\s*|import\(\s*)['"]@tensorflow\//.test(fs.readFileSync(file, 'utf8'))) offenders.push(path.relative(ROOT, file));
      }
    }
    expect(offenders).toEqual([]);
  });
});
