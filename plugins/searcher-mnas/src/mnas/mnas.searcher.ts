import {
  NasxError,
  defineSearcher,
  isNasxError,
  drawFromDecisions,
  requireDecisions,
  requireScalarObjective,
  scalarObjective,
  withSchemaDefaults,
  type Architecture,
  type AskTellSearcher,
  type Logger,
  type OptionsInput,
  type Rng,
  type DecisionSpace,
  type TrialResult,
} from '@nasx/contracts';
import { LstmPolicy } from '@nasx/controllers';
import { mnasSchema, type MnasOptions } from './mnas.schema';

const PKG = '@nasx/searcher-mnas';
const ID = 'mnas';

/** Options of the `mnas` searcher, derived from `mnas.schema.json` (the one source of truth). */
export type MnasSearcherOptions = MnasOptions;

/** The schema defaults, for callers that skip the kernel's validation (tests, scripts). */
export const MNAS_SEARCHER_DEFAULTS: MnasSearcherOptions = withSchemaDefaults<MnasSearcherOptions>(mnasSchema, {});

/** A space that can be searched by a controller (the optional decision members are present). */

/** A proposal of the current batch: what the policy sampled, and what the kernel told about it. */
interface Sample {
  readonly arch: Architecture;
  readonly choices: number[];
  /** log π_old(choices), under the policy that sampled the batch (PPO's ratio). */
  readonly logProb: number;
  told: boolean;
  /** The told objective; undefined for a failed trial (or a non-finite value). */
  reward: number | undefined;
}

/** What one policy update saw (for logs and tests). */
export interface MnasUpdate {
  /** Samples with a finite reward that entered the update. */
  readonly samples: number;
  readonly meanReward: number;
  /** The moving-average baseline used for this batch's advantages. */
  readonly baseline: number;
  /** Mean over the batch of Σ_t H(π_t) along each sequence, before the update. */
  readonly entropy: number;
  /** PPO: fraction of sample-epochs whose ratio was clipped (0 for REINFORCE). */
  readonly clippedFraction: number;
}

/**
 * MnasNet's controller: Tan, Chen, Pang, Vasudevan, Sandler, Howard & Le, "MnasNet: Platform-Aware
 * Neural Architecture Search for Mobile", CVPR 2019, sec. 4 (Search Algorithm).
 *
 * - An LSTM ({@link LstmPolicy}) emits the space's decisions one after another (for MnasNet's
 *   space: each block's conv op, kernel, SE ratio, skip op, filter multiplier and layer offset),
 *   each step fed the embedding of the previous choice.
 * - The controller samples a batch of `batchSize` architectures from its policy and proposes them;
 *   their rewards are the objective values the kernel tells — with the `mnas` objective,
 *   ACC(m)·[LAT(m)/T]^w (eq. 2) — so the reward is whatever the run optimises.
 * - When every result of the batch is told, the policy is updated: PPO (Schulman et al. 2017) on
 *   the clipped surrogate E[min(ρA, clip(ρ, 1−ε, 1+ε)A)] + λH for `ppoEpochs` Adam steps, as the
 *   paper does ("we use Proximal Policy Optimization"), or one REINFORCE step on A·log π + λH.
 *   A = r − b with b a moving average of the batch means (and A scaled by the batch's reward
 *   standard deviation when `normalizeAdvantages`).
 *
 * Decision sequences that are not architectures of the space (`fromDecisions` throws an
 * `architecture` error) are drawn again, as the CTNAS controller does; only accepted draws are
 * proposed and enter the update. Repeats are proposed as sampled (the kernel answers them from its
 * cache): leaving them out would bias the policy gradient. All randomness comes from the kernel's
 * `rng` and the update runs in `tell` when a batch completes, so the same seed and the same
 * ask/tell sequence give the same proposals — what resume-by-replay needs.
 */
