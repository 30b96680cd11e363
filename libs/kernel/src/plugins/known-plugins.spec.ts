import * as fs from 'node:fs';
import * as path from 'node:path';
import { isNasxError } from '@nasx/contracts';
import { Kernel } from '../kernel';
import { KNOWN_CONTRIBUTIONS } from './known-plugins';

const PLUGINS = path.resolve(__dirname, '..', '..', '..', '..', 'plugins');

describe('KNOWN_CONTRIBUTIONS', () => {
  it("equals the manifests of the workspace's plugins (kind, id, package)", () => {
    const fromManifests: Record<string, Record<string, string>> = {};
    for (const dir of fs.readdirSync(PLUGINS)) {
      const pkg = JSON.parse(fs.readFileSync(path.join(PLUGINS, dir, 'package.json'), 'utf8'));
      for (const c of pkg.nasx.contributes as { kind: string; id: string }[]) (fromManifests[c.kind] ??= {})[c.id] = pkg.name;
    }
    expect(KNOWN_CONTRIBUTIONS).toEqual(fromManifests);
  });

  it('names the package to install when a config uses a known id that is not installed', () => {
    const kernel = Kernel.open({ discover: false });
    let error: unknown;
    try {
      kernel.loadConfigObject({ space: 'nb201', estimator: 'naswot', searcher: 'random', budget: { evaluations: 1 } });
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error)).toBe(true);
    expect(String((error as Error).message) + String((error as { fix?: string }).fix)).toContain('npm install @nasx/estimator-zero-cost');
  });

  it('still suggests a close installed id for a typo, and lists what is installed for an id nobody publishes', () => {
    const kernel = Kernel.open();
    const message = (config: object) => {
      try {
        kernel.loadConfigObject(config as never);
      } catch (e) {
        return `${(e as Error).message} ${(e as { fix?: string }).fix ?? ''}`;
      }
      throw new Error('expected an error');
    };
    expect(message({ space: 'nb201', estimator: 'naswto', searcher: 'random', budget: { evaluations: 1 } })).toContain('did you mean "naswot"');
    expect(message({ space: 'nb201', estimator: 'no-such-estimator', searcher: 'random', budget: { evaluations: 1 } })).toMatch(
      /installed estimators: .*synthetic/,
    );
  });
});
