import {
  NasxError,
  defineSearcher,
  isComparator,
  isPredictor,
  drawFromDecisions,
  requireDecisions,
  requireScalarObjective,
  scalarObjective,
  type Architecture,
  type AskTellSearcher,
  type Comparator,
  type LabelledArchitecture,
  type Predictor,
  type Logger,
  type Rng,
  type RunContext,
  type DecisionSpace,
  type TrialResult,
  type OptionsInput,
  withSchemaDefaults,
} from '@nasx/contracts';
import { ctnasSchema, type CtnasOptions } from './ctnas.schema';

const PKG = '@nasx/searcher-ctnas';
/** Draws (of the policy, then uniform) looking for a proposal with a new key. */
const FRESH_TRIES = 50;
const SILENT = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const ID = 'ctnas';

/** Options of the `ctnas` searcher, derived from `ctnas.schema.json` (the one source of truth). */
export type CtnasSearcherOptions = CtnasOptions;

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const CTNAS_SEARCHER_DEFAULTS: CtnasSearcherOptions = withSchemaDefaults<CtnasSearcherOptions>(ctnasSchema, {});

/** A comparator that data exploration can refit: it is a predictor and tells what it was fitted on. */
type RefittableComparator = Comparator & Predictor & { readonly trainingData: readonly LabelledArchitecture[] };

function isRefittable(c: Comparator): c is RefittableComparator {
  return isPredictor(c as unknown as Predictor) && Array.isArray((c as Partial<RefittableComparator>).trainingData);
}

/** A space that can be searched by a controller (the optional decision members are present). */

/**
 * The controller: one independent softmax over the choices of each of `space.decisions()`
 * (a factorised policy in place of the paper's LSTM; see the README), trained by REINFORCE with
 * Adam on its logits. Pure JavaScript in float64: exact, fast for a few dozen logits, the same on
 * every backend.
 */
export class FactorisedPolicy {
  readonly logits: Float64Array[];
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;

  constructor(readonly choices: readonly number[]) {
    this.logits = choices.map((k) => new Float64Array(k));
    this.m = choices.map((k) => new Float64Array(k));
    this.v = choices.map((k) => new Float64Array(k));
  }

  /** Softmax of decision `d`. */
  probabilities(d: number): Float64Array {
    const z = this.logits[d]!;
    const max = Math.max(...z);
    const e = z.map((x) => Math.exp(x - max));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((x) => x / s);
  }

  /** One choice per decision, drawn from the policy with `rng`. */
  sample(rng: Rng): number[] {
    return this.choices.map((_, d) => {
      const p = this.probabilities(d);
      let u = rng.next();
      for (let c = 0; c < p.length - 1; c++) {
        u -= p[c]!;
        if (u < 0) return c;
      }
      return p.length - 1;
    });
  }

  /** Σ_d H(π_d), the entropy of the factorised policy. */
  entropy(): number {
    let h = 0;
    for (let d = 0; d < this.choices.length; d++) for (const p of this.probabilities(d)) if (p > 0) h -= p * Math.log(p);
    return h;
  }

  /**
   * One ascent step on advantage·log π(x) + entropyWeight·H(π) (Williams 1992, REINFORCE):
   * ∂ log π_d(c)/∂z_j = 1[j = c] − p_j, ∂H_d/∂z_j = −p_j (log p_j + H_d). Adam (β = 0.9, 0.999).
   */
  reinforce(choice: readonly number[], advantage: number, entropyWeight: number, lr: number): void {
    this.t++;
    const b1 = 0.9;
    const b2 = 0.999;
    for (let d = 0; d < this.choices.length; d++) {
      const p = this.probabilities(d);
      let h = 0;
      for (const q of p) if (q > 0) h -= q * Math.log(q);
      const z = this.logits[d]!;
      for (let j = 0; j < z.length; j++) {
        const logp = p[j]! > 0 ? Math.log(p[j]!) : 0;
        const g = advantage * ((j === choice[d] ? 1 : 0) - p[j]!) - entropyWeight * p[j]! * (logp + h);
        this.m[d]![j] = b1 * this.m[d]![j]! + (1 - b1) * g;
        this.v[d]![j] = b2 * this.v[d]![j]! + (1 - b2) * g * g;
        const mh = this.m[d]![j]! / (1 - b1 ** this.t);
        const vh = this.v[d]![j]! / (1 - b2 ** this.t);
        z[j] = z[j]! + (lr * mh) / (Math.sqrt(vh) + 1e-8);
      }
    }
  }
}

