// The controller network of MnasNet (Tan et al., CVPR 2019, sec. 4.1 and fig. 3; the NASNet/ENAS
// controller it reuses): a one-layer LSTM that emits one categorical decision per step, fed the
// embedding of the previous step's choice. Written in plain float64 JavaScript with hand-derived
// backpropagation through time, not with @nasx/tensor: the network is tiny (100 hidden units, one
// step per decision — 6 on NB201, a few dozen on the MnasNet space), a TensorFlow.js call per step
// would cost more than the arithmetic, and float64 loops give the same numbers on every backend,
// which the journal's resume-by-replay needs (a run killed and resumed must sample the same
// architectures). One update of a batch of 10 NB201 sequences with 4 PPO epochs takes a few
// milliseconds at 100 hidden units.
import type { Rng } from '@nasx/contracts';

/** One step of a forward pass, kept for backpropagation. */
interface StepCache {
  /** Index of the input vector in `params` (start token or an embedding row). */
  readonly xOffset: number;
  readonly hPrev: Float64Array;
  readonly cPrev: Float64Array;
  readonly i: Float64Array;
  readonly f: Float64Array;
  readonly g: Float64Array;
  readonly o: Float64Array;
  readonly c: Float64Array;
  readonly tanhC: Float64Array;
  readonly h: Float64Array;
  readonly p: Float64Array;
}

// Global lookups (Math.exp) are slow inside vm contexts such as jest's; module-level aliases are not.
const { exp, tanh, log, sqrt } = Math;
const sigmoid = (x: number): number => 1 / (1 + exp(-x));

/** Adam's moment decays (Kingma & Ba 2015, the defaults). */
const ADAM_B1 = 0.9;
const ADAM_B2 = 0.999;
const ADAM_EPS = 1e-8;

/**
 * An LSTM policy over a sequence of categorical decisions with `choices[d]` options each.
 *
 * Step t reads x_t (a learned start vector for t = 0, else the embedding of choice a_{t−1} of
 * decision t−1; each decision has its own embedding table), updates the LSTM state (gates i, f, g,
 * o; Hochreiter & Schmidhuber 1997) and gives the logits of decision t from a head of its own
 * (decisions have different numbers of choices), π_t = softmax(W_t h_t + b_t). All parameters live
 * in one Float64Array so the optimiser and the gradient check see one vector; weights start
 * uniform in ±`initScale` (NASNet/ENAS use ±0.1).
 */
export class LstmPolicy {
  /** All parameters, in the layout of the offsets below. */
  readonly params: Float64Array;
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private adamSteps = 0;
  private readonly startOffset = 0;
  private readonly embOffsets: number[] = [];
  private readonly wOffset: number;
  private readonly bOffset: number;
  private readonly headOffsets: number[] = [];
  /** Width of the LSTM input, which is the embedding size (= hidden, as in ENAS). */
  private readonly inputSize: number;

