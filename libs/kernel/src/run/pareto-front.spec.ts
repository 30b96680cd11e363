import * as fs from 'node:fs';
import * as path from 'node:path';
import { defineEstimator, definePlugin, type Architecture } from '@nasx/contracts';
import { startTestKernel, toyDigits, type TestKernel } from '@nasx/testing';
import { parseParetoLabel, paretoLabel } from '../objective/objective';
import { EXACT_FRONT_FILE, compareWithExact, type ExactFront } from './exact-front';
import { readJournal } from './journal';

// Two conflicting metrics over toy architectures: `acc` (maximised) grows with the digits,
// `lat` (minimised) too, but not in the same way, so the front has several points.
const acc = (a: Architecture): number => toyDigits(a).reduce((s, d, i) => s + d * (i + 1), 0);
const lat = (a: Architecture): number => toyDigits(a).reduce((s, d) => s + d * d, 0) + (toyDigits(a)[0] === 2 ? 5 : 0);

const twoMetrics = defineEstimator<{ tabulated?: boolean }>({
  id: 'toy-two',
  description: 'two conflicting toy metrics',
  optionsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { tabulated: { type: 'boolean', default: true, description: 'claim to be a lookup' } },
  },
  create: (o) => ({
    id: 'toy-two',
    tabulated: o.tabulated ?? true,
    metrics: [
      { name: 'acc', direction: 'maximize' as const },
      { name: 'lat', direction: 'minimize' as const },
    ],
    estimate: async (arch) => ({ metrics: { acc: acc(arch), lat: lat(arch) }, cost: { seconds: 0 } }),
  }),
});

/** Brute force: the keys of `archs` that no other dominates (acc up, lat down). */
function bruteFront(archs: readonly Architecture[]): string[] {
  const dom = (p: Architecture, q: Architecture): boolean => acc(p) >= acc(q) && lat(p) <= lat(q) && (acc(p) > acc(q) || lat(p) < lat(q));
  return archs
    .filter((q) => !archs.some((p) => dom(p, q)))
    .map((a) => a.key)
    .sort();
}

describe('Pareto fronts of multi-objective runs', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: 'toy-two', definition: definePlugin({ contributions: [twoMetrics] }) }] });
  });
  afterAll(() => tk.cleanup());

  const config = (extra: object = {}) => ({
    space: { use: 'toy', options: { positions: 3 } },
    estimator: 'toy-two',
    searcher: { use: 'list', options: { all: true } },
    objective: { type: 'multi', metrics: [{ metric: 'acc' }, { metric: 'lat' }] },
    budget: { evaluations: 60 },
    ...extra,
  });

  it('the objective label round-trips through parseParetoLabel; other labels have no front', () => {
    const objectives = [
      { metric: 'test_acc@200', direction: 'maximize' as const },
      { metric: 'latency_ms:pixel3', direction: 'minimize' as const },
    ];
    expect(parseParetoLabel(paretoLabel(objectives))).toEqual(objectives);
    expect(parseParetoLabel('maximize val_acc@12')).toBeUndefined();
    expect(parseParetoLabel(undefined)).toBeUndefined();
  });

  it('keeps the front of the evaluated trials in the report and summary.json, and rebuilds it on resume', async () => {
    const run = await tk.run(config());
    const evaluated = run.of('evaluated').map((e) => e.arch);
    expect(evaluated).toHaveLength(60);
    const front = run.report.front;
    expect(front?.objectives).toEqual([
      { metric: 'acc', direction: 'maximize' },
      { metric: 'lat', direction: 'minimize' },
    ]);
    expect(front?.trials.map((t) => t.arch.key).sort()).toEqual(bruteFront(evaluated));
    expect(front!.trials.length).toBeGreaterThan(2);
    // Best first by the first objective; the real metric values ride along.
    const accs = front!.trials.map((t) => t.estimate.metrics['acc'] as number);
    expect(accs).toEqual([...accs].sort((a, b) => b - a));
    const summary = JSON.parse(fs.readFileSync(path.join(run.runDir as string, 'summary.json'), 'utf8'));
    expect(summary.front.trials.map((t: { arch: Architecture }) => t.arch.key).sort()).toEqual(bruteFront(evaluated));

    // Cut the journal after 25 evaluations and resume: the same front.
    const file = path.join(run.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 25);
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(run.runDir as string);
    expect(resumed.report.evaluations).toBe(60);
    const again = JSON.parse(fs.readFileSync(path.join(run.runDir as string, 'summary.json'), 'utf8'));
    expect(again.front.trials.map((t: { arch: Architecture }) => t.arch.key).sort()).toEqual(bruteFront(evaluated));
    expect((await tk.kernel.report(run.runDir as string)).front?.trials.map((t) => t.arch.key).sort()).toEqual(bruteFront(evaluated));
    expect(readJournal(file).filter((e) => e.type === 'evaluated')).toHaveLength(60);
  }, 30_000);

  it('single-objective runs have no front', async () => {
    const run = await tk.run(config({ objective: 'acc' }), { persist: false });
    expect(run.report.front).toBeUndefined();
  });

  it('computes the exact front of a tabulated pipeline over the whole space and caches it in the run folder', async () => {
    const exact = (await tk.kernel.exactFront(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config() }))) as ExactFront;
    expect('unavailable' in exact).toBe(false);
    expect(exact.architectures).toBe(125);
    expect(exact.failed).toBe(0);
    const all: Architecture[] = [];
    for (let i = 0; i < 125; i++) all.push({ space: 'toy', genotype: { digits: [Math.floor(i / 25), Math.floor(i / 5) % 5, i % 5] }, key: '' });
    const keyed = all.map((a) => ({ ...a, key: toyDigits(a).join('') }));
    expect(exact.points.map((p) => p.key).sort()).toEqual(bruteFront(keyed));
    expect(exact.points[0]?.metrics).toEqual({ acc: expect.any(Number), lat: expect.any(Number) });

    const run = await tk.run(config());
    const cached = (await tk.kernel.runExactFront(run.runDir as string)) as ExactFront;
    expect(cached.points).toEqual(exact.points);
    expect(fs.existsSync(path.join(run.runDir as string, EXACT_FRONT_FILE))).toBe(true);
    // The run evaluated 60 of 125 (in enumeration order): it found only the front points among them.
    const cmp = compareWithExact(
      run.report.front!.trials.map((t) => t.objective as number[]),
      exact,
    );
    const evaluatedKeys = new Set(run.of('evaluated').map((e) => e.arch.key));
    expect(cmp.found).toBe(exact.points.filter((p) => evaluatedKeys.has(p.key)).length);
    expect(cmp.hypervolumeRatio).toBeGreaterThan(0);
    expect(cmp.hypervolumeRatio).toBeLessThanOrEqual(1);
    expect(
      compareWithExact(
        exact.points.map((p) => p.objective),
        exact,
      ).hypervolumeRatio,
    ).toBe(1);
  }, 30_000);

  it('says why there is no exact front when a part of the pipeline is not a lookup', async () => {
    const got = await tk.kernel.exactFront(
      tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config({ estimator: { use: 'toy-two', options: { tabulated: false } } }) }),
    );
    expect(got).toEqual({ unavailable: expect.stringContaining('the estimator "toy-two" is not a table lookup') });
  });
});
