import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SearchEvent } from '@nasx/contracts';
import syntheticPlugin from '@nasx/estimator-synthetic';
import nb201Plugin from '@nasx/search-space-nb201';
import mnistPlugin from '@nasx/task-mnist';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// DARTS as a loop searcher in the kernel: per-epoch metrics and evaluations of the decoded cell,
// both orders, and a run stopped mid-search that resumes from its last finished epoch.
describe('darts in the kernel', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/searcher-darts', definition: plugin },
        { name: '@nasx/search-space-nb201', definition: nb201Plugin },
        { name: '@nasx/task-mnist', definition: mnistPlugin },
        { name: '@nasx/estimator-synthetic', definition: syntheticPlugin },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const config = (order: 'first' | 'second', epochs = 3) => ({
    task: { use: 'mnist', options: { limit: 400 } },
    space: 'nb201',
    estimator: 'synthetic',
    searcher: {
      use: 'darts',
      options: {
        order,
        epochs,
        batchSize: 16,
        trainLimit: 48,
        valLimit: 48,
        learningRate: 0.05,
        archLearningRate: 0.01,
        macro: { channels: 4, cellsPerStage: 1 },
      },
    },
    seed: 4,
    workers: 0,
    budget: { evaluations: 10 },
  });
  const metric = (events: readonly SearchEvent[], name: string) => events.flatMap((e) => (e.type === 'metric' && e.name === name ? [e.value] : []));
  const cells = (events: readonly SearchEvent[]) => events.flatMap((e) => (e.type === 'evaluated' ? [e.arch.key] : []));

  it.each(['first', 'second'] as const)(
    '%s order: an evaluation of the decoded cell and the training metrics per epoch; the searcher finishes on its own',
    async (order) => {
      const run = await tk.run(config(order));
      expect(run.of('evaluated')).toHaveLength(3);
      expect(metric(run.events, 'darts_train_loss')).toHaveLength(3);
      const entropy = metric(run.events, 'darts_alpha_entropy');
      // α starts near uniform (ln 5 = 1.609) and moves away from it.
      expect(entropy[0]).toBeLessThan(Math.log(5));
      expect(entropy[2]).toBeLessThan(entropy[0]!);
      expect(run.of('run-finished')[0]!.status).toBe('completed');
      expect(run.of('log').some((e) => /darts: epoch 3\/3 .*cell \|/.test(e.message))).toBe(true);
      expect(fs.existsSync(path.join(run.runDir as string, 'state', 'darts', 'darts.json'))).toBe(true);
    },
  );

  it('a run stopped after its second epoch resumes from the saved state: the same cells and the same epochs as without the stop', async () => {
    const whole = await tk.run(config('second'));
    const handle = await tk.kernel.start(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config('second') }), { persist: true, runsDir: tk.runsDir });
    await new Promise<void>((resolve, reject) => {
      let n = 0;
      handle.events$.subscribe({
        next: (e) => {
          if (e.type === 'evaluated' && ++n === 2) handle.stop();
        },
        error: reject,
        complete: resolve,
      });
    });
    const journal = fs.readFileSync(path.join(handle.runDir as string, 'events.ndjson'), 'utf8');
    const before = journal.split('\n').filter((l) => l.includes('"type":"evaluated"')).length;
    expect(before).toBe(2);
    const resumed = await tk.resume(handle.runDir as string);
    expect(cells(resumed.events)).toEqual(cells(whole.events).slice(2));
    expect(resumed.of('run-finished')[0]!.status).toBe('completed');
    const epochs = (dir: string) =>
      (
        JSON.parse(fs.readFileSync(path.join(dir, 'state', 'darts', 'darts.json'), 'utf8')) as {
          epochs: { arch: string; trainLoss: number; valLoss: number }[];
        }
      ).epochs;
    const [a, b] = [epochs(whole.runDir as string), epochs(handle.runDir as string)];
    expect(b.map((e) => e.arch)).toEqual(a.map((e) => e.arch));
    b.forEach((e, k) => {
      expect(e.trainLoss).toBeCloseTo(a[k]!.trainLoss, 5);
      expect(e.valLoss).toBeCloseTo(a[k]!.valLoss, 5);
    });
  });

  it('few-shot DARTS (split on edge 0): five sub-supernets, each with edge 0 pinned, searched in turn; the pick validates best', async () => {
    const base = config('first', 2);
    const run = await tk.run({ ...base, searcher: { ...base.searcher, options: { ...base.searcher.options, split: { edge: 0 } } } });
    const evaluated = run.of('evaluated');
    expect(evaluated).toHaveLength(10);
    const states = fs.readdirSync(path.join(run.runDir as string, 'state', 'darts')).sort();
    expect(states).toEqual(['sub-0', 'sub-1', 'sub-2', 'sub-3', 'sub-4']);
    const finals = states.map(
      (d) =>
        (
          JSON.parse(fs.readFileSync(path.join(run.runDir as string, 'state', 'darts', d, 'darts.json'), 'utf8')) as {
            epochs: { arch: string; valAccuracy: number }[];
          }
        ).epochs,
    );
    // Sub-supernet k's cells keep op k on edge 0.
    finals.forEach((epochs, k) => {
      expect(epochs).toHaveLength(2);
      expect(epochs[1]!.arch.startsWith(`|${['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'][k]}~0|`)).toBe(true);
    });
    const best = finals.reduce((a, b) => (b[1]!.valAccuracy > a[1]!.valAccuracy ? b : a));
    const finished = run.of('run-finished')[0]!;
    expect(finished.recommended?.arch.genotype).toEqual({
      ops: best[1]!.arch
        .match(/\|([a-z_0-9]+)~\d/g)!
        .map((m) => ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'].indexOf(m.slice(1, m.indexOf('~')))),
    });
    expect(run.of('log').some((e) => e.message.includes(`pick sub-`) && e.message.includes(best[1]!.arch))).toBe(true);
  });

  it('bad input: a restricted operation list is refused with the option to change', async () => {
    await expect(tk.run({ ...config('first'), space: { use: 'nb201', options: { ops: ['none', 'skip_connect', 'nor_conv_3x3'] } } })).rejects.toThrow(
      /relaxes every choice/,
    );
  });
});
