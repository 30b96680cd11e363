import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatNasxError } from '@nasx/contracts';
import { Kernel } from '../kernel';
import { discoverPlugins } from './discovery';
import { PluginRegistry } from './plugin-registry';

const fixture = (name: string) => path.join(__dirname, '__fixtures__', name);
const workspaceRoot = path.resolve(__dirname, '..', '..', '..', '..');

describe('plugin discovery (manifests only)', () => {
  it('lists a plugin from its manifest without importing its code (its entry throws on import)', () => {
    const { plugins, problems } = discoverPlugins({ roots: [], paths: [fixture('throwing-plugin')] });
    expect(problems).toEqual([]);
    expect(plugins.map((p) => p.name)).toEqual(['nasx-fixture-throwing']);
    expect(plugins[0]?.contributions.map((c) => `${c.kind}:${c.id}`)).toEqual(['searcher:explodes-on-import']);
  });

  it('imports the code only when a contribution is activated, and reports an import failure clearly', async () => {
    const { plugins } = discoverPlugins({ roots: [], paths: [fixture('throwing-plugin')] });
    const registry = new PluginRegistry(plugins);
    await expect(registry.activate(registry.get('searcher', 'explodes-on-import')!)).rejects.toMatchObject({
      kind: 'plugin',
      message: expect.stringMatching(/must not be imported/),
    });
  });

  it("finds the workspace plugins (plugins/* and the CLI's dependencies) from the workspace root", () => {
    const { plugins, problems } = discoverPlugins({ roots: [workspaceRoot] });
    expect(problems.map(formatNasxError)).toEqual([]);
    const ids = plugins.flatMap((p) => p.contributions.map((c) => `${c.kind}:${c.id}`));
    for (const id of ['search-space:nb201', 'estimator:tabular', 'searcher:random', 'searcher:regularized-evolution']) expect(ids).toContain(id);
    // found through two routes (workspace folder and node_modules symlink), listed once
    expect(new Set(plugins.map((p) => p.name)).size).toBe(plugins.length);
  });

  it.each([
    ['bad-role', /invalid nasx manifest/, '/nasx/role'],
    ['future-kernel', /needs kernel \^9\.0\.0/, '/nasx/engines/kernel'],
    ['missing-schema', /cannot read the options schema "nope.json" \(file not found\)/, '/nasx/contributes/0/optionsSchema'],
  ])('refuses %s with a message naming the package and the place', (name, message, pointer) => {
    const { plugins, problems } = discoverPlugins({ roots: [], paths: [fixture(name)] });
    expect(problems).toHaveLength(1);
    const e = problems[0]!;
    expect(e.kind).toBe('plugin');
    expect(e.message).toMatch(message);
    expect(e.where.pointer).toBe(pointer);
    expect(e.where.file).toBe(path.join(fixture(name), 'package.json'));
    expect(e.fix).toBeTruthy();
    expect(plugins.flatMap((p) => p.contributions)).toHaveLength(0);
  });

  it('refuses a schema ajv cannot compile (unknown keyword), naming the schema file', () => {
    const { problems } = discoverPlugins({ roots: [], paths: [fixture('bad-schema')] });
    expect(problems[0]?.message).toMatch(/not a valid JSON Schema.*minimun/);
    expect(problems[0]?.where.file).toBe(path.join(fixture('bad-schema'), 'schema.json'));
  });

  it('refuses duplicate contribution ids across packages, naming both', () => {
    const { problems } = discoverPlugins({ roots: [], paths: [fixture('dup-a'), fixture('dup-b')] });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.message).toMatch(/searcher id "twin" is contributed by both nasx-fixture-dup-a .* and nasx-fixture-dup-b/);
  });

  it('refuses a package whose code does not define what its manifest declares', async () => {
    const { plugins } = discoverPlugins({ roots: [], paths: [fixture('mismatched-code')] });
    const registry = new PluginRegistry(plugins);
    await expect(registry.activate(registry.get('searcher', 'declared')!)).rejects.toMatchObject({
      message: expect.stringMatching(/does not define it \(it defines searcher "something-else"\)/),
    });
  });

  it('refuses a run that selects a contribution with a manifest problem, not runs that do not', async () => {
    const kernel = Kernel.open({ roots: [workspaceRoot], paths: [fixture('dup-a'), fixture('dup-b'), fixture('bad-role')] });
    expect(() => kernel.loadConfigObject({ space: 'nb201', estimator: 'synthetic', searcher: 'twin', budget: { evaluations: 1 } })).toThrow(
      /searcher id "twin" is contributed by both nasx-fixture-dup-a .* and nasx-fixture-dup-b/,
    );
    const other = kernel.loadConfigObject({ space: 'nb201', estimator: 'synthetic', searcher: 'random', budget: { evaluations: 1 } });
    expect(() => kernel.assertHealthy(other)).not.toThrow();
    expect(kernel.problems.length).toBe(2);
  });

  it('reads plugins from paths a config names', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-cfg-'));
    const file = path.join(dir, 'c.yaml');
    fs.writeFileSync(
      file,
      `plugins: [${JSON.stringify(fixture('throwing-plugin'))}]\nspace: nb201\nestimator: synthetic\nsearcher: explodes-on-import\nbudget: { evaluations: 1 }\n`,
    );
    const kernel = Kernel.open({ roots: [workspaceRoot] });
    const config = kernel.loadConfig(file);
    expect(config.searcher.contribution.plugin.name).toBe('nasx-fixture-throwing');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