export class MnasSearcher implements AskTellSearcher {
  readonly id = ID;
  readonly policy: LstmPolicy;
  private batch: Sample[] = [];
  private baseline: number | undefined;
  private best: { arch: Architecture; objective: number } | undefined;
  private readonly proposedKeys = new Set<string>();
  private newInBatch = false;
  private repeatedBatches = 0;
  private rejected = 0;
  /** Every policy update so far, in order. */
  readonly updates: MnasUpdate[] = [];

  constructor(
    private readonly space: DecisionSpace,
    private readonly rng: Rng,
    private readonly options: MnasSearcherOptions,
    private readonly logger?: Logger,
  ) {
    const choices = space.decisions().map((d) => d.choices.length);
    this.policy = new LstmPolicy(choices, options.hidden, rng.fork('mnas-controller-init'));
  }

  /** Decision sequences drawn and rejected as not architectures of the space (for logs and tests). */
  get rejectedDraws(): number {
    return this.rejected;
  }

  /** Up to `n` samples of the current batch; none while the batch waits for its results. */
  ask(n: number): Architecture[] {
    const out: Architecture[] = [];
    for (let k = 0; k < Math.floor(n) && this.batch.length < this.options.batchSize; k++) {
      const s = this.draw();
      if (!this.proposedKeys.has(s.arch.key)) {
        this.proposedKeys.add(s.arch.key);
        this.newInBatch = true;
      }
      this.batch.push(s);
      out.push(s.arch);
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      const v = scalarObjective(r.objective, ID);
      const reward = v !== undefined && Number.isFinite(v) ? v : undefined;
      if (reward !== undefined && (!this.best || reward > this.best.objective)) this.best = { arch: r.arch, objective: reward };
      // The kernel tells results in proposal order; match by key all the same (the first untold sample).
      const s = this.batch.find((x) => !x.told && x.arch.key === r.arch.key);
      if (!s) continue;
      s.told = true;
      s.reward = reward;
      if (this.batch.length === this.options.batchSize && this.batch.every((x) => x.told)) this.update();
    }
  }

  /** True once the policy has converged: `stopAfterRepeatedBatches` batches in a row held only repeats. */
  done(): boolean {
    return this.options.stopAfterRepeatedBatches > 0 && this.repeatedBatches >= this.options.stopAfterRepeatedBatches;
  }

  /** The best told architecture, or the policy's greedy decoding with `recommend: policy` (see the README). */
  recommend(): Architecture | undefined {
    if (this.options.recommend === 'policy') {
      try {
        return this.space.fromDecisions(this.policy.argmax());
      } catch (e) {
        if (!isNasxError(e) || e.kind !== 'architecture') throw e;
      }
    }
    return this.best?.arch;
  }

  /** A policy sample that is an architecture of the space (invalid sequences are drawn again). */
  private draw(): Sample {
    const d = drawFromDecisions(this.space, () => this.policy.sample(this.rng), {
      pkg: PKG,
      contribution: ID,
      onReject: () => this.rejected++,
      fix: 'widen the space (a keys/keysFrom restriction that allows very few cells leaves the controller almost nothing to find), or use a searcher that samples the space directly (random, regularized-evolution)',
    });
    return { arch: d.arch, choices: d.choices, logProb: d.logProb, told: false, reward: undefined };
  }

