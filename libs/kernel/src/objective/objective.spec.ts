import { isNasxError, type Estimate, type MnasObjective } from '@nasx/contracts';
import { createObjective, mnasExponents } from './objective';

const est = (metrics: Record<string, number>): Estimate => ({ metrics, cost: { seconds: 0 } });
const decl = [
  { name: 'val_acc@12', direction: 'maximize' as const },
  { name: 'latency_ms', direction: 'minimize' as const },
  { name: 'params', direction: 'minimize' as const },
];

describe('objectives', () => {
  it('defaults to the first declared metric and negates minimised ones', () => {
    expect(createObjective(undefined, decl).value(est({ 'val_acc@12': 90 }))).toBe(90);
    const o = createObjective({ metric: 'params' }, decl);
    expect(o.info.label).toBe('minimize params');
    expect(o.value(est({ params: 1.5 }))).toBe(-1.5);
    expect(o.better(-1, -2)).toBe(true);
  });

  it("computes MnasNet's soft constraint ACC·(LAT/T)^w (Tan et al. 2019, eq. 2)", () => {
    const o = createObjective({ type: 'mnas', accuracy: 'val_acc@12', latency: 'latency_ms', target: 80 }, decl);
    // At the target the reward is the accuracy; twice as slow costs 2^-0.07 ≈ 4.7 %.
    expect(o.value(est({ 'val_acc@12': 75, latency_ms: 80 }))).toBeCloseTo(75, 10);
    expect(o.value(est({ 'val_acc@12': 75, latency_ms: 160 }))).toBeCloseTo(75 * 2 ** -0.07, 10);
    // Hard constraint: alpha = 0, beta = -1.
    const hard = createObjective({ type: 'mnas', accuracy: 'val_acc@12', latency: 'latency_ms', target: 80, alpha: 0, beta: -1 }, decl);
    expect(hard.value(est({ 'val_acc@12': 75, latency_ms: 40 }))).toBe(75);
    expect(hard.value(est({ 'val_acc@12': 75, latency_ms: 160 }))).toBeCloseTo(37.5, 10);
  });

  it('has the presets soft (α = β = −0.07) and hard (α = 0, β = −1), and explicit exponents that agree with them', () => {
    const base = { type: 'mnas', accuracy: 'val_acc@12', latency: 'latency_ms', target: 80 } as const;
    expect(mnasExponents(base)).toEqual({ alpha: -0.07, beta: -0.07 });
    expect(mnasExponents({ ...base, constraint: 'soft' })).toEqual({ alpha: -0.07, beta: -0.07 });
    expect(mnasExponents({ ...base, constraint: 'hard' })).toEqual({ alpha: 0, beta: -1 });
    expect(mnasExponents({ ...base, constraint: 'hard', beta: -1 })).toEqual({ alpha: 0, beta: -1 });
    expect(mnasExponents({ ...base, alpha: -0.1, beta: -0.5 })).toEqual({ alpha: -0.1, beta: -0.5 });
    const hard = createObjective({ ...base, constraint: 'hard' }, decl);
    expect(hard.info.label).toMatch(/hard, α=0, β=-1/);
    expect(hard.value(est({ 'val_acc@12': 75, latency_ms: 40 }))).toBe(75);
    expect(hard.value(est({ 'val_acc@12': 75, latency_ms: 160 }))).toBeCloseTo(37.5, 10);
  });

  it.each([
    [{ target: 0 }, '/objective/target', /target latency T must be a positive number, got 0/],
    [{ target: -5 }, '/objective/target', /got -5/],
    [{ alpha: 0.07 }, '/objective/alpha', /alpha = 0\.07 is above 0, so the reward would grow with latency under the target/],
    [{ beta: 1 }, '/objective/beta', /beta = 1 is above 0/],
    [{ constraint: 'hard', alpha: -0.07 }, '/objective/alpha', /constraint "hard" sets alpha = 0, but alpha is also given as -0\.07/],
    [{ constraint: 'soft', beta: -1 }, '/objective/beta', /constraint "soft" sets beta = -0\.07/],
  ])('refuses %j as a config error at its pointer', (extra, pointer, message) => {
    const spec = { type: 'mnas', accuracy: 'val_acc@12', latency: 'latency_ms', target: 80, ...extra } as MnasObjective;
    let caught: unknown;
    try {
      createObjective(spec, decl, { file: 'c.yaml', line: 3 });
    } catch (e) {
      caught = e;
    }
    expect(isNasxError(caught) && caught.kind).toBe('config');
    expect(caught).toMatchObject({ where: { pointer, file: 'c.yaml', line: 3 } });
    expect((caught as Error).message).toMatch(message);
    expect((caught as { fix?: string }).fix).toBeTruthy();
  });

  it('sums weighted terms with their directions, and returns vectors for multi-objective searchers', () => {
    const w = createObjective(
      {
        type: 'weighted',
        terms: [
          { metric: 'val_acc@12', weight: 1 },
          { metric: 'params', weight: 2 },
        ],
      },
      decl,
    );
    expect(w.value(est({ 'val_acc@12': 90, params: 1 }))).toBe(88);
    const m = createObjective({ type: 'multi', metrics: [{ metric: 'val_acc@12' }, { metric: 'latency_ms' }] }, decl);
    expect(m.info.dimensions).toBe(2);
    expect(m.value(est({ 'val_acc@12': 90, latency_ms: 5 }))).toEqual([90, -5]);
  });

  it('refuses a metric nobody reports before the run, and a missing value during it', () => {
    let e: unknown;
    try {
      createObjective({ metric: 'test_acc@200' }, decl, { file: 'c.yaml', line: 4 });
    } catch (x) {
      e = x;
    }
    expect(isNasxError(e) && e.kind === 'config' && e.where.pointer === '/objective' && e.where.line === 4).toBe(true);
    expect(() => createObjective(undefined, decl).value(est({ other: 1 }))).toThrow(/no value for metric "val_acc@12"/);
  });
});
