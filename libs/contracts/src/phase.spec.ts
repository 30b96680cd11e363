import type { EventDraft, PhaseEvent } from './events';
import { phaseReporter, reportPhase } from './events';

describe('phaseReporter', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('sends the start at once, updates at most every minIntervalMs, always the last unit, and the end once', () => {
    const sent: PhaseEvent[] = [];
    const ctx = { emit: (d: EventDraft) => sent.push(d as unknown as PhaseEvent), trial: 4 };
    const phase = phaseReporter(ctx, 'training trial 4', { total: 1000, unit: 'steps', source: 'train' });
    for (let step = 1; step <= 1000; step++) {
      jest.advanceTimersByTime(1); // a step a millisecond: one second in all
      phase.update(step);
    }
    phase.end();
    phase.end();
    phase.update(1000);
    const done = sent.map((e) => e.done);
    expect(done[0]).toBe(0);
    expect(done.at(-2)).toBe(1000);
    // 1 s at ≥ 250 ms apart: the start, 4 updates and the end.
    expect(sent).toHaveLength(6);
    expect(sent.at(-1)).toMatchObject({ type: 'phase', label: 'training trial 4', ended: true, trial: 4, source: 'train', unit: 'steps', total: 1000 });
    expect(sent.every((e) => e.trial === 4)).toBe(true);
  });

  it('reportPhase leaves out what is not given', () => {
    const sent: EventDraft[] = [];
    reportPhase({ emit: (d) => sent.push(d) }, 'fitting gcn');
    expect(sent).toEqual([{ type: 'phase', label: 'fitting gcn' }]);
  });
});
