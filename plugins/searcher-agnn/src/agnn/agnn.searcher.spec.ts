import { proposalParts, type Architecture, type AskTellSearcher, type DerivedProposal } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { createGnnSearchSpace } from '@nasx/search-space-gnn';
import random from '@nasx/searcher-random';
import { driveSearcher, replaySearcher, searcherDeps } from '@nasx/testing';
import { AgnnSearcher, actionClasses, agnnSearcher } from './agnn.searcher';

const space = createGnnSearchSpace();
const TARGET = space.toDecisions(space.parse('4x64:gat:max:mlp:residual:elu | 2:sym-gat:mean:constant:none:linear'));
/** A toy objective with one optimum: the share of decisions equal to TARGET's, in percent. */
const score = (a: Architecture): number => (100 * space.toDecisions(a).filter((v, k) => v === TARGET[k]).length) / TARGET.length;

const create = (seed: number, options: object = {}): AgnnSearcher => agnnSearcher.create(options as never, searcherDeps(space, seed)) as AgnnSearcher;

describe('agnn searcher', () => {
  it("groups the space's decisions into action classes, one controller each", () => {
    expect(actionClasses(space).map((c) => `${c.name}:${c.decisions.join(',')}`)).toEqual([
      'hidden:0',
      'attention:1,7',
      'heads:2,8',
      'aggregator:3,9',
      'combine:4,10',
      'skip:5,11',
      'activation:6,12',
    ]);
    expect(create(0).classes.map((c) => c.policy.choices)).toEqual([[7], [7, 7], [6, 6], [4, 4], [2, 2], [2, 2], [8, 8]]);
  });

  it('after the initial random architectures, each child is the best so far with one class changed, naming it as parent', async () => {
    const s = create(1, { initial: 3 });
    const first = s.ask(5);
    expect(first).toHaveLength(5); // random until a result names a best (workers are not left idle)
    expect(first.every((p) => 'genotype' in p)).toBe(true);
    s.tell(first.map((p, i) => ({ trial: i, arch: proposalParts(p).arch, objective: score(proposalParts(p).arch) })));
    const best = s.parent!;
    expect(best.objective).toBe(Math.max(...first.map((p) => score(proposalParts(p).arch))));
    const classes = actionClasses(space);
    for (const p of s.ask(40) as DerivedProposal[]) {
      expect(p.parent).toEqual({ trial: best.trial, arch: best.arch });
      const a = space.toDecisions(p.arch);
      const b = space.toDecisions(best.arch);
      const changed = new Set(a.flatMap((v, k) => (v !== b[k] ? [classes.findIndex((c) => c.decisions.includes(k))] : [])));
      expect(changed.size).toBeLessThanOrEqual(1);
    }
    // share: false proposes plain architectures.
    const plain = create(1, { share: false });
    const a0 = plain.ask(1)[0] as Architecture;
    await plain.tell([{ trial: 0, arch: a0, objective: 50 }]);
    expect('genotype' in (plain.ask(1)[0] as object)).toBe(true);
  });

  it('climbs a toy objective faster than random search (the same 120 evaluations, seeds 0-4)', async () => {
    const bestOf = async (s: AskTellSearcher, seed: number) =>
      Math.max(
        ...(await driveSearcher(s, { budget: 120, concurrency: 1, objective: score, completion: createRng(seed) })).results.map((r) => r.objective as number),
      );
    const agnn: number[] = [];
    const rand: number[] = [];
    for (let seed = 0; seed < 5; seed++) {
      agnn.push(await bestOf(create(seed), seed));
      rand.push(await bestOf((await random.contributions[0]!.create({}, searcherDeps(space, seed) as never)) as AskTellSearcher, seed));
    }
    const mean = (x: number[]) => x.reduce((a, b) => a + b, 0) / x.length;
    // Measured: AGNN 84.6, 84.6, 84.6, 76.9, 76.9; random 61.5, 61.5, 53.8, 61.5, 61.5.
    expect(mean(agnn)).toBeGreaterThan(mean(rand) + 10);
    expect(Math.min(...agnn)).toBeGreaterThan(Math.max(...rand));
  });

  it('the action guider asks undecided controllers more often: a controller trained towards one value is rarely picked', async () => {
    const s = create(2, { explore: 0 });
    expect(s.entropies().every((h) => h > 0.99)).toBe(true); // fresh controllers are near uniform
    const c = s.classes[1]!; // attention
    for (let i = 0; i < 300; i++) {
      const grad = new Float64Array(c.policy.size);
      c.policy.accumulate([2, 2], 1, 0, grad);
      c.policy.ascend(grad, 0.01);
    }
    const h = s.entropies();
    expect(h[1]).toBeLessThan(0.1);
    const a0 = s.ask(1)[0] as Architecture;
    await s.tell([{ trial: 0, arch: a0, objective: 1 }]);
    const b = space.toDecisions(a0);
    let attention = 0;
    const n = 300;
    for (const p of s.ask(n)) {
      const a = space.toDecisions(proposalParts(p).arch);
      if (a[1] !== b[1] || a[7] !== b[7]) attention++;
    }
    // Picked with probability h[1] / Σh (under 2 %), against 1/7 for a uniform guider.
    expect(attention / n).toBeLessThan(0.05);
  });

  it('reinforces a failed child as the worst result so far, so its controller learns to avoid failing children', async () => {
    // A failure before any success teaches nothing (there is no worst result yet).
    const s = create(4, { initial: 1 });
    const a0 = s.ask(1)[0] as Architecture;
    await s.tell([{ trial: 0, arch: a0, objective: null, error: 'ran out of memory' }]);
    expect(s.updates.every((u) => u === 0)).toBe(true);
    expect(s.parent).toBeUndefined();

    // Children with 16 heads or 128 hidden units in the first layer fail (too large for memory).
    const [hidden, , heads] = space.decisions();
    const fails = (a: Architecture) => {
      const d = space.toDecisions(a);
      return heads!.choices[d[2]!] === '16' || hidden!.choices[d[0]!] === '128';
    };
    const failures = async (options: object): Promise<number> => {
      let n = 0;
      for (let seed = 0; seed < 3; seed++) {
        const run = await driveSearcher(create(seed, options), {
          budget: 150,
          concurrency: 1,
          objective: ((a: Architecture) => (fails(a) ? null : score(a))) as never,
        });
        n += run.results.filter((r) => r.objective === null).length;
      }
      return n;
    };
    // Small, fast-learning controllers (GraphNAS's are 100 units at 3.5e-4), so that 150
    // evaluations show the effect: 10 failed children against 36 over the three seeds.
    const worst = await failures({ lr: 0.05, hidden: 32 });
    // Rewarding failures instead (as if they scored 100 %) makes them far more frequent.
    const rewarded = await failures({ lr: 0.05, hidden: 32, failedReward: 100 });
    expect(worst).toBeLessThan(rewarded / 2);
  });

  it('a journal replayed through a fresh searcher proposes the same architectures (resume)', async () => {
    const run = await driveSearcher(create(7), { budget: 40, concurrency: 3, objective: score, completion: createRng(3) });
    const asked = await replaySearcher(create(7), run.calls);
    expect(asked).toEqual(run.calls.filter((c) => c.type === 'ask').map((c) => (c as { keys: readonly string[] }).keys));
  });
});
