import { isNasxError, type EventDraft, type SearchEvent } from '@nasx/contracts';
import { fitSvg, trajectoryData, trajectorySpec } from './trajectory-plot';

// The data and the Vega-Lite spec of `nasx report --svg/--png` (rendering is tested through the
// built CLI in report-plot.spec.ts: vega is an ES module jest cannot load).

let seq = 0;
const at = (time: number, draft: EventDraft): SearchEvent => ({ ...draft, runId: 'r', seq: seq++, time }) as SearchEvent;
const arch = (k: string) => ({ space: 'toy', genotype: null, key: k });
const start = (time: number, objective = 'maximize acc', resumed = false): SearchEvent =>
  at(time, { type: 'run-started', seed: 0, resumed, contributions: { searcher: 'rea' }, objective, budget: { evaluations: 10 } });
const evaluated = (time: number, trial: number, objective: number | number[], evaluations: number, cached = false): SearchEvent =>
  at(time, {
    type: 'evaluated',
    trial,
    arch: arch(String(trial)),
    estimate: { metrics: {}, cost: { seconds: 1 } },
    objective,
    evaluations,
    ...(cached ? { cached: true } : {}),
  } as EventDraft);

describe('trajectoryData', () => {
  it('has one point per counted evaluation, the best so far, and wall-clock seconds across sessions', () => {
    const events = [
      start(1000),
      evaluated(2000, 0, 5, 1),
      evaluated(3000, 1, 3, 2),
      evaluated(3500, 2, 3, 2, true), // a cache answer counts nothing and is not drawn
      evaluated(4000, 3, 7, 3),
      at(4500, { type: 'run-finished', status: 'cancelled', reason: 'stopped', evaluations: 3, failures: 0, elapsedMs: 3500 }),
      // Resumed a day later: its seconds continue from the first session's 3.5 s.
      start(90_000_000, 'maximize acc', true),
      evaluated(90_002_000, 4, 6, 4),
      evaluated(90_003_000, 5, 9, 5),
    ];
    const d = trajectoryData('r', events);
    expect(d).toMatchObject({ runId: 'r', searcher: 'rea', objective: 'maximize acc', axis: 'acc', minimize: false });
    expect(d.points.map((p) => [p.evaluations, p.seconds, p.value, p.best, p.session])).toEqual([
      [1, 1, 5, 5, 1],
      [2, 2, 3, 5, 1],
      [3, 3, 7, 7, 1],
      [4, 5.5, 6, 7, 2],
      [5, 6.5, 9, 9, 2],
    ]);
    expect(d.sessions).toEqual([{ session: 2, evaluations: 3, seconds: 3.5 }]);
  });

  it('plots a minimised metric in its own direction (the searchers see it negated)', () => {
    const d = trajectoryData('r', [start(0, 'minimize val_loss'), evaluated(1000, 0, -0.5, 1), evaluated(2000, 1, -0.3, 2), evaluated(3000, 2, -0.7, 3)]);
    expect(d.axis).toBe('val_loss');
    expect(d.points.map((p) => [p.value, p.best])).toEqual([
      [0.5, 0.5],
      [0.3, 0.3],
      [0.7, 0.3],
    ]);
  });

  it('refuses a run with no finished trial and a multi-objective run, as input errors that say why', () => {
    const none = (): unknown => trajectoryData('r', [start(0)]);
    expect(none).toThrow(/run r has no finished trial yet, so there is no trajectory to plot/);
    try {
      none();
    } catch (e) {
      expect(isNasxError(e) && e.isInputError).toBe(true);
    }
    expect(() => trajectoryData('r', [start(0, 'pareto(maximize acc, minimize lat)'), evaluated(1, 0, [1, 2], 1)])).toThrow(/multi-objective/);
  });
});

describe('trajectorySpec', () => {
  it('two panels (evaluations, wall-clock seconds), points and a step line each, session rules only for resumed runs', () => {
    const one = trajectorySpec(trajectoryData('r', [start(0), evaluated(1000, 0, 1, 1), evaluated(2000, 1, -Infinity, 2)]), { width: 900, height: 600 });
    const panels = one['vconcat'] as { layer: { mark: { type: string; interpolate?: string } }[] }[];
    expect(panels).toHaveLength(2);
    for (const p of panels) expect(p.layer.map((l) => l.mark.type)).toEqual(['point', 'line']);
    expect(panels[0]!.layer[1]!.mark.interpolate).toBe('step-after');
    // -Infinity cannot be drawn; the title counts it as an evaluation all the same.
    expect((one['data'] as { values: unknown[] }).values).toHaveLength(1);
    expect(JSON.stringify(one['title'])).toContain('searcher rea; objective maximize acc; 2 evaluations');

    const resumed = trajectorySpec(trajectoryData('r', [start(0), evaluated(1, 0, 1, 1), start(5, 'maximize acc', true), evaluated(6, 1, 2, 2)]), {
      width: 900,
      height: 600,
    });
    for (const p of resumed['vconcat'] as { layer: unknown[] }[]) expect(p.layer).toHaveLength(3);
  });
});

describe('fitSvg', () => {
  it('sets the root to the requested size and keeps the drawing in a viewBox of its own size', () => {
    const out = fitSvg('<svg xmlns="http://www.w3.org/2000/svg" width="741" height="559" viewBox="0 0 741 559"><rect/></svg>', { width: 400, height: 300 });
    expect(out).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="400" height="300" viewBox="0 0 741 559" preserveAspectRatio="xMidYMid meet">/);
    expect(out.endsWith('<rect/></svg>')).toBe(true);
  });
});
