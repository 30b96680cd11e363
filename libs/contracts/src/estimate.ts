import type { Json } from './json';
import type { MetricName } from './metrics';

/** How much it cost to produce an estimate. */
export interface EstimateCost {
  /** Wall-clock seconds spent (simulated seconds for tabular benchmarks when the table has them). */
  readonly seconds: number;
  /** Training epochs spent, if any. */
  readonly epochs?: number;
  /** Floating point operations spent, if known. */
  readonly flops?: number;
}

/** At which fidelity an estimate was made (e.g. 12 of 200 epochs). */
export interface Fidelity {
  readonly epochs?: number;
  readonly steps?: number;
  /** Fraction of the training data used, in (0, 1]. */
  readonly dataFraction?: number;
  /** Free-form label, e.g. `supernet`, `zero-cost`, `table`. */
  readonly kind?: string;
}

/** The result of estimating one architecture. */
export interface Estimate {
  /** Reported metric values by name (`val_acc@12`, `test_acc@200`, `params`, `latency_ms`, …). */
  readonly metrics: { readonly [name: MetricName]: number };
  readonly fidelity?: Fidelity;
  readonly cost: EstimateCost;
  /** Anything else worth keeping in the journal (small). */
  readonly info?: { readonly [name: string]: Json };
}
