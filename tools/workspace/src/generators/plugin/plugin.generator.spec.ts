import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { PLUGIN_MANIFEST_SCHEMA } from '@nasx/contracts';
import { createAjv } from '@nasx/kernel';
import { lintOptionsSchema } from '@nasx/testing';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the generator is plain CommonJS (Nx loads it without a build step); jest requires it as is
const generator = require('./plugin.generator') as {
  (tree: Tree, options: { name: string; role: string; title?: string; description?: string }): Promise<() => void>;
  PLUGIN_ROLES: readonly string[];
};

const ROLES = ['task', 'search-space', 'estimator', 'searcher', 'latency-model'] as const;
type Role = (typeof ROLES)[number];

/** The implementation file suffix and the names the templates derive, per role, for `name = 'my-thing'`. */
const EXPECTED: { [R in Role]: { defName: string; typeName: string; suite?: string } } = {
  task: { defName: 'myThingTask', typeName: 'MyThingTask' },
  'search-space': { defName: 'myThingSearchSpace', typeName: 'MyThingSearchSpace', suite: 'describeSearchSpaceContract' },
  estimator: { defName: 'myThingEstimator', typeName: 'MyThingEstimator', suite: 'describeEstimatorContract' },
  searcher: { defName: 'myThingSearcher', typeName: 'MyThingSearcher', suite: 'describeSearcherContract' },
  'latency-model': { defName: 'myThingLatencyModel', typeName: 'MyThingLatencyModel' },
};

function emptyTree(): Tree {
  return createTreeWithEmptyWorkspace({ formatter: 'none' });
}

