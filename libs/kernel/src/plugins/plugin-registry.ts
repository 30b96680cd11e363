import {
  NasxError,
  pluginContributions,
  type AnyContribution,
  type ContributionKind,
  type DatasetDefinition,
  type InjectMap,
  type PluginContribution,
  type PluginDefinition,
} from '@nasx/contracts';
import { suggest } from '../suggest';
import type { DiscoveredContribution, DiscoveredPlugin } from './discovered-plugin';
import { KNOWN_CONTRIBUTIONS } from './known-plugins';
import { NO_OPTIONS_SCHEMA } from './services';

/** The token a service provides and the services a contribution injects, as a manifest states them. */
function injection(c: PluginContribution): { token?: string; inject?: InjectMap } {
  if (c.kind === 'dataset') return {};
  return { ...(c.kind === 'service' ? { token: c.token } : {}), ...(c.inject ? { inject: c.inject } : {}) };
}

/** The files a dataset produces, as its manifest states them. */
function produced(c: PluginContribution): { produces?: readonly string[] } {
  return c.kind === 'dataset' ? { produces: c.produces } : {};
}

function where(c: DiscoveredContribution): string {
  return c.plugin.dir ? `${c.plugin.name} (${c.plugin.dir})` : `${c.plugin.name} (given in code)`;
}

/** The error for two packages contributing one kind and id. */
export function duplicateContribution(first: DiscoveredContribution, second: DiscoveredContribution): NasxError {
  return new NasxError('plugin', `${second.kind} id "${second.id}" is contributed by both ${where(first)} and ${where(second)}`, {
    file: second.plugin.packageJson || undefined,
    pkg: second.plugin.name,
    contribution: second.id,
    fix: 'uninstall or drop one of the two packages (check the config\'s "plugins:" list), or rename the contribution in one of them',
  });
}

/** Turns an inline plugin definition (tests, embedding) into a discovered plugin. */
export function inlinePlugin(name: string, def: PluginDefinition, version = '0.0.0'): DiscoveredPlugin {
  const contributions: DiscoveredContribution[] = [];
  const plugin: DiscoveredPlugin = {
    name,
    version,
    dir: '',
    packageJson: '',
    source: 'inline',
    manifest: {
      role: 'bundle',
      engines: { kernel: '*' },
      contributes: pluginContributions(def).map((c) => ({
        id: c.id,
        kind: c.kind,
        title: c.title ?? c.id,
        description: c.description,
        ...(c.kind === 'dataset' ? {} : { optionsSchema: '' }),
        ...injection(c),
        ...produced(c),
      })),
    },
    contributions,
    load: async () => ({ default: def }),
  };
  for (const c of pluginContributions(def))
    contributions.push({
      id: c.id,
      kind: c.kind,
      title: c.title ?? c.id,
      description: c.description,
      optionsSchema: (c.kind === 'dataset' ? undefined : c.optionsSchema) ?? NO_OPTIONS_SCHEMA,
      schemaFile: '',
      plugin,
      ...injection(c),
      ...produced(c),
    });
  return plugin;
}

/**
 * The plugins of a kernel: looks contributions up by kind and id (with "did you mean"), and
 * imports a package only when one of its contributions is activated.
 */
export class PluginRegistry {
  private readonly activated = new Map<DiscoveredContribution, PluginContribution>();

  constructor(readonly plugins: readonly DiscoveredPlugin[]) {}

  /** Every contribution, optionally of one kind. */
  contributions(kind?: ContributionKind): DiscoveredContribution[] {
    return this.plugins.flatMap((p) => p.contributions).filter((c) => !kind || c.kind === kind);
  }

  /**
   * The contribution, or undefined. Two packages that contribute the same kind and id are a
   * load-time error naming both (whichever came first used to win silently, e.g. a config's
   * `plugins:` package re-contributing an installed id).
   */
  get(kind: ContributionKind, id: string): DiscoveredContribution | undefined {
    const found = this.contributions(kind).filter((c) => c.id === id);
    const first = found[0];
    const other = found.find((c) => c.plugin !== first?.plugin);
    if (first && other) throw duplicateContribution(first, other);
    return first;
  }

