import * as fs from 'node:fs';
import * as path from 'node:path';

// DI in one place (the style guide's rule 5), written as a test: the composition root is the only
// source that imports tsyringe's container or reflect-metadata; other code may import tsyringe's
// types (an InjectionToken beside each contract) and nothing else from it.
const ROOT = path.resolve(__dirname, '..', '..', '..');
const COMPOSITION_ROOT = path.join(__dirname, 'composition-root.ts');

function* sourceFiles(dir: string): Generator<string> {
  if (!fs.existsSync(dir)) return;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      if (!['node_modules', 'dist', '__fixtures__'].includes(e.name)) yield* sourceFiles(p);
    } else if (/\.(ts|tsx|js|cjs|mjs)$/.test(e.name) && !/\.spec\.ts$/.test(e.name)) {
      yield p;
    }
  }
}

const sources = (): string[] =>
  ['libs', 'plugins', 'apps'].flatMap((group) => {
    const dir = path.join(ROOT, group);
    return fs.existsSync(dir) ? fs.readdirSync(dir).flatMap((d) => [...sourceFiles(path.join(dir, d, 'src'))]) : [];
  });

describe('dependency injection lives in the composition root', () => {
  it('only the composition root imports reflect-metadata or a value from tsyringe', () => {
    const offenders: string[] = [];
    for (const file of sources()) {
      if (file === COMPOSITION_ROOT) continue;
      const text = fs.readFileSync(file, 'utf8');
      if (/(import\s+|require\(\s*|import\(\s*)['"]reflect-metadata['"]/.test(text)) offenders.push(`${path.relative(ROOT, file)}: reflect-metadata`);
      for (const m of text.matchAll(/import\s+(type\s+)?([^;]*?)\s+from\s+['"]tsyringe['"]/g)) {
        const typeOnly =
          Boolean(m[1]) ||
          (/^\{[^}]*\}$/.test((m[2] ?? '').trim()) &&
            (m[2] ?? '')
              .replace(/[{}\s]/g, '')
              .split(',')
              .every((n) => n.startsWith('type')));
        if (!typeOnly) offenders.push(`${path.relative(ROOT, file)}: ${m[0]}`);
      }
      if (/require\(\s*['"]tsyringe['"]\s*\)/.test(text)) offenders.push(`${path.relative(ROOT, file)}: require('tsyringe')`);
    }
    expect(offenders).toEqual([]);
  });

  it('the composition root imports reflect-metadata before tsyringe', () => {
    const text = fs.readFileSync(COMPOSITION_ROOT, 'utf8');
    const reflect = text.indexOf("import 'reflect-metadata';");
    expect(reflect).toBeGreaterThanOrEqual(0);
    expect(reflect).toBeLessThan(text.indexOf("from 'tsyringe'"));
  });
});
