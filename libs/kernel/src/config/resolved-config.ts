import type { ContributionKind, JsonObject, ObjectiveSpec } from '@nasx/contracts';
import type { DiscoveredContribution } from '../plugins/discovered-plugin';

/**
 * How the run answers a repeated proposal: from the evaluation of the same canonical key, of the
 * same exact genotype, or not at all.
 */
export type DedupMode = 'canonical' | 'exact' | 'off';

/** One selected contribution with validated options (defaults filled in). */
export interface ResolvedEntry {
  readonly kind: ContributionKind;
  /** JSON pointer of the entry in the config, e.g. `/searcher` or `/estimators/proxy`. */
  readonly pointer: string;
  readonly id: string;
  readonly options: JsonObject;
  readonly contribution: DiscoveredContribution;
}

/** A validated pipeline config. */
export interface ResolvedConfig {
  /** The config file (or the run's saved config on resume). */
  readonly file: string;
  readonly dir: string;
  /** The config as written, after overrides (what the run folder saves). */
  readonly data: JsonObject;
  readonly name: string;
  readonly seed: number;
  readonly dataDir?: string;
  readonly space: ResolvedEntry;
  readonly task?: ResolvedEntry;
  readonly estimator: ResolvedEntry;
  readonly estimators: { readonly [name: string]: ResolvedEntry };
  /** Names of auxiliary estimators whose metrics are added to every estimate. */
  readonly report: readonly string[];
  readonly latency: readonly ResolvedEntry[];
  readonly searcher: ResolvedEntry;
  /** Where estimates run when not in this process or its worker threads (`executor:`). */
  readonly executor?: ResolvedEntry;
  readonly objective?: ObjectiveSpec;
  readonly budget: { readonly evaluations?: number; readonly seconds?: number; readonly failures: number; readonly trialSeconds?: number };
  /** Trials in flight (resolved from "auto"). */
  readonly concurrency: number;
  /** Worker threads estimating for the primary estimator; 0: in-process (resolved from "auto"). */
  readonly workers: number;
  /** How repeated proposals are answered from the cache (see `dedup` in the pipeline schema). */
  readonly dedup: DedupMode;
  readonly runsDir: string;
  /** Looks up the line of a pointer in the original file, for errors raised later. */
  readonly lineOf: (pointer: string) => number | undefined;
}
