import type { ContributionKind, JsonSchema } from '@nasx/contracts';
import type { PluginRegistry } from '../plugins/plugin-registry';
import { PIPELINE_SCHEMA } from './pipeline.schema';

function entrySchemaFor(registry: PluginRegistry, kind: ContributionKind, description: string): JsonSchema {
  const cs = registry.contributions(kind);
  // No contribution of this kind installed: nothing can be valid here. An empty `enum` would say
  // the same but is not a valid JSON Schema (draft-07 requires at least one value).
  if (cs.length === 0) return { description: `${description} No ${kind} contribution is installed.`, not: {} };
  return {
    description,
    anyOf: [
      { enum: cs.map((c) => c.id), description: `A ${kind} id (default options).` },
      ...cs.map((c) => ({
        type: 'object',
        title: c.title,
        description: c.description ?? c.title,
        additionalProperties: false,
        required: ['use'],
        properties: { use: { const: c.id, description: `${c.kind} "${c.id}" from ${c.plugin.name}` }, options: c.optionsSchema },
      })),
    ],
  };
}

/**
 * The JSON Schema of pipeline configs for the installed plugins: the skeleton with each slot's
 * entry spelled out per contribution (the way VS Code splices extension schemas into its own), for
 * editors (`nasx schema > nasx.schema.json`, then `$schema:` in the config).
 */
export function composePipelineSchema(registry: PluginRegistry): JsonSchema {
  const base = JSON.parse(JSON.stringify(PIPELINE_SCHEMA)) as { properties: Record<string, JsonSchema> };
  const p = base.properties;
  p['space'] = entrySchemaFor(registry, 'search-space', String(p['space']?.['description']));
  p['task'] = entrySchemaFor(registry, 'task', String(p['task']?.['description']));
  p['estimator'] = entrySchemaFor(registry, 'estimator', String(p['estimator']?.['description']));
  p['searcher'] = entrySchemaFor(registry, 'searcher', String(p['searcher']?.['description']));
  p['estimators'] = { ...p['estimators'], additionalProperties: entrySchemaFor(registry, 'estimator', 'A named auxiliary estimator.') };
  p['latency'] = { ...p['latency'], items: entrySchemaFor(registry, 'latency-model', 'A latency model.') };
  p['executor'] = entrySchemaFor(registry, 'executor', String(p['executor']?.['description']));
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...base };
}