  /** One policy update on the completed batch, then an empty batch. */
  private update(): void {
    const batch = this.batch;
    this.batch = [];
    this.repeatedBatches = this.newInBatch ? 0 : this.repeatedBatches + 1;
    this.newInBatch = false;
    const used = batch.filter((s): s is Sample & { reward: number } => s.reward !== undefined);
    if (used.length === 0) {
      this.logger?.debug(`${ID}: no result of the batch of ${batch.length} was usable (all failed); the policy is unchanged`);
      return;
    }
    const o = this.options;
    const rewards = used.map((s) => s.reward);
    const mean = rewards.reduce((a, b) => a + b, 0) / rewards.length;
    const sd = Math.sqrt(rewards.reduce((a, r) => a + (r - mean) ** 2, 0) / rewards.length);
    const b = this.baseline ?? mean;
    const scale = o.normalizeAdvantages && sd > 0 ? sd : 1;
    const advantages = rewards.map((r) => (r - b) / scale);
    this.baseline = o.baselineDecay * b + (1 - o.baselineDecay) * mean;
    const n = used.length;
    const grad = new Float64Array(this.policy.size);
    let entropy = 0;
    let clipped = 0;
    if (o.algorithm === 'reinforce') {
      // Williams 1992: ∇ E[A·log π(a)] + λ ∇H, averaged over the batch; one step.
      used.forEach((s, k) => (entropy += this.policy.accumulate(s.choices, advantages[k]! / n, o.entropyWeight / n, grad).entropy));
      this.policy.ascend(grad, o.lr);
    } else {
      // PPO (Schulman et al. 2017, eq. 7): ρ = π(a)/π_old(a); the gradient of min(ρA, clip(ρ)A) with
      // respect to log π(a) is ρA where the unclipped term is the minimum, 0 where the clip is active.
      for (let epoch = 0; epoch < o.ppoEpochs; epoch++) {
        grad.fill(0);
        used.forEach((s, k) => {
          const a = advantages[k]!;
          const coef = (logProb: number): number => {
            const ratio = Math.exp(logProb - s.logProb);
            const isClipped = (a > 0 && ratio > 1 + o.clip) || (a < 0 && ratio < 1 - o.clip);
            if (isClipped) clipped++;
            return isClipped ? 0 : (a * ratio) / n;
          };
          const h = this.policy.accumulate(s.choices, coef, o.entropyWeight / n, grad).entropy;
          if (epoch === 0) entropy += h;
        });
        this.policy.ascend(grad, o.lr);
      }
    }
    const u: MnasUpdate = {
      samples: n,
      meanReward: mean,
      baseline: b,
      entropy: entropy / n,
      clippedFraction: o.algorithm === 'ppo' ? clipped / (n * o.ppoEpochs) : 0,
    };
    this.updates.push(u);
    this.logger?.debug(
      `${ID}: update ${this.updates.length} (${o.algorithm}): mean reward ${mean.toPrecision(5)} over ${n} samples, baseline ${b.toPrecision(5)}, entropy ${u.entropy.toFixed(3)}${o.algorithm === 'ppo' ? `, ${(100 * u.clippedFraction).toFixed(0)} % clipped` : ''}${this.rejected ? `, ${this.rejected} draws rejected so far` : ''}`,
    );
  }
}

/** The `mnas` searcher contribution. */
export const mnasSearcher = defineSearcher<OptionsInput<MnasSearcherOptions>>({
  id: ID,
  title: 'MnasNet controller',
  description:
    "MnasNet's controller (Tan et al., CVPR 2019): an LSTM policy emitting the space's decisions, trained by PPO (or REINFORCE) on the told objective, e.g. the mnas objective ACC·(LAT/T)^w.",
  optionsSchema: mnasSchema,
  create(options, deps) {
    const place = { pkg: PKG, contribution: ID };
    requireScalarObjective(deps.objective, place);
    // The kernel fills defaults from the schema; direct callers (tests, scripts) may omit options.
    const o = withSchemaDefaults<MnasSearcherOptions>(mnasSchema, options);
    const space = requireDecisions(deps.space, place);
    const decisions = space.decisions();
    const empty = decisions.findIndex((d) => d.choices.length === 0);
    if (decisions.length === 0 || empty >= 0) {
      throw new NasxError(
        'config',
        `searcher "${ID}": space "${space.id}" lists ${decisions.length === 0 ? 'no decisions' : `decision "${decisions[empty]!.name}" with no choices`}, so the controller has nothing to choose`,
        { ...place, pointer: '/space', fix: 'check the space options (a restriction that leaves a decision without choices), or use another space' },
      );
    }
    const evaluations = deps.budget.evaluations;
    if (evaluations !== undefined && evaluations < o.batchSize) {
      deps.logger.warn(
        `${ID}: the budget of ${evaluations} evaluations is below one batch (${o.batchSize}), so the policy will never be updated; lower batchSize or raise the budget`,
      );
    }
    return new MnasSearcher(space, deps.rng, o, deps.logger);
  },
});
