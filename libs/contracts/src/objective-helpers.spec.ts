import { isNasxError } from './errors';
import { requireScalarObjective, scalarObjective } from './objective-helpers';

describe('objective helpers for single-objective searchers', () => {
  const where = { pkg: '@nasx/searcher-x', contribution: 'x' };

  it('requireScalarObjective accepts one dimension and refuses more with a config error naming the fix', () => {
    expect(() => requireScalarObjective({ label: 'maximize val_acc', dimensions: 1, metrics: ['val_acc'] }, where)).not.toThrow();
    let error: unknown;
    try {
      requireScalarObjective({ label: 'multi', dimensions: 2, metrics: ['val_acc', 'params'] }, where);
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error)).toBe(true);
    expect(error).toMatchObject({ kind: 'config', where: { ...where, pointer: '/objective' }, fix: expect.stringContaining('multi-objective') });
  });

  it('scalarObjective unwraps numbers and 1-vectors, maps failures and NaN to undefined, refuses longer vectors', () => {
    expect(scalarObjective(0.5, 'x')).toBe(0.5);
    expect(scalarObjective([0.75], 'x')).toBe(0.75);
    expect(scalarObjective(-0, 'x')).toBe(-0);
    expect(scalarObjective(null, 'x')).toBeUndefined();
    expect(scalarObjective(Number.NaN, 'x')).toBeUndefined();
    expect(scalarObjective([Number.NaN], 'x')).toBeUndefined();
    expect(() => scalarObjective([1, 2], 'x')).toThrow(expect.objectContaining({ kind: 'run', message: expect.stringContaining('2-dimensional') }));
  });
});
