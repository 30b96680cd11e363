import { NasxError, type JsonSchema } from '@nasx/contracts';
import type { DiscoveredContribution, DiscoveredPlugin } from './discovered-plugin';

/** The options schema of a service whose manifest names none: it takes no options. */
export const NO_OPTIONS_SCHEMA: JsonSchema = { type: 'object', additionalProperties: false, properties: {} };

/** Each token provided by service contributions of more than one package, as a load-time problem. */
export function duplicateServiceProblems(plugins: readonly DiscoveredPlugin[]): NasxError[] {
  const byToken = new Map<string, DiscoveredContribution[]>();
  for (const c of plugins.flatMap((p) => p.contributions)) if (c.kind === 'service' && c.token) byToken.set(c.token, [...(byToken.get(c.token) ?? []), c]);
  return [...byToken.entries()].filter(([, cs]) => cs.length > 1).map(([token, cs]) => duplicateProviders(token, cs));
}

function duplicateProviders(token: string, providers: readonly DiscoveredContribution[]): NasxError {
  const names = providers.map((p) => `${p.plugin.name}${p.plugin.dir ? ` (${p.plugin.dir})` : ''}`);
  const [first] = providers as [DiscoveredContribution];
  // No file: the problem is the pair, and a config's "plugins:" line is the better place when there is one.
  return new NasxError('plugin', `service "${token}" is provided by ${providers.length} packages: ${names.join(' and ')}; a token must have one provider`, {
    pkg: first.plugin.name,
    contribution: token,
    fix: `uninstall (or remove from "plugins:") all but one of ${providers.map((p) => p.plugin.name).join(', ')}`,
  });
}

/** A contribution that injects services, and where the run's config selects it. */
export interface ServiceConsumer {
  readonly contribution: DiscoveredContribution;
  /** How errors name it, e.g. `estimator "bpe-length"`. */
  readonly label: string;
  /** Where the config selects it (file, line, pointer), for error messages. */
  readonly where: { readonly file?: string; readonly line?: number; readonly pointer?: string };
}

/**
 * The service providers a run needs: every token its selected contributions inject, and the tokens
 * those services inject in turn, each mapped to the one installed service that provides it. Reads
 * manifests only (no plugin code). A token without a provider, or with several, is a NasxError that
 * names the contribution that injects it, the packages and the fix.
 */
export function planServices(all: readonly DiscoveredContribution[], consumers: readonly ServiceConsumer[]): Map<string, DiscoveredContribution> {
  const plan = new Map<string, DiscoveredContribution>();
  const queue = [...consumers];
  for (let i = 0; i < queue.length; i++) {
    const consumer = queue[i] as ServiceConsumer;
    for (const [name, token] of Object.entries(consumer.contribution.inject ?? {})) {
      if (plan.has(token)) continue;
      const providers = all.filter((c) => c.kind === 'service' && c.token === token);
      const pkg = consumer.contribution.plugin.name;
      if (providers.length === 0) {
        throw new NasxError('plugin', `${consumer.label} of ${pkg} injects service "${token}" (as deps.${name}), but no installed plugin provides it`, {
          ...consumer.where,
          pkg,
          contribution: consumer.contribution.id,
          fix: `install the package that provides "${token}" (its nasx manifest lists { "kind": "service", "token": "${token}" }) or add its folder to "plugins:"; the documentation of ${pkg} should name it`,
        });
      }
      if (providers.length > 1) {
        const e = duplicateProviders(token, providers);
        throw new NasxError('plugin', `${consumer.label} of ${pkg} injects service "${token}", which is ${e.message.replace(/^service "[^"]*" is /, '')}`, {
          ...consumer.where,
          pkg,
          contribution: consumer.contribution.id,
          fix: e.fix,
        });
      }
      const provider = providers[0] as DiscoveredContribution;
      plan.set(token, provider);
      queue.push({ contribution: provider, label: `service "${token}"`, where: consumer.where });
    }
  }
  return plan;
}
