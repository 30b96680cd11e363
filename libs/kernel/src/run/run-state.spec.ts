import type { Architecture, EvaluatedEvent } from '@nasx/contracts';
import { createObjective } from '../objective/objective';
import { ReportBuilder } from './report';
import { RunState } from './run-state';

const arch = (key: string): Architecture => ({ space: 'toy', genotype: { key }, key });
const evaluated = (trial: number, key: string, value: number): EvaluatedEvent =>
  ({
    type: 'evaluated',
    runId: 'r',
    seq: trial,
    time: 0,
    trial,
    arch: arch(key),
    estimate: { metrics: { score: value }, cost: { seconds: 0 } },
    objective: value,
    evaluations: trial + 1,
  }) as EvaluatedEvent;

function stateWith(recommend?: () => Architecture | undefined): RunState {
  const s = new RunState(
    'r',
    createObjective({ metric: 'score', direction: 'maximize' } as never, [{ name: 'score', direction: 'maximize' }]),
    { failures: 0 },
    recommend,
  );
  [evaluated(0, 'a', 1), evaluated(1, 'b', 3), evaluated(2, 'a', 1)].forEach((e) => s.observe(e));
  return s;
}

describe("RunState: the searcher's recommendation in run-finished", () => {
  it('carries the pick with its first measurement, next to the best measured trial', () => {
    const fin = stateWith(() => arch('a')).finish('completed', 'done');
    expect(fin.best?.arch.key).toBe('b');
    expect(fin.recommended).toEqual({ trial: 0, arch: arch('a'), objective: 1, estimate: { metrics: { score: 1 }, cost: { seconds: 0 } } });
  });

  it('carries an unevaluated pick alone, and nothing without recommend() or when it throws or returns nothing', () => {
    expect(stateWith(() => arch('z')).finish('completed', 'done').recommended).toEqual({ arch: arch('z') });
    expect(stateWith().finish('completed', 'done')).not.toHaveProperty('recommended');
    expect(stateWith(() => undefined).finish('completed', 'done')).not.toHaveProperty('recommended');
    expect(
      stateWith(() => {
        throw new Error('broken');
      }).finish('failed', 'x'),
    ).not.toHaveProperty('recommended');
  });
});

describe('ReportBuilder: the recommendation in the report', () => {
  it('takes it from run-finished, formatted like the best', () => {
    const s = stateWith(() => arch('a'));
    const b = new ReportBuilder();
    [evaluated(0, 'a', 1), evaluated(1, 'b', 3), s.finish('completed', 'done')].forEach((e) => b.add(e));
    const r = b.build((x) => `<${x.key}>`);
    expect(r.best).toMatchObject({ trial: 1, text: '<b>' });
    expect(r.recommended).toMatchObject({ trial: 0, objective: 1, text: '<a>' });
    expect(new ReportBuilder().build()).not.toHaveProperty('recommended');
  });
});
