import type { ContributionKind, InjectMap, JsonSchema, PluginManifest } from '@nasx/contracts';

/** Where a plugin package was found. */
export type PluginSource = 'workspace' | 'dependency' | 'path' | 'inline';

/** One contribution as known from a manifest, before any plugin code is imported. */
export interface DiscoveredContribution {
  readonly id: string;
  readonly kind: ContributionKind;
  readonly title: string;
  readonly description?: string;
  /** The options schema, read from the file the manifest names. */
  readonly optionsSchema: JsonSchema;
  /** Absolute path of that schema file (empty for inline plugins). */
  readonly schemaFile: string;
  /** Declared compute-heavy: estimates run in worker threads by default. */
  readonly workers?: boolean;
  /** The integer option that sets the threads one estimate keeps busy (from the manifest). */
  readonly threadsOption?: string;
  /** Services: the token provided. */
  readonly token?: string;
  /** Datasets: the files it produces, relative to the data directory, from the manifest. */
  readonly produces?: readonly string[];
  /** The services it injects (deps name → token), from the manifest. */
  readonly inject?: InjectMap;
  readonly plugin: DiscoveredPlugin;
}

/** A plugin package known from its manifest. */
export interface DiscoveredPlugin {
  readonly name: string;
  readonly version: string;
  /** Package directory (empty for inline plugins). */
  readonly dir: string;
  readonly packageJson: string;
  readonly source: PluginSource;
  readonly manifest: PluginManifest;
  readonly contributions: DiscoveredContribution[];
  /** Imports the package entry; only called when a run selects one of its contributions. */
  readonly load: () => Promise<unknown>;
}
