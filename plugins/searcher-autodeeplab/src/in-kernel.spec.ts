import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SearchEvent } from '@nasx/contracts';
import syntheticPlugin from '@nasx/estimator-synthetic';
import spacePlugin from '@nasx/search-space-autodeeplab';
import camvidPlugin from '@nasx/task-camvid';
import mnistPlugin from '@nasx/task-mnist';
import nb360Plugin from '@nasx/task-nb360';
import { adlGenotype } from '@nasx/tensor';
import { describeWithSharedData, startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

// Auto-DeepLab as a loop searcher in the kernel, on the real samples: Darcy flow (per-pixel
// regression, NAS-Bench-360's 16×16 sample) and CamVid (segmentation); a run stopped mid-search
// resumes from its last finished epoch with α, β and the weights intact; bad input.
describeWithSharedData('autodeeplab in the kernel', 'nas-bench-360-samples', (root) => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/searcher-autodeeplab', definition: plugin },
        { name: '@nasx/search-space-autodeeplab', definition: spacePlugin },
        { name: '@nasx/task-nb360', definition: nb360Plugin },
        { name: '@nasx/task-camvid', definition: camvidPlugin },
        { name: '@nasx/task-mnist', definition: mnistPlugin },
        { name: '@nasx/estimator-synthetic', definition: syntheticPlugin },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const config = (epochs = 3, evaluate: 'epoch' | 'end' = 'epoch') => ({
    task: { use: 'darcy', options: { source: 'sample', dataDir: path.join(root, 'nas-bench-360-samples'), limit: 64 } },
    space: { use: 'autodeeplab', options: { blocks: 2, layers: 3 } },
    estimator: 'synthetic',
    searcher: {
      use: 'autodeeplab',
      options: {
        epochs,
        warmupEpochs: 1,
        batchSize: 4,
        trainLimit: 16,
        archLearningRate: 0.05,
        evaluate,
        macro: { filterMultiplier: 2, stemChannels: 4, asppChannels: 4, asppRate: 8 },
      },
    },
    seed: 3,
    workers: 0,
    budget: { evaluations: 10 },
  });
  const metric = (events: readonly SearchEvent[], name: string) => events.flatMap((e) => (e.type === 'metric' && e.name === name ? [e.value] : []));
  const archs = (events: readonly SearchEvent[]) => events.flatMap((e) => (e.type === 'evaluated' ? [e.arch.key] : []));
  const epochsOf = (dir: string) =>
    (
      JSON.parse(fs.readFileSync(path.join(dir, 'state', 'autodeeplab', 'autodeeplab.json'), 'utf8')) as {
        epochs: { arch: string; trainLoss: number; archLoss: number | null; alphaEntropy: number; betaEntropy: number }[];
      }
    ).epochs;

  // The uninterrupted run, which the resume test compares against.
  let whole: Awaited<ReturnType<TestKernel['run']>>;

  it('Darcy flow (per-pixel regression): warm-up then architecture steps, a valid decoded cell and path per epoch, α and β moving', async () => {
    const run = (whole = await tk.run(config()));
    expect(run.of('run-finished')[0]!.status).toBe('completed');
    const evaluated = run.of('evaluated');
    expect(evaluated).toHaveLength(3);
    for (const e of evaluated) {
      const g = adlGenotype(e.arch);
      expect(g.cell).toHaveLength(2);
      expect(g.path).toHaveLength(3);
    }
    expect(metric(run.events, 'adl_train_loss')).toHaveLength(3);
    // No architecture step in the warm-up epoch.
    expect(metric(run.events, 'adl_arch_loss')).toHaveLength(2);
    const alpha = metric(run.events, 'adl_alpha_entropy');
    const beta = metric(run.events, 'adl_beta_entropy');
    expect(alpha[2]).toBeLessThan(alpha[0]!);
    expect(beta[2]).toBeLessThan(beta[0]!);
    expect(run.of('log').some((e) => /autodeeplab: epoch 1\/3 \(warm-up\)/.test(e.message))).toBe(true);
    expect(run.of('log').some((e) => /autodeeplab: epoch 3\/3 .*architecture loss .*path 4-/.test(e.message))).toBe(true);
  });

  it('a run stopped after its second epoch resumes from the saved state: the same architectures, losses and entropies as without the stop', async () => {
    const handle = await tk.kernel.start(tk.kernel.loadConfigObject({ runsDir: tk.runsDir, ...config() }), { persist: true, runsDir: tk.runsDir });
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
    expect(epochsOf(handle.runDir as string)).toHaveLength(2);
    const resumed = await tk.resume(handle.runDir as string);
    expect(archs(resumed.events)).toEqual(archs(whole.events).slice(2));
    expect(resumed.of('run-finished')[0]!.status).toBe('completed');
    // Only the current checkpoint's files are left in the state folder.
    const state = path.join(handle.runDir as string, 'state', 'autodeeplab');
    const manifest = JSON.parse(fs.readFileSync(path.join(state, 'autodeeplab.json'), 'utf8')) as Record<string, { file: string }>;
    expect(
      fs
        .readdirSync(state)
        .filter((f) => f.endsWith('.bin'))
        .sort(),
    ).toEqual([manifest['weights']!.file, manifest['momentum']!.file, manifest['arch']!.file].sort());
    const [a, b] = [epochsOf(whole.runDir as string), epochsOf(handle.runDir as string)];
    expect(b.map((e) => e.arch)).toEqual(a.map((e) => e.arch));
    // The loss to 3 decimals: the in-process kernels' float rounding depends on the CPU (oneDNN picks
    // its code by instruction set), and on some CPUs a resumed epoch's mean loss moves in the 5th digit.
    b.forEach((e, k) => {
      expect(e.trainLoss).toBeCloseTo(a[k]!.trainLoss, 3);
      expect(e.alphaEntropy).toBeCloseTo(a[k]!.alphaEntropy, 5);
      expect(e.betaEntropy).toBeCloseTo(a[k]!.betaEntropy, 5);
    });
  });

  it('bad input: a classification task, another space, a warm-up as long as the search', async () => {
    await expect(tk.run({ ...config(), task: { use: 'mnist', options: { limit: 40 } } })).rejects.toThrow(/needs a dense-prediction image task/);
    await expect(tk.run({ ...config(), space: 'toy' })).rejects.toThrow(/searches the autodeeplab space, got "toy"/);
    const c = config(2);
    await expect(tk.run({ ...c, searcher: { ...c.searcher, options: { ...c.searcher.options, warmupEpochs: 2 } } })).rejects.toThrow(
      /warmupEpochs is 2, and epochs is 2/,
    );
  });
});

