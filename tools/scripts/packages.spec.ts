// Every package is publishable as it stands and released together with the others.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface WorkspacePackage {
  name: string;
  dir: string;
  rel: string;
  pkg: Record<string, any>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { root, workspacePackages } = require('./workspace-packages.cjs') as { root: string; workspacePackages(): WorkspacePackage[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { layerOf } = require('./nx-projects.cjs') as { layerOf(root: string): string | undefined };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { dependencyOrder } = require('./release.cjs') as { dependencyOrder(e: { name: string; pkg: object }[]): { name: string }[] };

const all = workspacePackages();
const published = all.filter((p) => !p.pkg.private);
const version = (JSON.parse(fs.readFileSync(path.join(root, 'libs', 'contracts', 'package.json'), 'utf8')) as { version: string }).version;
const license = fs.readFileSync(path.join(root, 'LICENSE'), 'utf8');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe.each(published.map((p) => [p.name, p] as const))('%s', (_, p) => {
  const pkg = p.pkg;

  it('has the fields a registry page and npm need', () => {
    expect(pkg.version).toBe(version);
    expect(pkg.description).toEqual(expect.any(String));
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toEqual({ ...rootPkg.repository, directory: p.rel });
    expect(pkg.homepage).toContain(p.rel);
    expect(pkg.bugs).toEqual(rootPkg.bugs);
    expect(pkg.engines?.node).toBe('>=20');
    expect(pkg.publishConfig).toEqual({ access: 'public' });
  });

  it('ships a README and the license, and no build info, specs or test fixtures', () => {
    expect(fs.readFileSync(path.join(p.dir, 'README.md'), 'utf8').length).toBeGreaterThan(400);
    expect(fs.readFileSync(path.join(p.dir, 'LICENSE'), 'utf8')).toBe(license);
    expect(pkg.files).toEqual(expect.arrayContaining(['README.md', 'LICENSE', '!**/.tsbuildinfo']));
    if (pkg.files.includes('src')) expect(pkg.files).toEqual(expect.arrayContaining(['!**/*.spec.*', '!**/__fixtures__']));
  });

  it('depends on the other nasx packages at exactly the release version, and peers on a range of it', () => {
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies']) {
      for (const [name, spec] of Object.entries((pkg[field] ?? {}) as Record<string, string>)) {
        if (name.startsWith('@nasx/')) expect({ field, name, spec }).toEqual({ field, name, spec: version });
      }
    }
    for (const [name, spec] of Object.entries((pkg.peerDependencies ?? {}) as Record<string, string>)) {
      if (name.startsWith('@nasx/')) expect({ name, spec }).toEqual({ name, spec: `^${version}` });
    }
    if (pkg.nasx) {
      // A plugin shares the kernel's contracts: a peer, never its own copy.
      expect(pkg.peerDependencies?.['@nasx/contracts']).toBe(`^${version}`);
      expect(pkg.dependencies?.['@nasx/contracts']).toBeUndefined();
    }
  });

  it('is in the release group of nx.json', () => {
    const groupTags = rootPkg && JSON.parse(fs.readFileSync(path.join(root, 'nx.json'), 'utf8')).release.projects;
    expect(groupTags).toContain(`tag:${layerOf(p.rel)}`);
  });
});

describe('the release', () => {
  it('leaves out exactly the private packages (the layers of nx.json release.projects)', () => {
    const tags = JSON.parse(fs.readFileSync(path.join(root, 'nx.json'), 'utf8')).release.projects as string[];
    const inGroup = all.filter((p) => tags.includes(`tag:${layerOf(p.rel)}`)).map((p) => p.name);
    expect(inGroup.sort()).toEqual(published.map((p) => p.name).sort());
  });

  it('publishes each package after the nasx packages it depends on', () => {
    const order = dependencyOrder(published.map((p) => ({ name: p.name, pkg: p.pkg }))).map((e) => e.name);
    expect(order.sort()).toEqual(published.map((p) => p.name).sort());
    const ordered = dependencyOrder(published.map((p) => ({ name: p.name, pkg: p.pkg }))).map((e) => e.name);
    for (const p of published) {
      for (const d of Object.keys({ ...p.pkg.dependencies, ...p.pkg.peerDependencies })) {
        if (ordered.includes(d)) expect(ordered.indexOf(d)).toBeLessThan(ordered.indexOf(p.name));
      }
    }
  });

  it('brings every standard plugin with the CLI (batteries included)', () => {
    const cli = published.find((p) => p.name === '@nasx/cli')!;
    for (const p of published.filter((q) => q.pkg.nasx)) expect(Object.keys(cli.pkg.dependencies)).toContain(p.name);
  });
});
