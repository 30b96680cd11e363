import * as fs from 'node:fs';
import * as path from 'node:path';
import trainPlugin from '@nasx/estimator-train';
import gnnPlugin from '@nasx/search-space-gnn';
import planetoidPlugin from '@nasx/task-planetoid';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import plugin from './index';

/** A tiny graph in Planetoid's release layout (tools/scripts/planetoid-fixtures.py). */
const GRAPH = path.resolve(__dirname, '..', '..', 'task-planetoid', 'src', '__fixtures__', 'planetoid-raw');

// End to end: AGNN's children name their parent, the kernel hands it to train-graph, which starts
// them from the parent's weights where AGNN's homogeneity holds (kept in the run's state folder).
describe('agnn + train-graph in the kernel', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/searcher-agnn', definition: plugin },
        { name: '@nasx/search-space-gnn', definition: gnnPlugin },
        { name: '@nasx/task-planetoid', definition: planetoidPlugin },
        { name: '@nasx/estimator-train', definition: trainPlugin },
      ],
    });
  });
  afterAll(() => tk.cleanup());

  const config = (share: boolean, evaluations = 8) => ({
    task: { use: 'citeseer', options: { dataDir: GRAPH } },
    space: 'gnn',
    estimator: { use: 'train-graph', options: { epochs: 5, inheritEpochs: 2 } },
    searcher: { use: 'agnn', options: { initial: 2, share } },
    seed: 3,
    workers: 0,
    budget: { evaluations },
  });

  it('children inherit from their parent (the best so far) and train inheritEpochs; resume continues the same trials', async () => {
    const run = await tk.run(config(true));
    const evaluated = run.of('evaluated');
    expect(evaluated).toHaveLength(8);
    const children = evaluated.filter((e) => e.estimate.info?.['parent'] !== undefined);
    expect(children.length).toBeGreaterThanOrEqual(5);
    const inherited = children.filter((e) => (e.estimate.info?.['inherited'] as number) > 0);
    expect(inherited.length).toBeGreaterThan(0);
    for (const e of inherited) expect(e.estimate.fidelity?.epochs).toBe(2);
    expect(fs.readdirSync(path.join(run.runDir as string, 'state')).length).toBeGreaterThan(0);

    // Cut after 5 evaluations and resume: the same 8 trials, inheriting from the saved weights.
    const partial = await tk.run(config(true));
    const file = path.join(partial.runDir as string, 'events.ndjson');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    let n = 0;
    const cut = lines.findIndex((l) => l.includes('"type":"evaluated"') && ++n === 5);
    fs.writeFileSync(file, lines.slice(0, cut + 1).join('\n') + '\n');
    const resumed = await tk.resume(partial.runDir as string);
    const keys = (events: typeof run.events) => events.flatMap((e) => (e.type === 'evaluated' ? [e.arch.key] : []));
    const after = resumed.events.filter((e) => e.type === 'evaluated');
    expect(keys(after)).toEqual(keys(run.events).slice(5));
    expect(after.map((e) => (e.type === 'evaluated' ? e.estimate.metrics['val_acc'] : 0))).toEqual(
      evaluated.slice(5).map((e) => e.estimate.metrics['val_acc']),
    );
  }, 120_000);

  it('share: false trains every child from its initialisation', async () => {
    const run = await tk.run(config(false, 4));
    expect(run.of('evaluated').every((e) => e.estimate.info?.['parent'] === undefined)).toBe(true);
  }, 120_000);
});