  constructor(
    readonly choices: readonly number[],
    readonly hidden: number,
    rng: Rng,
    initScale = 0.1,
  ) {
    const H = hidden;
    const E = hidden;
    this.inputSize = E;
    let n = E; // start vector
    for (let d = 0; d + 1 < choices.length; d++) {
      this.embOffsets.push(n);
      n += choices[d]! * E;
    }
    this.wOffset = n;
    n += 4 * H * (E + H);
    this.bOffset = n;
    n += 4 * H;
    for (const k of choices) {
      this.headOffsets.push(n);
      n += k * H + k;
    }
    this.params = new Float64Array(n);
    for (let j = 0; j < n; j++) this.params[j] = (2 * rng.next() - 1) * initScale;
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** Number of parameters. */
  get size(): number {
    return this.params.length;
  }

  /**
   * Runs the LSTM along a decision sequence. `pick(t, p)` returns the choice at step t given its
   * distribution (a draw, the argmax, or a given sequence's choice for teacher forcing).
   */
  private forward(pick: (t: number, p: Float64Array) => number): { choices: number[]; steps: StepCache[] } {
    const H = this.hidden;
    const E = this.inputSize;
    const P = this.params;
    const X = E + H;
    let h: Float64Array = new Float64Array(H);
    let c: Float64Array = new Float64Array(H);
    const out: number[] = [];
    const steps: StepCache[] = [];
    for (let t = 0; t < this.choices.length; t++) {
      const xOffset = t === 0 ? this.startOffset : this.embOffsets[t - 1]! + out[t - 1]! * E;
      const i = new Float64Array(H);
      const f = new Float64Array(H);
      const g = new Float64Array(H);
      const o = new Float64Array(H);
      const cn = new Float64Array(H);
      const tanhC = new Float64Array(H);
      const hn = new Float64Array(H);
      for (let gate = 0; gate < 4; gate++) {
        for (let u = 0; u < H; u++) {
          const row = gate * H + u;
          const w = this.wOffset + row * X;
          let z = P[this.bOffset + row]!;
          for (let k = 0; k < E; k++) z += P[w + k]! * P[xOffset + k]!;
          for (let k = 0; k < H; k++) z += P[w + E + k]! * h[k]!;
          if (gate === 0) i[u] = sigmoid(z);
          else if (gate === 1) f[u] = sigmoid(z);
          else if (gate === 2) g[u] = tanh(z);
          else o[u] = sigmoid(z);
        }
      }
      for (let u = 0; u < H; u++) {
        cn[u] = f[u]! * c[u]! + i[u]! * g[u]!;
        tanhC[u] = tanh(cn[u]!);
        hn[u] = o[u]! * tanhC[u]!;
      }
      const K = this.choices[t]!;
      const head = this.headOffsets[t]!;
      const p = new Float64Array(K);
      let max = -Infinity;
      for (let a = 0; a < K; a++) {
        let z = P[head + K * H + a]!;
        for (let k = 0; k < H; k++) z += P[head + a * H + k]! * hn[k]!;
        p[a] = z;
        if (z > max) max = z;
      }
      let s = 0;
      for (let a = 0; a < K; a++) s += p[a] = exp(p[a]! - max);
      for (let a = 0; a < K; a++) p[a] = p[a]! / s;
      const choice = pick(t, p);
      out.push(choice);
      steps.push({ xOffset, hPrev: h, cPrev: c, i, f, g, o, c: cn, tanhC, h: hn, p });
      h = hn;
      c = cn;
    }
    return { choices: out, steps };
  }

  /** A decision sequence drawn from the policy with `rng` (one uniform draw per decision). */
  sample(rng: Rng): { choices: number[]; logProb: number } {
    const { choices, steps } = this.forward((_, p) => {
      let u = rng.next();
      for (let a = 0; a < p.length - 1; a++) {
        u -= p[a]!;
        if (u < 0) return a;
      }
      return p.length - 1;
    });
    return { choices, logProb: logProbOf(choices, steps) };
  }

  /** The most likely choice at each step, feeding each back (greedy decoding). */
  argmax(): number[] {
    return this.forward((_, p) => {
      let best = 0;
      for (let a = 1; a < p.length; a++) if (p[a]! > p[best]!) best = a;
      return best;
    }).choices;
  }

  /** log π(choices) = Σ_t log π_t(a_t). */
  logProb(choices: readonly number[]): number {
    const { steps } = this.forward((t) => choices[t]!);
    return logProbOf(choices, steps);
  }

  /** The distribution π_t of each step along `choices` (teacher forcing). */
  distributions(choices: readonly number[]): Float64Array[] {
    return this.forward((t) => choices[t]!).steps.map((s) => s.p);
  }

  /**
   * Adds to `grad` the gradient of J = coef · log π(choices) + entropyWeight · Σ_t H(π_t) (the
   * entropy of each step's distribution along the sequence, ENAS's sample entropy), by
   * backpropagation through time. `coef` may be a function of log π(choices), called after the
   * forward pass. Returns log π(choices) and Σ_t H(π_t).
   *
   * ∂ log π_t(a)/∂z_j = 1[j = a] − p_j and ∂H_t/∂z_j = −p_j (log p_j + H_t) for the logits z of
   * step t; the LSTM part is the standard one (dc_{t−1} = dc_t ⊙ f_t, through the gates' derivatives).
   */
  accumulate(
    choices: readonly number[],
    coef: number | ((logProb: number) => number),
    entropyWeight: number,
    grad: Float64Array,
  ): { logProb: number; entropy: number } {
    const H = this.hidden;
    const E = this.inputSize;
    const X = E + H;
    const P = this.params;
    const { steps } = this.forward((t) => choices[t]!);
    const logProb = logProbOf(choices, steps);
    // PPO's coefficient depends on π(a)/π_old(a): given as a function, it is taken after the forward pass.
    if (typeof coef === 'function') coef = coef(logProb);
    let entropy = 0;
    let dhNext = new Float64Array(H);
    let dcNext = new Float64Array(H);
    const dz = new Float64Array(4 * H);
    for (let t = steps.length - 1; t >= 0; t--) {
      const s = steps[t]!;
      const K = this.choices[t]!;
      const a = choices[t]!;
      let ht = 0;
      for (let j = 0; j < K; j++) if (s.p[j]! > 0) ht -= s.p[j]! * log(s.p[j]!);
      entropy += ht;
      // dJ/dlogits of this step, then the head's gradient and dJ/dh_t.
      const head = this.headOffsets[t]!;
      const dh = dhNext;
      for (let j = 0; j < K; j++) {
        const pj = s.p[j]!;
        const dl = coef * ((j === a ? 1 : 0) - pj) - (pj > 0 ? entropyWeight * pj * (log(pj) + ht) : 0);
        if (dl === 0) continue;
        grad[head + K * H + j] = grad[head + K * H + j]! + dl;
        for (let k = 0; k < H; k++) {
          grad[head + j * H + k] = grad[head + j * H + k]! + dl * s.h[k]!;
          dh[k] = dh[k]! + dl * P[head + j * H + k]!;
        }
      }
      // Through h = o ⊙ tanh(c), c = f ⊙ c_prev + i ⊙ g.
      const dcPrev = new Float64Array(H);
      for (let u = 0; u < H; u++) {
        const dc = dh[u]! * s.o[u]! * (1 - s.tanhC[u]! * s.tanhC[u]!) + dcNext[u]!;
        const i = s.i[u]!;
        const f = s.f[u]!;
        const g = s.g[u]!;
        const o = s.o[u]!;
        dz[u] = dc * g * i * (1 - i);
        dz[H + u] = dc * s.cPrev[u]! * f * (1 - f);
        dz[2 * H + u] = dc * i * (1 - g * g);
        dz[3 * H + u] = dh[u]! * s.tanhC[u]! * o * (1 - o);
        dcPrev[u] = dc * f;
      }
      const dhPrev = new Float64Array(H);
      for (let row = 0; row < 4 * H; row++) {
        const d = dz[row]!;
        if (d === 0) continue;
        const w = this.wOffset + row * X;
        grad[this.bOffset + row] = grad[this.bOffset + row]! + d;
        for (let k = 0; k < E; k++) {
          grad[w + k] = grad[w + k]! + d * P[s.xOffset + k]!;
          grad[s.xOffset + k] = grad[s.xOffset + k]! + d * P[w + k]!;
        }
        for (let k = 0; k < H; k++) {
          grad[w + E + k] = grad[w + E + k]! + d * s.hPrev[k]!;
          dhPrev[k] = dhPrev[k]! + d * P[w + E + k]!;
        }
      }
      dhNext = dhPrev;
      dcNext = dcPrev;
    }
    return { logProb, entropy };
  }

  /** One Adam ascent step along `grad` (the gradient of what to maximise), with learning rate `lr`. */
  ascend(grad: Float64Array, lr: number): void {
    this.adamSteps++;
    const c1 = 1 - ADAM_B1 ** this.adamSteps;
    const c2 = 1 - ADAM_B2 ** this.adamSteps;
    for (let j = 0; j < this.params.length; j++) {
      const gj = grad[j]!;
      this.m[j] = ADAM_B1 * this.m[j]! + (1 - ADAM_B1) * gj;
      this.v[j] = ADAM_B2 * this.v[j]! + (1 - ADAM_B2) * gj * gj;
      this.params[j] = this.params[j]! + (lr * (this.m[j]! / c1)) / (sqrt(this.v[j]! / c2) + ADAM_EPS);
    }
  }
}

function logProbOf(choices: readonly number[], steps: readonly StepCache[]): number {
  let lp = 0;
  steps.forEach((s, t) => (lp += log(s.p[choices[t]!]!)));
  return lp;
}
