import {
  NasxError,
  defineSearcher,
  requireDecisions,
  requireScalarObjective,
  scalarObjective,
  withSchemaDefaults,
  isNasxError,
  type Architecture,
  type AskTellSearcher,
  type DecisionSpace,
  type Logger,
  type OptionsInput,
  type Proposal,
  type Rng,
  type TrialResult,
} from '@nasx/contracts';
import { LstmPolicy } from '@nasx/controllers';
import { agnnSchema, type AgnnOptions } from './agnn.schema';

const ID = 'agnn';

export type AgnnSearcherOptions = AgnnOptions;

/** One action class: the decisions it sets (indices into `decisions()`) and its controller. */
export interface ActionClass {
  readonly name: string;
  readonly decisions: readonly number[];
  readonly policy: LstmPolicy;
  /** Moving-average reward baseline of this controller. */
  baseline: number | undefined;
}

/** A proposal waiting for its result. */
interface Pending {
  readonly key: string;
  /** The class changed and the values its controller chose (absent for the initial random ones). */
  readonly action?: { readonly cls: number; readonly choices: number[] };
}

/**
 * The action classes of a space: its decisions grouped by the name after the last dot
 * (`layer1.attention`, `layer2.attention` → `attention`); a decision without a dot is its own class.
 */
export function actionClasses(space: DecisionSpace): { name: string; decisions: number[] }[] {
  const byName = new Map<string, number[]>();
  space.decisions().forEach((d, i) => {
    const name = d.name.includes('.') ? d.name.slice(d.name.lastIndexOf('.') + 1) : d.name;
    byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  return [...byName.entries()].map(([name, decisions]) => ({ name, decisions }));
}

/**
 * AGNN's reinforced conservative controller: Zhou, Song, Huang & Hu, "Auto-GNN: Neural
 * Architecture Search of Graph Neural Networks", 2019, Sec. 4.
 *
 * - The space's decisions are grouped into action classes (the gnn space's hidden size, attention,
 *   heads, aggregator, combine, skip and activation); each class has its own LSTM controller
 *   ({@link LstmPolicy}) that emits that class's value for every layer.
 * - Conservative exploration: every child is the best architecture so far with one class changed.
 *   The action guider draws the class in proportion to how undecided its controller is (decision
 *   entropy, normalised by the log of its choice counts), with probability `explore` uniformly;
 *   that controller samples the class's new values.
 * - Each result trains the controller that made it by REINFORCE with its own moving-average
 *   baseline: ∇ (r − b) log π(values) + λ ∇ H.
 * - A child whose trial failed (out of memory, diverged) is reinforced with `failedReward`, by
 *   default the lowest reward so far, so its controller learns to avoid such children.
 * - With `share`, a child is a `DerivedProposal` naming the best architecture as its parent, so
 *   the estimator can start it from the parent's trained weights (AGNN's constrained parameter
 *   sharing is the estimator's part: `train-graph`'s `inherit`).
 */
export class AgnnSearcher implements AskTellSearcher {
  readonly id = ID;
  readonly classes: ActionClass[];
  private readonly pending: Pending[] = [];
  private initialLeft: number;
  private best: { arch: Architecture; trial: number; objective: number } | undefined;
  /** The lowest reward of a successful child so far (the reward of a failed one by default). */
  private worst: number | undefined;
  /** Updates per class (for logs and tests). */
  readonly updates: number[];

  constructor(
    private readonly space: DecisionSpace,
    private readonly rng: Rng,
    private readonly options: AgnnSearcherOptions,
    private readonly logger?: Logger,
  ) {
    const counts = space.decisions().map((d) => d.choices.length);
    this.classes = actionClasses(space).map((c) => ({
      name: c.name,
      decisions: c.decisions,
      policy: new LstmPolicy(
        c.decisions.map((i) => counts[i]!),
        options.hidden,
        rng.fork(`agnn-controller-${c.name}`),
      ),
      baseline: undefined,
    }));
    this.updates = this.classes.map(() => 0);
    this.initialLeft = options.initial;
  }

  /** The best told architecture (the parent of the next children). */
  get parent(): { readonly arch: Architecture; readonly trial: number; readonly objective: number } | undefined {
    return this.best;
  }

  ask(n: number): Proposal[] {
    const out: Proposal[] = [];
    for (let k = 0; k < Math.floor(n); k++) {
      if (this.initialLeft > 0) {
        this.initialLeft--;
        const arch = this.space.sample(this.rng);
        this.pending.push({ key: arch.key });
        out.push(arch);
        continue;
      }
      // Until a first result names a best architecture, sample at random (evaluations run in
      // parallel: waiting would leave the workers idle).
      if (!this.best) {
        const arch = this.space.sample(this.rng);
        this.pending.push({ key: arch.key });
        out.push(arch);
        continue;
      }
      out.push(this.child(this.best));
    }
    return out;
  }

  tell(results: readonly TrialResult[]): void {
    for (const r of results) {
      const at = this.pending.findIndex((p) => p.key === r.arch.key);
      const p = at >= 0 ? this.pending.splice(at, 1)[0] : undefined;
      if (r.objective === null) {
        // A failed child still teaches its controller: it scores as the worst result (or the
        // configured reward), as GraphNAS scores a child that ran out of memory.
        const reward = this.options.failedReward === 'worst' ? this.worst : this.options.failedReward;
        if (p?.action && reward !== undefined) this.reinforce(p.action.cls, p.action.choices, reward);
        continue;
      }
      const v = scalarObjective(r.objective, ID);
      if (v === undefined || !Number.isFinite(v)) continue;
      if (this.worst === undefined || v < this.worst) this.worst = v;
      if (p?.action) this.reinforce(p.action.cls, p.action.choices, v);
      if (!this.best || v > this.best.objective) this.best = { arch: r.arch, trial: r.trial, objective: v };
    }
  }

  recommend(): Architecture | undefined {
    return this.best?.arch;
  }

  /** Normalised decision entropy of each class's controller along its greedy decoding (0 … 1). */
  entropies(): number[] {
    return this.classes.map((c) => {
      const dists = c.policy.distributions(c.policy.argmax());
      let h = 0;
      let max = 0;
      for (const d of dists) {
        for (const q of d) if (q > 0) h -= q * Math.log(q);
        max += Math.log(d.length);
      }
      return max > 0 ? h / max : 0;
    });
  }

  /**
   * The action guider's pick: a class drawn with probability proportional to its controller's
   * normalised decision entropy (an undecided controller is asked more often, a converged one
   * rarely), or uniformly with probability `explore` or `classSelection: uniform`.
   */
  private pickClass(): number {
    const n = this.classes.length;
    if (this.options.classSelection === 'uniform' || this.rng.next() < this.options.explore) return this.rng.int(n);
    const h = this.entropies();
    const total = h.reduce((a, b) => a + b, 0);
    if (!(total > 0)) return this.rng.int(n);
    let u = this.rng.next() * total;
    for (let i = 0; i < n - 1; i++) {
      u -= h[i]!;
      if (u < 0) return i;
    }
    return n - 1;
  }

  /** The best architecture with one class resampled by its controller. */
  private child(best: { arch: Architecture; trial: number }): Proposal {
    const base = this.space.toDecisions!(best.arch);
    const cls = this.pickClass();
    const c = this.classes[cls]!;
    let arch = best.arch;
    let choices: number[] = [];
    for (let attempt = 0; attempt <= this.options.redraws; attempt++) {
      choices = c.policy.sample(this.rng).choices;
      const next = [...base];
      c.decisions.forEach((d, t) => (next[d] = choices[t]!));
      try {
        arch = this.space.fromDecisions(next);
      } catch (e) {
        if (!isNasxError(e) || e.kind !== 'architecture') throw e;
        continue;
      }
      if (arch.key !== best.arch.key) break;
    }
    this.pending.push({ key: arch.key, action: { cls, choices } });
    return this.options.share ? { arch, parent: { trial: best.trial, arch: best.arch } } : arch;
  }

  /** REINFORCE on one result for the controller that made it. */
  private reinforce(cls: number, choices: readonly number[], reward: number): void {
    const c = this.classes[cls]!;
    const b = c.baseline ?? reward;
    const grad = new Float64Array(c.policy.size);
    c.policy.accumulate(choices, reward - b, this.options.entropyWeight, grad);
    c.policy.ascend(grad, this.options.lr);
    c.baseline = this.options.baselineDecay * b + (1 - this.options.baselineDecay) * reward;
    this.updates[cls]!++;
    this.logger?.debug(`${ID}: ${c.name} controller: reward ${reward.toPrecision(5)}, baseline ${b.toPrecision(5)}`);
  }
}

/** The `agnn` searcher contribution. */
export const agnnSearcher = defineSearcher<OptionsInput<AgnnSearcherOptions>>({
  id: ID,
  title: 'AGNN conservative explorer',
  description:
    "AGNN's reinforced conservative controller (Zhou et al. 2019): one LSTM controller per action class (the space's decisions grouped by class, e.g. the gnn space's hidden, attention, heads, aggregator, combine, skip, activation); each step changes one class of the best architecture so far, chosen by the controllers' decision entropy, and trains that class's controller by REINFORCE. Proposals name the best as their parent, so an estimator that shares parameters (train-graph) starts from its weights.",
  optionsSchema: agnnSchema,
  create(options, deps) {
    const place = { pkg: '@nasx/searcher-agnn', contribution: ID };
    requireScalarObjective(deps.objective, place);
    const o = withSchemaDefaults<AgnnSearcherOptions>(agnnSchema, options);
    const space = requireDecisions(deps.space, place);
    if (typeof space.toDecisions !== 'function') {
      throw new NasxError(
        'config',
        `searcher "${ID}" changes one class of decisions of the best architecture, but space "${space.id}" does not provide toDecisions()`,
        {
          ...place,
          pointer: '/space',
          fix: 'use a space with decisions() and toDecisions() (gnn, nb201, mnas), or a searcher that samples the space directly (random, mnas)',
        },
      );
    }
    return new AgnnSearcher(space, deps.rng, o, deps.logger);
  },
});
