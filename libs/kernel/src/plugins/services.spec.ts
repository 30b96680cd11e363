import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatNasxError, isNasxError, type NasxError, type SearchEvent } from '@nasx/contracts';
import { startTestKernel, toyThrees, type TestKernel } from '@nasx/testing';
import { lastValueFrom, toArray } from 'rxjs';
import { discoverPlugins } from './discovery';

/**
 * Third-party plugin packages as users write them: plain JavaScript with a nasx manifest, in a
 * folder outside the workspace (no @nasx package resolvable from there), listed in a config's
 * `plugins:`.
 */
function writePackage(root: string, dir: string, pkg: object, index: string, files: Record<string, string> = {}): void {
  const at = path.join(root, dir);
  fs.mkdirSync(at, { recursive: true });
  fs.writeFileSync(path.join(at, 'package.json'), JSON.stringify({ version: '1.0.0', main: 'index.js', ...pkg }, null, 2));
  fs.writeFileSync(path.join(at, 'index.js'), index);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(at, name), text);
}

const tokenizerPackage = (name: string) => ({
  name,
  nasx: {
    role: 'service',
    engines: { kernel: '*' },
    contributes: [{ id: 'tokenizer', kind: 'service', token: 'acme.tokenizer', title: 'Character tokenizer' }],
  },
});
const tokenizerCode = `
let created = 0;
module.exports.default = {
  contributions: [{
    kind: 'service', id: 'tokenizer', token: 'acme.tokenizer', description: 'Splits text into characters.',
    create(options, deps) {
      created += 1;
      if (typeof deps.logger.info !== 'function') throw new Error('no logger in deps');
      return { tokens: (text) => text.split(''), instance: created };
    },
  }],
};
`;

const estimatorPackage = {
  name: 'acme-estimator-threes',
  nasx: {
    role: 'estimator',
    engines: { kernel: '*' },
    contributes: [{ id: 'threes', kind: 'estimator', title: 'Counts the 3s', optionsSchema: 'threes.schema.json', inject: { tokenizer: 'acme.tokenizer' } }],
  },
};
const estimatorSchema = JSON.stringify({ type: 'object', additionalProperties: false, properties: {} });
const estimatorCode = (inject: string) => `
module.exports.default = {
  contributions: [{
    kind: 'estimator', id: 'threes', description: 'Counts the 3s of a toy architecture with the injected tokenizer.',
    optionsSchema: ${estimatorSchema},
    inject: ${inject},
    create(options, deps) {
      const { tokenizer } = deps;
      return {
        id: 'threes',
        metrics: [{ name: 'threes', direction: 'maximize' }, { name: 'tokenizer_instance', direction: 'maximize' }],
        async estimate(arch) {
          return { metrics: { threes: tokenizer.tokens(arch.key).filter((t) => t === '3').length, tokenizer_instance: tokenizer.instance }, cost: {} };
        },
      };
    },
  }],
};
`;