/**
 * CTNAS: Chen, Guo, Chen, Li, Zeng, Wang & Tan, "Contrastive Neural Architecture Search with
 * Neural Architecture Comparators", CVPR 2021 (Algorithm 1), as the authors' code runs it
 * (chenyaofo/CTNAS `core/engine/policy_learning.py`):
 *
 * - the initial baseline β is drawn uniformly (the reference code's `force_uniform` sample);
 * - each controller step samples α ~ π, takes the reward R = NAC(α, β) = P(α better than β) from
 *   the comparator and makes one REINFORCE step on (R − b)·log π(α) + λ·H(π);
 * - every `baselineInterval` steps (Baseline Updating with Curriculum, Sec. 3.3) it samples
 *   `baselineCandidates` architectures from π and makes the best of them and the current baseline,
 *   judged by the NAC (the largest Σ_j NAC(α_i, α_j), j ≠ i), the new baseline, so the bar rises as
 *   the controller improves.
 *
 * In nasx, the controller steps cost comparator calls only; each `ask` runs `stepsPerProposal` of
 * them and then proposes a new baseline (once, when it changed) or a sample of the current policy,
 * which the kernel measures with the run's estimator. Told results do not change the policy (the
 * reward is the comparator's, as in the paper); they are recorded. `recommend()` is the final
 * baseline. Asks are serialised, and all randomness comes from the kernel's `rng`, so the same
 * seed and tell sequence give the same proposals.
 */
export class CtnasSearcher implements AskTellSearcher {
  readonly id = ID;
  readonly policy: FactorisedPolicy;
  private baseline: { arch: Architecture; choice: number[] } | undefined;
  private baselineProposed = true;
  private rewardBaseline = 0;
  private steps = 0;
  private queue: Promise<unknown> = Promise.resolve();
  /** Every baseline the curriculum chose, in order (the initial one first). */
  readonly baselines: Architecture[] = [];
  /** Mean reward of the steps since the last baseline update (for logs and tests). */
  private rewardSum = 0;
  private rewardCount = 0;
  private rejected = 0;
  private readonly proposedKeys = new Set<string>();
  private readonly explored: LabelledArchitecture[] = [];
  private exploredAtRefit = 0;
  private refits = 0;
  private initialData: LabelledArchitecture[] | undefined;

  constructor(
    private readonly space: DecisionSpace,
    private readonly comparator: Comparator,
    private readonly rng: Rng,
    private readonly options: CtnasSearcherOptions,
    private readonly logger?: Logger,
  ) {
    this.policy = new FactorisedPolicy(space.decisions().map((d) => d.choices.length));
  }

  /** Controller steps run so far. */
  get controllerSteps(): number {
    return this.steps;
  }

  /** The current baseline. */
  get currentBaseline(): Architecture | undefined {
    return this.baseline?.arch;
  }

