import * as fs from 'node:fs';
import { formatNasxError, isNasxError } from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import { tempDir, writeSyntheticBinary } from './cifar10/__fixtures__/synthetic-cifar10';
import plugin from './index';

// Through the kernel: the data directory comes from the config (or NASX_DATA), create() finds the
// files before the search starts, and a missing folder is a one-paragraph data error.
describe('cifar10 task in the kernel (toy plugin, synthetic binary data)', () => {
  let tk: TestKernel;
  const root = tempDir();
  writeSyntheticBinary(root);
  beforeAll(() => {
    tk = startTestKernel({ plugins: [{ name: '@nasx/task-cifar10', definition: plugin }] });
  });
  afterAll(() => {
    tk.cleanup();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("runs with the config's dataDir", async () => {
    const run = await tk.run({
      space: 'toy',
      estimator: 'toy-score',
      searcher: 'toy-hill-climber',
      dataDir: root,
      task: { use: 'cifar10', options: { augment: true } },
      seed: 1,
      budget: { evaluations: 2 },
    });
    expect(run.report.evaluations).toBe(2);
  }, 30_000);

  it('a missing data folder stops the run before it starts, naming the folder, the files and the fix', async () => {
    let error: unknown;
    try {
      await tk.run({
        space: 'toy',
        estimator: 'toy-score',
        searcher: 'toy-hill-climber',
        dataDir: `${root}/nowhere`,
        task: 'cifar10',
        budget: { evaluations: 1 },
      });
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error)).toBe(true);
    const text = formatNasxError(error as never);
    expect(text).toMatch(/^error \(data\): .*at \/task, package @nasx\/task-cifar10, contribution "cifar10": the data directory .*nowhere does not exist/);
    expect(text).toContain('data_batch_1.bin');
    expect(text).toMatch(/Fix: get the official binary version with "nasx data fetch cifar10 --data-dir <dir>", then set NASX_DATA/);
  });
});