describe('services across plugin packages outside the workspace', () => {
  let root: string;
  let tk: TestKernel;

  beforeAll(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-services-'));
    writePackage(root, 'tokenizer', tokenizerPackage('acme-service-tokenizer'), tokenizerCode);
    writePackage(root, 'tokenizer-copy', tokenizerPackage('acme-service-tokenizer-copy'), tokenizerCode);
    writePackage(root, 'estimator', estimatorPackage, estimatorCode(`{ tokenizer: 'acme.tokenizer' }`), { 'threes.schema.json': estimatorSchema });
    writePackage(
      root,
      'estimator-undeclared',
      { ...estimatorPackage, name: 'acme-estimator-undeclared' },
      estimatorCode(`{ tokenizer: 'acme.tokenizer', extra: 'acme.extra' }`),
      { 'threes.schema.json': estimatorSchema },
    );
    // Provides a service nobody injects; its code throws when imported.
    writePackage(
      root,
      'unused',
      {
        name: 'acme-service-unused',
        nasx: { role: 'service', engines: { kernel: '*' }, contributes: [{ id: 'unused', kind: 'service', token: 'acme.unused', title: 'Unused' }] },
      },
      `throw new Error('acme-service-unused must not be imported');`,
    );
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  beforeEach(() => {
    tk = startTestKernel();
  });
  afterEach(() => tk.cleanup());

  const writeConfig = (name: string, plugins: string[], extra = ''): string => {
    const file = path.join(root, `${name}.yaml`);
    fs.writeFileSync(
      file,
      `plugins: [${plugins.map((p) => `./${p}`).join(', ')}]\nspace: toy\nestimator: threes\nsearcher: toy-hill-climber\nbudget: { evaluations: 6 }\nseed: 3\n${extra}`,
    );
    return file;
  };

  // acme-service-unused is listed too: its code throws on import, so the run also shows that a
  // provider nobody injects is never activated.
  it('runs an estimator whose create() receives a service another package provides, created once for the run', async () => {
    const config = tk.kernel.loadConfig(writeConfig('ok', ['tokenizer', 'estimator', 'unused']));
    const handle = await tk.kernel.start(config, { runsDir: tk.runsDir });
    const events = await lastValueFrom(handle.events$.pipe(toArray()));
    const evaluated = events.filter((e): e is Extract<SearchEvent, { type: 'evaluated' }> => e.type === 'evaluated');
    expect(evaluated).toHaveLength(6);
    for (const e of evaluated) {
      expect(e.estimate.metrics['threes']).toBe(toyThrees(e.arch));
      expect(e.estimate.metrics['tokenizer_instance']).toBe(1);
    }
    expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted' });
  });

  it('refuses, when the config is loaded, two packages that provide one token, naming both', () => {
    const e = (() => {
      try {
        tk.kernel.loadConfig(writeConfig('twice', ['tokenizer', 'tokenizer-copy', 'estimator']));
      } catch (x) {
        return x;
      }
      return undefined;
    })();
    expect(isNasxError(e)).toBe(true);
    const text = formatNasxError(e as NasxError);
    expect(text).toMatch(
      /service "acme.tokenizer" is provided by 2 packages: acme-service-tokenizer \(.*tokenizer\) and acme-service-tokenizer-copy \(.*tokenizer-copy\)/,
    );
    expect(text).toMatch(/Fix: uninstall \(or remove from "plugins:"\) all but one of acme-service-tokenizer, acme-service-tokenizer-copy/);
    expect(text).toMatch(/twice\.yaml:1, at \/plugins/);
  });

  it('lists a duplicate provider among discovery problems, with the packages', () => {
    const { problems } = discoverPlugins({ roots: [], paths: [path.join(root, 'tokenizer'), path.join(root, 'tokenizer-copy')] });
    expect(problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^service "acme.tokenizer" is provided by 2 packages: acme-service-tokenizer .* and acme-service-tokenizer-copy/),
    ]);
  });

  it('refuses a run whose estimator injects a token no installed package provides, before the run folder exists', async () => {
    const config = tk.kernel.loadConfig(writeConfig('missing', ['estimator', 'unused']));
    const e = await tk.kernel.start(config, { runsDir: tk.runsDir }).catch((x: unknown) => x);
    expect(isNasxError(e)).toBe(true);
    const text = formatNasxError(e as NasxError);
    expect(text).toMatch(
      /missing\.yaml:3, at \/estimator, package acme-estimator-threes, contribution "threes": estimator "threes" of acme-estimator-threes injects service "acme.tokenizer" \(as deps.tokenizer\), but no installed plugin provides it/,
    );
    expect(text).toMatch(/Fix: install the package that provides "acme.tokenizer"/);
    expect(fs.readdirSync(tk.runsDir)).toEqual([]);
  });

  it('runs the service-injecting estimator in worker threads too: each worker loads the provider package', async () => {
    // Workers load packages, not code defined in a test: the space comes from a package here.
    fs.cpSync(path.join(__dirname, '..', 'run', '__fixtures__', 'relative-plugin'), path.join(root, 'triples'), { recursive: true });
    const file = path.join(root, 'workers.yaml');
    fs.writeFileSync(
      file,
      'plugins: [./tokenizer, ./estimator, ./triples]\nspace: triples\nestimator: threes\nsearcher: toy-hill-climber\nbudget: { evaluations: 6 }\nseed: 3\nworkers: 2\n',
    );
    const handle = await tk.kernel.start(tk.kernel.loadConfig(file), { runsDir: tk.runsDir });
    const events = await lastValueFrom(handle.events$.pipe(toArray()));
    const evaluated = events.filter((e): e is Extract<SearchEvent, { type: 'evaluated' }> => e.type === 'evaluated');
    expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted' });
    expect(evaluated.length).toBeGreaterThanOrEqual(6);
    for (const e of evaluated) {
      expect(e.estimate.metrics['threes']).toBe(e.arch.key.split('').filter((c) => c === '3').length);
      // One tokenizer per worker thread (each composes its own pipeline).
      expect(e.estimate.metrics['tokenizer_instance']).toBe(1);
    }
  }, 60_000);

  it('refuses a package whose code injects what its manifest does not declare', async () => {
    const config = tk.kernel.loadConfig(writeConfig('undeclared', ['tokenizer', 'estimator-undeclared']));
    const e = await tk.kernel.start(config, { runsDir: tk.runsDir }).catch((x: unknown) => x);
    expect(isNasxError(e)).toBe(true);
    expect((e as NasxError).message).toMatch(/the manifest and the code of estimator "threes" disagree on the services it provides or injects/);
    expect((e as NasxError).fix).toMatch(/same "token" and "inject"/);
  });
});
