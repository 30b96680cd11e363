import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// Through the kernel: the options schema composes into the run config, create() and load() run
// before the search starts.
describe('mnist task in the kernel (toy plugin)', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: '@nasx/task-mnist', definition: plugin }] });
  });
  afterAll(() => tk.cleanup());

  it('runs with the task selected and its options validated', async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      searcher: 'toy-hill-climber',
      task: { use: 'mnist', options: { limit: 300 } },
      seed: 1,
      budget: { evaluations: 3 },
    });
    expect(run.report.evaluations).toBe(3);
    expect(run.of('run-finished')[0]?.status).not.toBe('failed');
  }, 30_000);

  it('refuses an unknown option with a config error at its pointer', async () => {
    await expect(
      tk.run({
        space: 'toy',
        estimator: 'toy-score',
        searcher: 'toy-hill-climber',
        task: { use: 'mnist', options: { valFraction: 0.1 } },
        budget: { evaluations: 1 },
      }),
    ).rejects.toMatchObject({
      kind: 'config',
      where: { pointer: '/task/options/valFraction', pkg: '@nasx/task-mnist' },
    });
  });
});