describeWithSharedData('autodeeplab on CamVid', 'camvid-small', (root) => {
  it('searches the real sample (90×120, 11 classes) and decodes a valid network path and cell', async () => {
    const tk = startTestKernel({
      plugins: [
        { name: '@nasx/searcher-autodeeplab', definition: plugin },
        { name: '@nasx/search-space-autodeeplab', definition: spacePlugin },
        { name: '@nasx/task-camvid', definition: camvidPlugin },
        { name: '@nasx/estimator-synthetic', definition: syntheticPlugin },
      ],
    });
    try {
      const run = await tk.run({
        task: { use: 'camvid', options: { dataDir: root, limit: 16, validationSize: 8 } },
        space: { use: 'autodeeplab', options: { blocks: 2, layers: 3 } },
        estimator: 'synthetic',
        searcher: {
          use: 'autodeeplab',
          options: { epochs: 1, warmupEpochs: 0, batchSize: 4, trainLimit: 8, macro: { filterMultiplier: 2, stemChannels: 4, asppChannels: 4 } },
        },
        seed: 1,
        workers: 0,
        budget: { evaluations: 1 },
      });
      const [e] = run.of('evaluated');
      const g = adlGenotype(e!.arch);
      expect(g.path[0]).toBeLessThanOrEqual(1);
      g.path.forEach((s, l) => l > 0 && expect(Math.abs(s - g.path[l - 1]!)).toBeLessThanOrEqual(1));
      expect(g.cell.every((b) => b[0] !== b[2] && b[1] > 0 && b[3] > 0)).toBe(true);
    } finally {
      tk.cleanup();
    }
  });
});
