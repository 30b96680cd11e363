import { RESERVED_DEPS, type ContributionKind, type InjectMap } from './define';

/**
 * Package roles: one extension point each (or `service`, or `dataset` for a data-only package), or
 * a `bundle` of several. A package of any role may also contribute datasets (the data it reads).
 */
export const PLUGIN_ROLES = ['task', 'search-space', 'estimator', 'searcher', 'latency-model', 'executor', 'service', 'dataset', 'bundle'] as const;
/** One of {@link PLUGIN_ROLES}. */
export type PluginRole = (typeof PLUGIN_ROLES)[number];

/** A contribution as the manifest declares it (no code needed to read it). */
export interface ManifestContribution {
  readonly id: string;
  readonly kind: ContributionKind;
  readonly title: string;
  readonly description?: string;
  /**
   * Path of the options JSON Schema, relative to the package root. Required for every kind but
   * `service`; a service without one takes no options.
   */
  readonly optionsSchema?: string;
  /** Services only: the token the service is provided under, e.g. `acme.tokenizer`. */
  readonly token?: string;
  /** The services the contribution injects into its `deps`, name → token, as its code declares. */
  readonly inject?: InjectMap;
  /**
   * Datasets only: the files `nasx data fetch` writes, relative to the data directory (as the
   * code's `produces`), so `nasx data list` tells what is installed without importing code.
   */
  readonly produces?: readonly string[];
  /**
   * Estimators only: compute-heavy (trains or scores networks), so the kernel runs its estimates in
   * a pool of worker threads, one per core, unless the config's `workers` says otherwise.
   */
  readonly workers?: boolean;
  /**
   * Estimators only: the name of its integer option that sets how many threads one estimate keeps
   * busy (e.g. data-parallel replicas, `dataParallel`); the kernel counts workers × threads
   * against the cores (see the config's `workers`).
   */
  readonly threadsOption?: string;
}

/**
 * The `nasx` block of a plugin's `package.json`.
 *
 * @example
 * "nasx": { "role": "searcher", "engines": { "kernel": "^0.1.0" },
 *           "contributes": [{ "id": "random", "kind": "searcher", "title": "Random search",
 *                             "optionsSchema": "src/random/random.schema.json" }] }
 */
export interface PluginManifest {
  readonly role: PluginRole;
  readonly engines: { readonly kernel: string };
  readonly contributes: readonly ManifestContribution[];
}

/** A service token: lowercase dotted words, e.g. `acme.tokenizer` (a vendor prefix avoids clashes). */
export const SERVICE_TOKEN_PATTERN = '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$';

/** JSON Schema of {@link PluginManifest}, used by the kernel to validate manifests at load time. */
export const PLUGIN_MANIFEST_SCHEMA = {
  $id: 'https://nasx.dev/schemas/plugin-manifest.json',
  type: 'object',
  description: 'The "nasx" block of a plugin package.json',
  additionalProperties: false,
  required: ['role', 'engines', 'contributes'],
  properties: {
    role: {
      enum: [...(['task', 'search-space', 'estimator', 'searcher', 'latency-model', 'executor', 'service', 'dataset', 'bundle'] as const)],
      description: 'What the package contributes; "bundle" for several kinds.',
    },
    engines: {
      type: 'object',
      description: 'Compatible versions.',
      additionalProperties: false,
      required: ['kernel'],
      properties: { kernel: { type: 'string', minLength: 1, description: 'semver range of @nasx/kernel the plugin works with, e.g. "^0.1.0".' } },
    },
    contributes: {
      type: 'array',
      minItems: 1,
      description: 'The contributions of the package.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id', 'kind', 'title'],
        // A service needs the token it provides, a dataset the files it produces; every other kind an options schema.
        allOf: [
          {
            if: { properties: { kind: { const: 'service' } } },
            then: { properties: { token: true }, required: ['token'] },
            else: { not: { properties: { token: true }, required: ['token'] } },
          },
          {
            if: { properties: { kind: { const: 'dataset' } } },
            then: { properties: { produces: true }, required: ['produces'] },
            else: { not: { properties: { produces: true }, required: ['produces'] } },
          },
          {
            if: { properties: { kind: { enum: ['task', 'search-space', 'estimator', 'searcher', 'latency-model', 'executor'] } } },
            then: { properties: { optionsSchema: true }, required: ['optionsSchema'] },
          },
        ],
        properties: {
          id: { type: 'string', pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$', description: 'kebab-case id, unique across installed plugins.' },
          kind: {
            enum: ['task', 'search-space', 'estimator', 'searcher', 'latency-model', 'executor', 'service', 'dataset'],
            description: 'Extension point, "service" for an object other plugins inject, or "dataset" for data "nasx data fetch" gets.',
          },
          title: { type: 'string', minLength: 1, description: 'Short human title.' },
          description: { type: 'string', description: 'One or two sentences.' },
          optionsSchema: { type: 'string', minLength: 1, description: 'Path of the options JSON Schema relative to the package root.' },
          produces: {
            type: 'array',
            minItems: 1,
            items: { type: 'string', pattern: '^(?!/)(?!.*(^|/)\\.\\.(/|$))[^\\\\]+$' },
            description: 'Datasets: the files it writes, relative to the data directory (no "..", no leading "/").',
          },
          workers: { type: 'boolean', description: 'Estimators: run estimates in worker threads (compute-heavy).' },
          threadsOption: {
            type: 'string',
            pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$',
            description: 'Estimators: the integer option that sets the threads one estimate keeps busy (data-parallel replicas).',
          },
          token: { type: 'string', pattern: SERVICE_TOKEN_PATTERN, description: 'Services: the token the service is provided under, e.g. "acme.tokenizer".' },
          inject: {
            type: 'object',
            description: 'Services the contribution receives in its deps: deps name → service token.',
            propertyNames: { pattern: '^[A-Za-z_$][A-Za-z0-9_$]*$', not: { enum: [...RESERVED_DEPS] } },
            additionalProperties: { type: 'string', pattern: SERVICE_TOKEN_PATTERN },
          },
        },
      },
    },
  },
} as const;