  /** Text for an unknown id: the closest ids of that kind, or all of them. */
  unknownIdHelp(kind: ContributionKind, id: string): string {
    const ids = this.contributions(kind).map((c) => c.id);
    const provider = KNOWN_CONTRIBUTIONS[kind]?.[id];
    if (provider) {
      return `${kind} "${id}" is in the package ${provider}, which is not installed here: npm install ${provider} (beside a global nasx: npm install -g ${provider}), or list its folder under "plugins:"`;
    }
    const close = suggest(id, ids);
    if (close.length) return `did you mean ${close.map((c) => `"${c}"`).join(' or ')}? (installed ${kind}s: ${ids.join(', ')})`;
    if (ids.length) return `installed ${kind}s: ${ids.join(', ')}; run "nasx plugins" to list them, or install a plugin that contributes "${id}"`;
    return `no ${kind} plugin is installed; install one (e.g. npm install @nasx/${kind}-<name>)`;
  }

  /** Import the package of a contribution and return its definition object. */
  async activate(c: DiscoveredContribution): Promise<AnyContribution> {
    if (c.kind === 'dataset') throw new Error(`dataset "${c.id}" is activated with activateDataset()`);
    return (await this.load(c)) as AnyContribution;
  }

  /** Import the package of a dataset contribution and return its definition (for `nasx data`). */
  async activateDataset(c: DiscoveredContribution): Promise<DatasetDefinition> {
    if (c.kind !== 'dataset') throw new Error(`${c.kind} "${c.id}" is not a dataset`);
    return (await this.load(c)) as DatasetDefinition;
  }

  private async load(c: DiscoveredContribution): Promise<PluginContribution> {
    const done = this.activated.get(c);
    if (done) return done;
    const mod = (await c.plugin.load()) as { default?: PluginDefinition } | PluginDefinition;
    const def: PluginDefinition | undefined = 'contributions' in (mod as object) ? (mod as PluginDefinition) : (mod as { default?: PluginDefinition }).default;
    const where = { file: c.plugin.packageJson || undefined, pkg: c.plugin.name, contribution: c.id };
    if (!def || !Array.isArray(def.contributions)) {
      throw new NasxError('plugin', `the package entry does not default-export definePlugin({ contributions })`, {
        ...where,
        fix: 'export default definePlugin({ contributions: [...] }) from the package entry (src/index.ts)',
      });
    }
    const all = pluginContributions(def);
    const found = all.find((d) => d.id === c.id && d.kind === c.kind);
    if (!found) {
      throw new NasxError(
        'plugin',
        `the manifest declares ${c.kind} "${c.id}" but the package code does not define it (it defines ${all.map((d) => `${d.kind} "${d.id}"`).join(', ') || 'nothing'})`,
        {
          ...where,
          fix: 'make the manifest\'s "contributes" and the definePlugin() list agree',
        },
      );
    }
    const code = injection(found);
    const same = (a: object | undefined, b: object | undefined): boolean =>
      JSON.stringify(Object.entries(a ?? {}).sort()) === JSON.stringify(Object.entries(b ?? {}).sort());
    if (code.token !== c.token || !same(code.inject, c.inject)) {
      const show = (x: { token?: string; inject?: InjectMap }): string => JSON.stringify({ token: x.token, inject: x.inject });
      throw new NasxError(
        'plugin',
        `the manifest and the code of ${c.kind} "${c.id}" disagree on the services it provides or injects (manifest ${show(c)}, code ${show(code)})`,
        {
          ...where,
          fix: 'give the manifest entry the same "token" and "inject" as the code\'s definition',
        },
      );
    }
    const codeProduces = JSON.stringify(produced(found).produces ?? null);
    if (codeProduces !== JSON.stringify(c.produces ?? null)) {
      throw new NasxError(
        'plugin',
        `the manifest and the code of ${c.kind} "${c.id}" disagree on the files it produces (manifest ${JSON.stringify(c.produces ?? null)}, code ${codeProduces})`,
        { ...where, fix: 'give the manifest entry the same "produces" list, in the same order, as the code\'s defineDataset()' },
      );
    }
    this.activated.set(c, found);
    return found;
  }
}
