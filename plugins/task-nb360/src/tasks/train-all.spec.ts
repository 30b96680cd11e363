/**
 * Every NAS-Bench-360 task trains end to end: a network built for its shapes (the Wide ResNet
 * baseline and an NB201 cell network) takes training steps on its batches with its loss, predicts
 * its test split, and the task scores the predictions with its metric. Synthetic data, tiny sizes:
 * this checks the plumbing of each task (shapes, targets, loss, metric), not what it learns.
 */
import type { Architecture } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { buildNetwork, initTensorBackend, predictNetwork, trainNetwork, wrnArchitecture } from '@nasx/tensor';
import { testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import type { Nb360Task } from '../common/nb360-task';
import { NB360_TASKS } from '../index';

/** An NB201 cell with every kind of operation (op indices: none, skip, conv 1×1, conv 3×3, avg pool). */
const CELL: Architecture = { space: 'nb201', genotype: { ops: [3, 1, 2, 4, 0, 3] }, key: 'nb201:train-all' };

describe('each NAS-Bench-360 task trains, predicts and scores end to end (synthetic data)', () => {
  beforeAll(async () => {
    await initTensorBackend();
  });

  it.each(NB360_TASKS.map((t) => [t.id, t] as const))(
    '%s',
    async (_id, contribution) => {
      const task = (await contribution.create(validatedOptions(schema, { source: 'synthetic', syntheticSize: 8 }) as never, testDeps(0) as never)) as Nb360Task;
      for (const arch of [wrnArchitecture(10, 1), CELL]) {
        const net = buildNetwork(arch, {
          numClasses: task.numClasses,
          inputShape: task.inputShape,
          outputShape: task.outputShape,
          seed: 0,
          ...(arch.space === 'nb201' ? { macro: { channels: 4, cellsPerStage: 1 } } : {}),
        });
        try {
          const trained = await trainNetwork(net, task.splits.train, {
            steps: 2,
            batchSize: 4,
            learningRate: 0.01,
            weightDecay: 0,
            loss: task.loss,
            rng: createRng(0).fork('order'),
          });
          expect(trained.steps).toBe(2);
          expect(Number.isFinite(trained.loss)).toBe(true);
          const p = await predictNetwork(net, task.splits.test!, { loss: task.loss, microBatchSize: trained.microBatchSize });
          expect(p.samples).toBe(task.splits.test!.size);
          expect(p.outputSize).toBe(task.outputShape.reduce((a, b) => a * b, 1));
          const value = task.scoreSplit(p, 'test');
          expect(Number.isFinite(value)).toBe(true);
          expect(Number.isFinite(task.paperForm(value))).toBe(true);
        } finally {
          net.dispose();
        }
      }
    },
    120_000,
  );
});
