import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatNasxError, isNasxError } from '@nasx/contracts';
import { Kernel } from '../kernel';
import { discoverPlugins } from './discovery';

const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');
const SECRET = 'root:$6$very-secret-hash:19000:0:99999:7:::';

/** A plugin package in a temp folder whose manifest names `optionsSchema`. */
function pluginPackage(base: string, name: string, optionsSchema: string, opts: { id?: string; kind?: string; files?: Record<string, string> } = {}): string {
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  const kind = opts.kind ?? 'searcher';
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({
      name,
      version: '1.0.0',
      main: 'index.js',
      nasx: { role: kind, engines: { kernel: '*' }, contributes: [{ id: opts.id ?? name, kind, title: name, optionsSchema }] },
    }),
  );
  for (const [f, text] of Object.entries(opts.files ?? {})) fs.writeFileSync(path.join(dir, f), text);
  return dir;
}

describe('plugin manifests that reach outside their package', () => {
  let base: string;
  let secret: string;
  beforeAll(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-hostile-'));
    secret = path.join(base, 'shadow');
    fs.writeFileSync(secret, `${SECRET}\n`);
  });
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it.each([
    ['a relative path out of the package', () => '../shadow', /the options schema path "\.\.\/shadow" leads outside the package folder/],
    ['an absolute path', () => secret, /is absolute/],
  ])('refuses %s without reading or echoing the file', (_name, schemaPath, message) => {
    const dir = pluginPackage(base, `p-${Math.random().toString(16).slice(2)}`, schemaPath());
    const { problems, plugins } = discoverPlugins({ roots: [], paths: [dir] });
    expect(problems).toHaveLength(1);
    const text = formatNasxError(problems[0]!);
    expect(text).toMatch(message);
    expect(text).toMatch(/Fix: put the schema file inside the package/);
    expect(text).not.toMatch(/root:|very-secret/);
    expect(plugins.flatMap((p) => p.contributions)).toEqual([]);
  });

  it('refuses a schema file that is a symbolic link out of the package', () => {
    const dir = pluginPackage(base, 'p-symlink', 'schema.json');
    fs.symlinkSync(secret, path.join(dir, 'schema.json'));
    const { problems } = discoverPlugins({ roots: [], paths: [dir] });
    expect(problems.map(formatNasxError)).toEqual([expect.stringMatching(/"schema\.json" is a symbolic link to a file outside the package folder/)]);
    expect(formatNasxError(problems[0]!)).not.toMatch(/root:|very-secret/);
  });

  it('does not echo the content of a schema file that is not JSON', () => {
    const dir = pluginPackage(base, 'p-notjson', 'schema.json', { files: { 'schema.json': SECRET } });
    const { problems } = discoverPlugins({ roots: [], paths: [dir] });
    expect(problems.map(formatNasxError)).toEqual([expect.stringMatching(/cannot read the options schema "schema\.json" \(not valid JSON\)/)]);
    expect(formatNasxError(problems[0]!)).not.toMatch(/root:|very-secret/);
  });

  it('refuses a self-referencing options schema at load time, as a plugin error (exit 2), not an internal error', () => {
    const dir = pluginPackage(base, 'p-selfref', 'schema.json', { files: { 'schema.json': JSON.stringify({ $ref: '#' }) } });
    const { problems } = discoverPlugins({ roots: [], paths: [dir] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ kind: 'plugin', message: expect.stringMatching(/not a valid JSON Schema: it refers to itself without end/) });
  });

  it('a self-referencing schema given in code fails validation with a plugin error, not a stack overflow', () => {
    const k2 = Kernel.open({
      roots: [workspaceRoot],
      plugins: [
        {
          name: 'inline-selfref',
          definition: { contributions: [{ kind: 'searcher', id: 'loops', optionsSchema: { $ref: '#' }, create: () => ({}) }] } as never,
        },
      ],
    });
    expect(() => k2.loadConfigObject({ space: 'nb201', estimator: 'synthetic', searcher: 'loops', budget: { evaluations: 1 } })).toThrow(
      expect.objectContaining({ kind: 'plugin', message: expect.stringMatching(/searcher "loops" refers to itself without end/) }),
    );
  });
});

describe('a package that re-contributes an existing id', () => {
  it("is a load-time error naming both packages when a config's plugins: list brings it (it used to be dropped silently)", () => {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-dup-'));
    const dir = pluginPackage(base, 'my-random', 'schema.json', {
      id: 'random',
      files: { 'schema.json': JSON.stringify({ type: 'object', additionalProperties: false, properties: {} }) },
    });
    const file = path.join(base, 'c.yaml');
    fs.writeFileSync(file, `plugins: [${JSON.stringify(dir)}]\nspace: nb201\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 1 }\n`);
    const kernel = Kernel.open({ roots: [workspaceRoot] });
    let err: unknown;
    try {
      kernel.loadConfig(file);
    } catch (e) {
      err = e;
    }
    expect(isNasxError(err)).toBe(true);
    expect(formatNasxError(err as never)).toMatch(
      /searcher id "random" is contributed by both @nasx\/searcher-random \(.*\) and my-random \(.*my-random\).*Fix: uninstall or drop one/,
    );
    fs.rmSync(base, { recursive: true, force: true });
  });
});
