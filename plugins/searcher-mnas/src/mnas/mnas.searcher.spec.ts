import { NasxError, type Architecture, type SearchSpace } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { catchNasxError, createToySpace, driveSearcher, replaySearcher, searcherDeps, toyDigits, toyScore, validatedOptions } from '@nasx/testing';
import { MnasSearcher, mnasSearcher } from './mnas.searcher';

function create(options: object = {}, space: SearchSpace = createToySpace(), seed = 5, extra: object = {}) {
  return mnasSearcher.create(validatedOptions(mnasSearcher.optionsSchema, options), { ...searcherDeps(space, seed), ...extra }) as MnasSearcher;
}

const mean = (x: readonly number[]) => x.reduce((a, b) => a + b, 0) / x.length;

/** Ask and tell `trials` proposals one at a time with the toy score; the scores in proposal order. */
function run(s: MnasSearcher, trials: number, score: (a: Architecture) => number | null = toyScore): number[] {
  const out: number[] = [];
  for (let t = 0; t < trials; t++) {
    const [a] = s.ask(1);
    const v = score(a!);
    if (v !== null) out.push(v);
    s.tell([{ trial: t, arch: a!, objective: v }]);
  }
  return out;
}

describe('mnas searcher', () => {
  it.each(['ppo', 'reinforce'] as const)('%s: the controller learns the toy objective (later samples far better than the first batch)', (algorithm) => {
    // Toy: 6 positions × 5 values, score = 10 × (number of 3s) + first digit / 10; uniform mean ≈ 12.
    const s = create({ algorithm, hidden: 16, lr: 0.02 });
    const scores = run(s, 400);
    expect(s.updates).toHaveLength(40);
    expect(mean(scores.slice(0, 10))).toBeLessThan(25);
    expect(mean(scores.slice(-50))).toBeGreaterThan(45); // ≥ 4.5 of the 6 digits are 3 on average
    expect(toyScore(s.recommend()!)).toBeGreaterThanOrEqual(50);
    // The policy concentrated: its entropy fell well below the uniform 6·ln 5 ≈ 9.66.
    expect(s.updates[s.updates.length - 1]!.entropy).toBeLessThan(s.updates[0]!.entropy - 2);
  });

  it('proposes a batch, waits for all its results, then updates and samples the next one', () => {
    const s = create({ batchSize: 4 });
    const first = s.ask(10);
    expect(first).toHaveLength(4); // up to the batch, not n
    expect(s.ask(1)).toEqual([]); // the batch waits for its results
    s.tell(first.slice(0, 3).map((arch, i) => ({ trial: i, arch, objective: toyScore(arch) })));
    expect(s.updates).toHaveLength(0);
    expect(s.ask(1)).toEqual([]);
    s.tell([{ trial: 3, arch: first[3]!, objective: toyScore(first[3]!) }]);
    expect(s.updates).toHaveLength(1);
    expect(s.updates[0]).toMatchObject({ samples: 4, meanReward: mean(first.map(toyScore)) });
    expect(s.ask(2)).toHaveLength(2);
  });

  it('leaves failed and non-finite results out of the update; a batch of failures changes nothing', () => {
    const s = create({ batchSize: 4 });
    const a = s.ask(4);
    s.tell(a.map((arch, i) => ({ trial: i, arch, objective: i === 0 ? null : i === 1 ? -Infinity : toyScore(arch) })));
    expect(s.updates[0]!.samples).toBe(2);
    const before = Array.from(s.policy.params);
    const b = s.ask(4);
    s.tell(b.map((arch, i) => ({ trial: 4 + i, arch, objective: null, error: 'x' })));
    expect(s.updates).toHaveLength(1);
    expect(Array.from(s.policy.params)).toEqual(before);
  });

  it('PPO: several epochs on a batch move the policy, with the ratio clipped (ε) once it moved far enough', () => {
    const s = create({ batchSize: 10, ppoEpochs: 30, lr: 0.05, hidden: 16 });
    run(s, 10);
    expect(s.updates[0]!.clippedFraction).toBeGreaterThan(0);
    const r = create({ batchSize: 10, algorithm: 'reinforce', hidden: 16 });
    run(r, 10);
    expect(r.updates[0]!.clippedFraction).toBe(0);
  });

  it('is deterministic under replay with several trials in flight completing out of order', async () => {
    const objective = (a: Architecture) => toyScore(a);
    const full = await driveSearcher(create({ batchSize: 6, hidden: 8 }, undefined, 11), {
      budget: 60,
      concurrency: 4,
      objective,
      completion: createRng(3),
    });
    const replayed = await replaySearcher(create({ batchSize: 6, hidden: 8 }, undefined, 11), full.calls);
    expect(replayed).toEqual(full.calls.flatMap((c) => (c.type === 'ask' ? [c.keys] : [])));
  });

  it('draws again when decisions are not an architecture of the space, and learns from accepted draws only', () => {
    const toy = createToySpace();
    const partial: SearchSpace = {
      ...toy,
      fromDecisions(c) {
        if (c[0]! % 2 === 0) throw new NasxError('architecture', `toy: first digit ${c[0]} is even`);
        return toy.fromDecisions!(c);
      },
    };
    const s = create({ batchSize: 5, hidden: 8 }, partial);
    const proposals: Architecture[] = [];
    for (let t = 0; t < 30; t++) {
      const [a] = s.ask(1);
      proposals.push(a!);
      s.tell([{ trial: t, arch: a!, objective: toyScore(a!) }]);
    }
    expect(proposals.every((a) => toyDigits(a)[0]! % 2 === 1)).toBe(true);
    expect(s.rejectedDraws).toBeGreaterThan(0);
    // Other errors are not rejections; a space that accepts nothing ends in a run error with a fix.
    const broken = create(
      {},
      {
        ...toy,
        fromDecisions: () => {
          throw new Error('bug');
        },
      },
    );
    expect(() => broken.ask(1)).toThrow('bug');
    // (one decision and one hidden unit: 100,000 draws are quick)
    const one = createToySpace(1, 2);
    const none = create(
      { hidden: 1 },
      {
        ...one,
        fromDecisions: () => {
          throw new NasxError('architecture', 'never');
        },
      },
    );
    const e = catchNasxError(() => none.ask(1));
    expect(e).toMatchObject({ kind: 'run', fix: expect.stringMatching(/widen the space/) });
  });

  it('reports done once the policy converged (batches of repeats only), and recommends the best told or the policy argmax', () => {
    // A space of 2 architectures: the policy soon proposes nothing new.
    const tiny = createToySpace(1, 2);
    const s = create({ batchSize: 4, stopAfterRepeatedBatches: 3, hidden: 4 }, tiny);
    let t = 0;
    while (!s.done() && t < 1000) {
      const [a] = s.ask(1);
      s.tell([{ trial: t++, arch: a!, objective: toyDigits(a!)[0]! }]);
    }
    expect(s.done()).toBe(true);
    expect(t).toBeLessThan(1000);
    expect(s.recommend()!.key).toBe('1');
    expect(create({ stopAfterRepeatedBatches: 0 }).done()).toBe(false);
    // recommend: policy — the greedy decoding, evaluated or not.
    const p = create({ recommend: 'policy', hidden: 16, lr: 0.02 });
    run(p, 300);
    expect(p.recommend()!.key).toBe(toy().fromDecisions!(p.policy.argmax()).key);
    expect(toyScore(p.recommend()!)).toBeGreaterThanOrEqual(50);
  });

  it('fails clearly: a space without decisions, a space with an empty decision, a multi-objective run; warns when the budget is below a batch', () => {
    const toy = createToySpace();
    let e = catchNasxError(() => create({}, { ...toy, decisions: undefined, fromDecisions: undefined } as SearchSpace));
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/space' } });
    expect(e.message).toMatch(/does not provide decisions\(\) and fromDecisions\(\)/);
    e = catchNasxError(() => create({}, { ...toy, decisions: () => [{ name: 'op', choices: [] }] } as SearchSpace));
    expect(e.message).toMatch(/decision "op" with no choices/);
    e = catchNasxError(() => create({}, toy, 1, { objective: { label: 'pareto', dimensions: 2, metrics: ['a', 'b'] } }));
    expect(e).toMatchObject({ kind: 'config', where: { pointer: '/objective' } });
    const deps = searcherDeps(toy, 1, { budget: { evaluations: 5 } });
    mnasSearcher.create(validatedOptions(mnasSearcher.optionsSchema, { batchSize: 10 }), deps);
    expect(deps.logs.join('\n')).toMatch(/warn: mnas: the budget of 5 evaluations is below one batch \(10\)/);
  });
});

function toy(): SearchSpace {
  return createToySpace();
}
