import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PLUGIN_MANIFEST_SCHEMA } from '@nasx/contracts';
import { createAjv } from '../ajv';
import { discoverPlugins } from './discovery';
import { PluginRegistry } from './plugin-registry';

const validate = createAjv().compile(PLUGIN_MANIFEST_SCHEMA);
const manifest = (role: string, ...contributes: object[]) => ({ role, engines: { kernel: '*' }, contributes });
const errors = (m: unknown): string[] => (validate(JSON.parse(JSON.stringify(m))) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`));
const DATASET = { id: 'toy-bench', kind: 'dataset', title: 'Toy benchmark', produces: ['toy/table.csv.gz'] };

describe('manifest schema: datasets', () => {
  it('accepts a dataset beside the estimator that reads it, and a data-only package', () => {
    expect(errors(manifest('estimator', { id: 'e', kind: 'estimator', title: 'E', optionsSchema: 's.json' }, DATASET))).toEqual([]);
    expect(errors(manifest('dataset', DATASET))).toEqual([]);
  });

  it.each([
    ['a dataset without its produced files', manifest('dataset', { id: 'd', kind: 'dataset', title: 'D' }), '/contributes/0 required'],
    ['a produced path that leaves the data directory', manifest('dataset', { ...DATASET, produces: ['../etc/passwd'] }), '/contributes/0/produces/0 pattern'],
    ['an absolute produced path', manifest('dataset', { ...DATASET, produces: ['/tmp/x'] }), '/contributes/0/produces/0 pattern'],
    [
      'produced files on a contribution that is not a dataset',
      manifest('estimator', { id: 'e', kind: 'estimator', title: 'E', optionsSchema: 's.json', produces: ['x'] }),
      '/contributes/0 not',
    ],
  ])('refuses %s', (_, m, error) => {
    expect(errors(m)).toContain(error);
  });
});

describe('discovery and activation of datasets', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-dataset-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function writePlugin(codeProduces: string[]): string {
    const pkg = path.join(dir, 'estimator-toy');
    fs.mkdirSync(path.join(pkg, 'src'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'src', 'o.schema.json'), JSON.stringify({ type: 'object', additionalProperties: false, properties: {} }));
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({
        name: 'estimator-toy',
        version: '1.0.0',
        main: 'index.js',
        nasx: manifest('estimator', { id: 'toy', kind: 'estimator', title: 'Toy', optionsSchema: 'src/o.schema.json' }, DATASET),
      }),
    );
    fs.writeFileSync(
      path.join(pkg, 'index.js'),
      `module.exports = { default: { contributions: [{ kind: 'estimator', id: 'toy', description: 't', optionsSchema: {}, create() {} }],
        datasets: [{ kind: 'dataset', id: 'toy-bench', description: 'd', upstream: [], produces: ${JSON.stringify(codeProduces)}, convert: async () => {} }] } };`,
    );
    return pkg;
  }

  it('lists a dataset from the manifest alone, with its produced files, and activates it', async () => {
    const found = discoverPlugins({ roots: [], paths: [writePlugin(['toy/table.csv.gz'])], kernelVersion: '0.1.0' });
    expect(found.problems).toEqual([]);
    const registry = new PluginRegistry(found.plugins);
    const c = registry.get('dataset', 'toy-bench')!;
    expect(c.produces).toEqual(['toy/table.csv.gz']);
    expect((await registry.activateDataset(c)).kind).toBe('dataset');
    expect(registry.unknownIdHelp('dataset', 'toy-bnch')).toMatch(/did you mean "toy-bench"/);
  });

  it('refuses code whose produced files differ from the manifest', async () => {
    const found = discoverPlugins({ roots: [], paths: [writePlugin(['toy/other.csv.gz'])], kernelVersion: '0.1.0' });
    const registry = new PluginRegistry(found.plugins);
    await expect(registry.activateDataset(registry.get('dataset', 'toy-bench')!)).rejects.toThrow(/disagree on the files it produces/);
  });
});