async function rejects(tree: Tree, options: { name: string; role: string }): Promise<string> {
  try {
    await generator(tree, options);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected the generator to refuse ${JSON.stringify(options)}`);
}

function allFiles(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((c) => (tree.isFile(`${dir}/${c}`) ? [`${dir}/${c}`] : allFiles(tree, `${dir}/${c}`)));
}

describe('plugin generator', () => {
  it('offers exactly the contribution kinds of the contracts', () => {
    expect([...generator.PLUGIN_ROLES].sort()).toEqual([...ROLES].sort());
  });

  describe.each(ROLES)('--role %s', (role) => {
    const dir = `plugins/${role}-my-thing`;
    let tree: Tree;
    let before: Set<string>;

    beforeAll(async () => {
      tree = emptyTree();
      before = new Set(tree.listChanges().map((c) => c.path));
      await generator(tree, { name: 'my-thing', role });
    });

    it('writes the package files and nothing outside its folder', () => {
      expect(allFiles(tree, dir).sort()).toEqual(
        [
          'README.md',
          'package.json',
          'tsconfig.json',
          'src/index.ts',
          'src/index.spec.ts',
          `src/my-thing/my-thing.${role}.ts`,
          `src/my-thing/my-thing.${role}.spec.ts`,
          'src/my-thing/my-thing.schema.json',
        ]
          .map((f) => `${dir}/${f}`)
          .sort(),
      );
      const changedOutside = tree.listChanges().filter((c) => !before.has(c.path) && !c.path.startsWith(`${dir}/`));
      expect(changedOutside.map((c) => c.path)).toEqual([]);
    });

    it('writes a package.json with a valid nasx manifest naming the schema file', () => {
      const pkg = readJson(tree, `${dir}/package.json`);
      expect(pkg).toMatchObject({
        name: `@nasx/${role}-my-thing`,
        version: '0.1.0',
        main: 'dist/index.js',
        types: 'dist/index.d.ts',
        files: ['dist', 'src', '!**/*.spec.*', '!**/__fixtures__', '!**/.tsbuildinfo', 'README.md', 'LICENSE'],
        peerDependencies: { '@nasx/contracts': '^0.1.0' },
        nasx: {
          role,
          engines: { kernel: '^0.1.0' },
          contributes: [{ id: 'my-thing', kind: role, title: 'My thing', optionsSchema: 'src/my-thing/my-thing.schema.json' }],
        },
      });
      expect(pkg.nasx.contributes[0].description).toEqual(expect.any(String));
      const validate = createAjv().compile(PLUGIN_MANIFEST_SCHEMA);
      expect(validate(pkg.nasx) ? [] : validate.errors).toEqual([]);
      expect(tree.exists(`${dir}/${pkg.nasx.contributes[0].optionsSchema}`)).toBe(true);
    });

    it('writes an options schema that follows the house rules (closed, described, defaults, no $id)', () => {
      const schema = readJson(tree, `${dir}/src/my-thing/my-thing.schema.json`);
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      expect(schema.$id).toBeUndefined();
      expect(lintOptionsSchema(schema)).toEqual([]);
      const props = Object.entries<{ default?: unknown }>(schema.properties);
      expect(props.length).toBeGreaterThan(0);
      for (const [, p] of props) expect(p.default).toBeDefined();
      // ajv fills every default into empty options.
      const filled: Record<string, unknown> = {};
      expect(createAjv().compile(schema)(filled)).toBe(true);
      expect(Object.keys(filled).sort()).toEqual(props.map(([k]) => k).sort());
    });

    it('copies the tsconfig of the hand-written plugins', () => {
      expect(readJson(tree, `${dir}/tsconfig.json`)).toEqual({
        extends: '../../tsconfig.base.json',
        compilerOptions: { rootDir: 'src', outDir: 'dist', tsBuildInfoFile: 'dist/.tsbuildinfo' },
        include: ['src/**/*.ts', 'src/**/*.json'],
        exclude: ['src/**/*.spec.ts', 'src/**/__fixtures__/**'],
        references: [{ path: '../../libs/contracts' }],
      });
    });

    it('writes the entry, the implementation and specs with the derived names', () => {
      const { defName, typeName, suite } = EXPECTED[role];
      const index = tree.read(`${dir}/src/index.ts`, 'utf-8') as string;
      expect(index).toContain(`import { ${defName} } from './my-thing/my-thing.${role}';`);
      expect(index).toContain(`export default definePlugin({ contributions: [${defName}] });`);
      const impl = tree.read(`${dir}/src/my-thing/my-thing.${role}.ts`, 'utf-8') as string;
      expect(impl).toContain(`export class ${typeName} implements`);
      expect(impl).toContain(`export const ${defName} = define`);
      expect(impl).toContain(`import schema from './my-thing.schema.json';`);
      expect(impl).toContain("const ID = 'my-thing';");
      expect(impl).not.toMatch(/throw new Error\(['"`]not implemented/i);
      const spec = tree.read(`${dir}/src/index.spec.ts`, 'utf-8') as string;
      expect(spec).toContain("describePluginPackage(path.resolve(__dirname, '..'), plugin);");
      if (suite) expect(spec).toContain(`${suite}(${defName}`);
      expect(tree.read(`${dir}/src/my-thing/my-thing.${role}.spec.ts`, 'utf-8')).toContain(`describe('my-thing `);
    });

    it('writes a README with the standard headings', () => {
      const readme = tree.read(`${dir}/README.md`, 'utf-8') as string;
      expect(readme.startsWith(`# @nasx/${role}-my-thing\n`)).toBe(true);
      const headings = [...readme.matchAll(/^##\s+(.+?)\s*$/gm)].map((m) => m[1]);
      expect(headings).toEqual(['Contributions', 'Options', 'Example config', 'Results (measured)', 'Limitations']);
    });

    it('leaves no template syntax or placeholders behind', () => {
      for (const f of allFiles(tree, dir)) {
        const text = tree.read(f, 'utf-8') as string;
        expect([f, /<%|%>|__name__|__tmpl__|\[object Object\]/.test(text)]).toEqual([f, false]);
        expect(f).not.toMatch(/__|tmpl/);
      }
    });
  });

  it('puts title and description into manifest, definition and README, escaped for each', async () => {
    const tree = emptyTree();
    const description = 'Quotes "here", a pipe | and a backslash \\ & <angle> brackets.';
    await generator(tree, { name: 'fancy', role: 'estimator', title: "Fancy's proxy", description });
    const pkg = readJson(tree, 'plugins/estimator-fancy/package.json');
    expect(pkg.description).toBe(description);
    expect(pkg.nasx.contributes[0]).toMatchObject({ title: "Fancy's proxy", description });
    const impl = tree.read('plugins/estimator-fancy/src/fancy/fancy.estimator.ts', 'utf-8') as string;
    expect(impl).toContain(`title: ${JSON.stringify("Fancy's proxy")},`);
    expect(impl).toContain(`description: ${JSON.stringify(description)},`);
    const schema = readJson(tree, 'plugins/estimator-fancy/src/fancy/fancy.schema.json');
    expect(schema.title).toBe("Fancy's proxy options");
    const readme = tree.read('plugins/estimator-fancy/README.md', 'utf-8') as string;
    expect(readme).toContain(`\n${description}\n`);
    expect(readme).toContain('a pipe \\| and');
  });

  it('takes the contracts version and the kernel range from the workspace', async () => {
    const tree = emptyTree();
    tree.write('libs/contracts/package.json', JSON.stringify({ name: '@nasx/contracts', version: '0.3.1' }));
    tree.write('libs/kernel/package.json', JSON.stringify({ name: '@nasx/kernel', version: '0.4.0' }));
    await generator(tree, { name: 'later', role: 'searcher' });
    const pkg = readJson(tree, 'plugins/searcher-later/package.json');
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependencies).toEqual({ '@nasx/contracts': '^0.3.1' });
    expect(pkg.devDependencies).toEqual({ '@nasx/contracts': '0.3.1' });
    expect(pkg.nasx.engines).toEqual({ kernel: '^0.4.0' });
  });

  describe('refuses, saying what to do instead', () => {
    it('names that are not kebab-case, with a suggestion', async () => {
      const tree = emptyTree();
      expect(await rejects(tree, { name: 'MySearcher', role: 'searcher' })).toMatch(/"MySearcher" is not a kebab-case name[\s\S]*Fix: use "my-searcher"/);
      expect(await rejects(tree, { name: 'my_searcher', role: 'searcher' })).toMatch(/Fix: use "my-searcher"/);
      expect(await rejects(tree, { name: 'my--searcher', role: 'searcher' })).toMatch(/not a kebab-case name[\s\S]*Fix: use "my-searcher"/);
      expect(await rejects(tree, { name: '2fast', role: 'searcher' })).toMatch(/not a kebab-case name[\s\S]*Fix: use a name such as/);
      expect(await rejects(tree, { name: '../evil', role: 'searcher' })).toMatch(/not a kebab-case name/);
      expect(await rejects(tree, { name: '', role: 'searcher' })).toMatch(/a name is required/);
      expect(tree.exists('plugins')).toBe(false);
    });

    it('an unknown role, listing the roles', async () => {
      expect(await rejects(emptyTree(), { name: 'x', role: 'optimizer' })).toMatch(
        /unknown role "optimizer"[\s\S]*Fix: pass --role with one of: task, search-space, estimator, searcher, latency-model/,
      );
      expect(await rejects(emptyTree(), { name: 'x', role: 'bundle' })).toMatch(/unknown role "bundle"/);
    });

    it('a name that repeats the role prefix', async () => {
      expect(await rejects(emptyTree(), { name: 'searcher-local', role: 'searcher' })).toMatch(
        /already starts with the role[\s\S]*Fix: pass the contribution id alone: nx g @nasx\/workspace:plugin local --role searcher/,
      );
    });

    it('an existing folder, without touching it', async () => {
      const tree = emptyTree();
      tree.write('plugins/searcher-taken/notes.txt', 'mine');
      expect(await rejects(tree, { name: 'taken', role: 'searcher' })).toMatch(/plugins\/searcher-taken already exists/);
      expect(tree.children('plugins/searcher-taken')).toEqual(['notes.txt']);
    });

    it('a contribution id another workspace plugin already declares for the same kind', async () => {
      const tree = emptyTree();
      tree.write(
        'plugins/searcher-random/package.json',
        JSON.stringify({
          name: '@nasx/searcher-random',
          nasx: { role: 'searcher', engines: { kernel: '^0.1.0' }, contributes: [{ id: 'random', kind: 'searcher', title: 'R', optionsSchema: 'x' }] },
        }),
      );
      tree.write('plugins/broken/package.json', '{ not json');
      // A bundle under another folder name still counts.
      tree.write(
        'plugins/bundle-x/package.json',
        JSON.stringify({ name: '@acme/bundle-x', nasx: { role: 'bundle', contributes: [{ id: 'fast', kind: 'estimator' }] } }),
      );
      expect(await rejects(tree, { name: 'fast', role: 'estimator' })).toMatch(
        /estimator id "fast" is already contributed by @acme\/bundle-x \(plugins\/bundle-x\)/,
      );
      // Ids are unique per kind: a task called "random" is fine, and so is the broken package.json.
      await generator(tree, { name: 'random', role: 'task' });
      expect(tree.exists('plugins/task-random/package.json')).toBe(true);
    });
  });
});