  ask(n: number, ctx?: RunContext): Promise<Architecture[]> {
    // Serialised: an ask that starts before the previous one ended waits for it (determinism).
    const run = this.queue.then(async () => {
      const out: Architecture[] = [];
      for (let i = 0; i < Math.floor(n); i++) out.push(await this.next(ctx));
      return out;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  tell(results: readonly TrialResult[]): void {
    // The reward is the comparator's (CTNAS Sec. 3.1): measured objectives do not steer the policy
    // directly; with data exploration they become training data of the comparator.
    if (this.options.exploreEvery <= 0) return;
    for (const r of results) {
      const v = scalarObjective(r.objective, ID);
      if (v !== undefined && Number.isFinite(v)) this.explored.push({ arch: r.arch, value: v });
    }
  }

  /** Refits of the comparator by data exploration so far. */
  get explorations(): number {
    return this.refits;
  }

  /**
   * Data exploration (CTNAS Sec. 3.4): refit the comparator on the data it was first fitted on
   * plus every measured proposal (a key measured twice counts once, the first result).
   */
  private async explore(run: Pick<RunContext, 'signal' | 'emit'> | undefined): Promise<void> {
    const c = this.comparator as RefittableComparator;
    this.initialData ??= [...c.trainingData];
    const seen = new Set(this.initialData.map((d) => d.arch.key));
    const extra: LabelledArchitecture[] = [];
    for (const d of this.explored) {
      if (seen.has(d.arch.key)) continue;
      seen.add(d.arch.key);
      extra.push(d);
    }
    this.exploredAtRefit = this.explored.length;
    const ctx = {
      runId: ID,
      rng: this.rng.fork(`explore-${this.refits}`),
      signal: run?.signal ?? new AbortController().signal,
      logger: this.logger ?? SILENT,
      // The refit's phase (`fitting ctnas on 440 architectures 30/100 epochs`) reaches the display.
      emit: run?.emit ?? (() => undefined),
    };
    await c.fit([...this.initialData, ...extra], ctx);
    this.refits++;
    this.logger?.debug(
      `${ID}: data exploration ${this.refits}: refitted the comparator on ${this.initialData.length} + ${extra.length} measured architectures`,
    );
  }

  /** The final baseline chosen by the curriculum. */
  recommend(): Architecture | undefined {
    return this.baseline?.arch;
  }

  /**
   * A decision sequence drawn by `draw` and its architecture. Sequences that are not architectures
   * of the space (`fromDecisions` throws an `architecture` error: NB101's invalid specs, cells
   * outside a restricted space) are drawn again, as NB101's searchers redraw invalid specs; only
   * accepted draws take part in the policy update, so the controller learns the valid region.
   */
  private drawValid(draw: () => number[]): { arch: Architecture; choice: number[] } {
    const d = drawFromDecisions(this.space, () => ({ choices: draw() }), {
      pkg: PKG,
      contribution: ID,
      onReject: () => this.rejected++,
      fix: 'widen the space (a keys/keysFrom restriction that allows very few cells leaves the controller almost nothing to find), or use a searcher that samples the space directly (random, regularized-evolution, predictor-guided)',
    });
    return { arch: d.arch, choice: d.choices };
  }

  private sampleValid(): { arch: Architecture; choice: number[] } {
    return this.drawValid(() => this.policy.sample(this.rng));
  }

  /** Decision sequences drawn and rejected as not architectures of the space (for logs and tests). */
  get rejectedDraws(): number {
    return this.rejected;
  }

  /** The next proposal: controller steps against the comparator, stopped by the run's signal between steps. */
  private async next(run: Pick<RunContext, 'signal' | 'emit'> | undefined): Promise<Architecture> {
    const signal = run?.signal;
    if (!this.baseline) {
      // Initial baseline: a uniform draw, proposed first.
      this.setBaseline(this.drawValid(() => this.space.decisions().map((d) => this.rng.int(d.choices.length))));
    }
    if (this.options.exploreEvery > 0 && this.explored.length - this.exploredAtRefit >= this.options.exploreEvery) await this.explore(run);
    for (let s = 0; s < this.options.stepsPerProposal; s++) {
      signal?.throwIfAborted();
      await this.controllerStep();
    }
    if (!this.baselineProposed) {
      this.baselineProposed = true;
      return this.propose(this.baseline!.arch);
    }
    return this.propose(this.freshSample());
  }

  private propose(a: Architecture): Architecture {
    this.proposedKeys.add(a.key);
    return a;
  }

  /**
   * A policy sample whose key was not proposed yet (a repeat would only be answered from the
   * cache); when the policy has concentrated on proposed ones, a uniform draw that is new; after
   * FRESH_TRIES of each, a policy sample anyway.
   */
  private freshSample(): Architecture {
    let a = this.sampleValid().arch;
    for (let t = 1; t < FRESH_TRIES && this.proposedKeys.has(a.key); t++) a = this.sampleValid().arch;
    for (let t = 0; t < FRESH_TRIES && this.proposedKeys.has(a.key); t++)
      a = this.drawValid(() => this.space.decisions().map((d) => this.rng.int(d.choices.length))).arch;
    return a;
  }

  private setBaseline(b: { arch: Architecture; choice: number[] }): void {
    const changed = this.baseline?.arch.key !== b.arch.key;
    this.baseline = b;
    if (changed) {
      this.baselines.push(b.arch);
      this.baselineProposed = false;
    }
  }

  private async controllerStep(): Promise<void> {
    if (this.steps > 0 && this.steps % this.options.baselineInterval === 0) await this.updateBaseline();
    this.steps++;
    const { arch, choice } = this.sampleValid();
    // A copy of the baseline (same key) scores 1/2 by construction and says nothing about being
    // better; rewarding it would pull the policy onto the baseline itself (observed on NB101: the
    // policy collapsed within a few hundred steps). It takes no policy step.
    if (arch.key === this.baseline!.arch.key) return;
    const reward = await this.reward(arch, this.baseline!.arch);
    const advantage = reward - this.rewardBaseline;
    this.policy.reinforce(choice, advantage, this.options.entropyWeight, this.options.lr);
    this.rewardBaseline = this.options.rewardBaselineDecay * this.rewardBaseline + (1 - this.options.rewardBaselineDecay) * reward;
    this.rewardSum += reward;
    this.rewardCount++;
  }

  private async reward(a: Architecture, b: Architecture): Promise<number> {
    const p = await this.comparator.compare(a, b);
    if (!Number.isFinite(p)) {
      throw new NasxError('run', `searcher "${ID}": the comparator "${this.options.comparator}" returned ${String(p)} for P(${a.key} better than ${b.key})`, {
        pkg: PKG,
        contribution: ID,
        fix: 'check that the comparator is fitted (give it options.labels) and returns probabilities',
      });
    }
    return p;
  }

  /**
   * Baseline Updating with Curriculum (CTNAS Sec. 3.3; the reference code's `derive`): K samples of
   * the policy and the current baseline; the one with the largest Σ_{j≠i} NAC(α_i, α_j) wins. Ties
   * keep the earlier candidate, the current baseline first.
   */
  private async updateBaseline(): Promise<void> {
    const candidates = [this.baseline!];
    for (let k = 0; k < this.options.baselineCandidates; k++) {
      candidates.push(this.sampleValid());
    }
    const scores = new Array<number>(candidates.length).fill(0);
    for (let i = 0; i < candidates.length; i++) {
      for (let j = 0; j < candidates.length; j++) {
        if (i === j || candidates[i]!.arch.key === candidates[j]!.arch.key) continue;
        scores[i]! += await this.reward(candidates[i]!.arch, candidates[j]!.arch);
      }
    }
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i]! > scores[best]!) best = i;
    const previous = this.baseline!.arch.key;
    this.setBaseline(candidates[best]!);
    const mean = this.rewardCount > 0 ? this.rewardSum / this.rewardCount : NaN;
    this.rewardSum = 0;
    this.rewardCount = 0;
    this.logger?.debug(
      `${ID}: step ${this.steps}: mean reward ${mean.toFixed(3)}, ${this.rejected} draws rejected so far, baseline ${candidates[best]!.arch.key === previous ? 'kept' : `updated to ${candidates[best]!.arch.key}`} (${this.baselines.length - 1} updates so far)`,
    );
  }
}

/** The `ctnas` searcher contribution. */
export const ctnasSearcher = defineSearcher<OptionsInput<CtnasSearcherOptions>>({
  id: ID,
  title: 'CTNAS controller',
  description:
    "Contrastive NAS (Chen et al., CVPR 2021): a REINFORCE controller over the space's decisions whose reward is a comparator's probability that a sampled architecture beats the current baseline, with the baseline updated by curriculum.",
  optionsSchema: ctnasSchema,
  create(options, deps) {
    const place = { pkg: PKG, contribution: ID };
    requireScalarObjective(deps.objective, place);
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<CtnasSearcherOptions>(ctnasSchema, options);
    const space = requireDecisions(deps.space, place);
    const named = deps.estimators[o.comparator];
    if (!named) {
      const names = Object.keys(deps.estimators);
      throw new NasxError(
        'config',
        `searcher "${ID}" takes its reward from the comparator "${o.comparator}", which is not a named estimator of this run${names.length ? ` (named estimators: ${names.join(', ')})` : ' (the run has no named estimators)'}`,
        {
          ...place,
          pointer: '/searcher/options/comparator',
          fix: `add it, e.g. "estimators: { ${o.comparator}: { use: ctnas, options: { labels: { estimator: <a named estimator that labels>, samples: 200 } } } }", or set searcher.options.comparator to one of the named estimators`,
        },
      );
    }
    if (!isComparator(named)) {
      throw new NasxError(
        'config',
        `searcher "${ID}" needs a comparator, but the named estimator "${o.comparator}" (${named.id}) does not implement compare(a, b)`,
        {
          ...place,
          pointer: '/searcher/options/comparator',
          fix: 'name an estimator that compares architectures, e.g. the ctnas Neural Architecture Comparator (@nasx/estimator-ctnas)',
        },
      );
    }
    if (o.exploreEvery > 0 && !isRefittable(named)) {
      throw new NasxError(
        'config',
        `searcher "${ID}" refits its comparator for data exploration (exploreEvery ${o.exploreEvery}), but "${o.comparator}" (${named.id}) cannot be refitted (it needs fit() and trainingData)`,
        {
          ...place,
          pointer: '/searcher/options/exploreEvery',
          fix: 'set exploreEvery to 0, or use the ctnas comparator (@nasx/estimator-ctnas)',
        },
      );
    }
    return new CtnasSearcher(space, named, deps.rng, o, deps.logger);
  },
});
