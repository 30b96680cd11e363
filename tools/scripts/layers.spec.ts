// The layers of the architecture, enforced by lint: each case writes a probe file into a real
// project, lints them all with the workspace's ESLint config (the eslint command, as `npm run
// lint` does), and expects the boundary rule's verdict for each.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';

const ROOT = path.resolve(__dirname, '..', '..');
const RULE = '@nx/enforce-module-boundaries';
const probe = (name: string) => `__layers-probe-${process.pid}-${name}`;
const importing = (...specs: string[]) =>
  specs.map((s, i) => `import * as m${i} from '${s}';\n`).join('') + `export const used = [${specs.map((_, i) => `m${i}`).join(', ')}];\n`;

const PLUGIN_ONLY = /tagged with "type:plugin" can only depend on libs tagged with "type:contracts", "type:lib"/;
const LIB_ONLY = /tagged with "type:lib" can only depend on libs tagged with "type:contracts", "type:lib"/;
const CONTRACTS_NOTHING = /tagged with "type:contracts" cannot depend on any libs with tags/;
const NO_TF = /is not allowed to import "@tensorflow\/tfjs-core"/;

/** Probe file (relative to the workspace) → its source and the boundary errors it must get. */
const CASES: { what: string; file: string; source: string; errors: RegExp[] }[] = [
  {
    what: 'a plugin importing another plugin fails',
    file: `plugins/searcher-random/src/${probe('plugin')}.ts`,
    source: importing('@nasx/search-space-nb201'),
    errors: [PLUGIN_ONLY],
  },
  {
    what: 'a plugin may use libs and the contracts',
    file: `plugins/searcher-random/src/${probe('lib')}.ts`,
    source: importing('@nasx/stats', '@nasx/contracts'),
    errors: [],
  },
  {
    what: "a plugin's specs may use other plugins as fixtures",
    file: `plugins/searcher-random/src/${probe('fixture')}.spec.ts`,
    source: importing('@nasx/search-space-nb201'),
    errors: [],
  },
  {
    what: 'a lib importing a plugin outside its tests fails',
    // A lib the kernel does not depend on (the kernel uses @nasx/stats): otherwise the probe's import
    // closes a cycle through the plugin's dev dependency on the kernel, a different error.
    file: `libs/data/src/${probe('lib')}.ts`,
    source: importing('@nasx/search-space-nb201'),
    errors: [LIB_ONLY],
  },
  {
    what: 'the contracts importing anything of ours fail',
    // A lib that does not depend on the contracts: otherwise the probe closes a cycle, a different error.
    file: `libs/contracts/src/${probe('contracts')}.ts`,
    source: importing('@nasx/tensor-onednn'),
    errors: [CONTRACTS_NOTHING],
  },
  {
    what: 'a plugin importing @tensorflow/* fails',
    file: `plugins/estimator-zero-cost/src/${probe('tf')}.ts`,
    source: importing('@tensorflow/tfjs-core'),
    errors: [NO_TF],
  },
  {
    what: "a plugin's spec importing @tensorflow/* fails",
    file: `plugins/estimator-zero-cost/src/${probe('tf')}.spec.ts`,
    source: importing('@tensorflow/tfjs-core'),
    errors: [NO_TF],
  },
  {
    what: 'a lib other than libs/tensor importing @tensorflow/* fails',
    file: `libs/predictors/src/${probe('tf')}.ts`,
    source: importing('@tensorflow/tfjs-core'),
    errors: [NO_TF],
  },
  { what: 'libs/tensor may import @tensorflow/*', file: `libs/tensor/src/${probe('tf')}.ts`, source: importing('@tensorflow/tfjs-core'), errors: [] },
];

let graph: ProjectGraph;
const found = new Map<string, string[]>();

beforeAll(async () => {
  // The rule reads Nx's cached project graph; computing it here writes that cache.
  graph = await createProjectGraphAsync({ exitOnError: false });
  for (const c of CASES) {
    const file = path.join(ROOT, c.file);
    if (!fs.existsSync(path.dirname(file))) throw new Error(`${c.file}: the project folder is missing`);
    if (fs.existsSync(file)) throw new Error(`${c.file} exists already`);
  }
  try {
    for (const c of CASES) fs.writeFileSync(path.join(ROOT, c.file), c.source);
    const eslintBin = path.join(path.dirname(require.resolve('eslint/package.json')), 'bin', 'eslint.js');
    const r = spawnSync(process.execPath, [eslintBin, '--format', 'json', ...CASES.map((c) => c.file)], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (r.status !== 0 && r.status !== 1) throw new Error(`eslint exited ${r.status}: ${r.stderr}`);
    for (const result of JSON.parse(r.stdout) as { filePath: string; messages: { ruleId: string | null; message: string; fatal?: boolean }[] }[]) {
      const fatal = result.messages.filter((m) => m.fatal);
      if (fatal.length) throw new Error(`${result.filePath}: ${fatal.map((m) => m.message).join('; ')}`);
      found.set(
        path.relative(ROOT, result.filePath),
        result.messages.filter((m) => m.ruleId === RULE).map((m) => m.message),
      );
    }
  } finally {
    for (const c of CASES) fs.rmSync(path.join(ROOT, c.file), { force: true });
  }
});

describe('project tags: the layer of every project comes from where it lives', () => {
  it('tags each project of libs/, plugins/, apps/ and tools/ with exactly one type:*', () => {
    const expected = (root: string): string => {
      const [group, name] = root.split('/');
      if (group === 'libs') return name === 'contracts' ? 'type:contracts' : 'type:lib';
      return { plugins: 'type:plugin', apps: 'type:app', tools: 'type:tool' }[group as string] ?? 'none';
    };
    const layers = Object.values(graph.nodes).map((n) => [n.data.root, (n.data.tags ?? []).filter((t) => t.startsWith('type:'))] as const);
    expect(layers.length).toBeGreaterThan(20);
    for (const [root, tags] of layers) expect({ root, tags }).toEqual({ root, tags: [expected(root)] });
  });

  it('gives every project the build system targets (build where it compiles, lint, test, typecheck everywhere)', () => {
    for (const node of Object.values(graph.nodes)) {
      const targets = Object.keys(node.data.targets ?? {});
      expect({ root: node.data.root, targets }).toEqual({ root: node.data.root, targets: expect.arrayContaining(['lint', 'test', 'typecheck']) });
      if (fs.existsSync(path.join(ROOT, node.data.root, 'tsconfig.json')))
        expect({ root: node.data.root, targets }).toEqual({ root: node.data.root, targets: expect.arrayContaining(['build']) });
    }
  });
});

describe('@nx/enforce-module-boundaries: the layers of DESIGN.md', () => {
  it.each(CASES)('$what', ({ file, errors }) => {
    expect(found.get(file)).toEqual(errors.map((e) => expect.stringMatching(e)));
  });
});
