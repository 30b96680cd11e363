import * as fs from 'node:fs';
import * as path from 'node:path';

/** Relative imports of a source file, resolved to files (type-only imports skipped: they vanish when compiled). */
function localImports(file: string): { local: string[]; packages: string[] } {
  const text = fs.readFileSync(file, 'utf8');
  const local: string[] = [];
  const packages: string[] = [];
  for (const m of text.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    if (m[1]) continue;
    const spec = m[2]!;
    if (spec.startsWith('.')) local.push(path.resolve(path.dirname(file), `${spec}.ts`));
    else packages.push(spec);
  }
  return { local, packages };
}

describe('operator profiling is browser-safe', () => {
  it('profile-operators.ts and everything it imports use tfjs-core and @nasx/contracts only (no Node module, no backend selection)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const queue = [path.join(__dirname, 'profile-operators.ts')];
    while (queue.length) {
      const file = queue.pop()!;
      if (seen.has(file)) continue;
      seen.add(file);
      const { local, packages: p } = localImports(file);
      queue.push(...local);
      p.forEach((x) => packages.add(x));
    }
    expect([...packages].sort()).toEqual(['@nasx/contracts', '@tensorflow/tfjs-core']);
    expect([...seen].map((f) => path.relative(path.join(__dirname, '..'), f)).sort()).toEqual([
      'init/initializers.ts',
      'init/seeded-random.ts',
      'nn/layers.ts',
      'ops/network-op.ts',
      'profile/profile-operators.ts',
    ]);
  });
});
