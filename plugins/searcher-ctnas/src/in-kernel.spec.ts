import nb201 from '@nasx/search-space-nb201';
import tabular from '@nasx/estimator-tabular';
import ctnasComparator from '@nasx/estimator-ctnas';
import { describeWithSharedData, startNb201TestKernel, type Nb201TestKernel } from '@nasx/testing';
import plugin from './index';

// End to end through the kernel: NAS-Bench-201, the tabular estimator measures the proposals, the
// named `ctnas` comparator fits itself in prepare() on 100 cells labelled by the same table, and
// the controller proposes, updates its baseline and finishes.
describeWithSharedData('ctnas searcher in the kernel (NAS-Bench-201, tabular)', 'nas-bench-201', (dataDir) => {
  let tk: Nb201TestKernel;
  beforeAll(() => {
    tk = startNb201TestKernel(dataDir, { nb201, tabular, more: { '@nasx/estimator-ctnas': ctnasComparator, '@nasx/searcher-ctnas': plugin } });
  });
  afterAll(() => tk.cleanup());

  it('proposes, updates its baseline by the comparator and finishes', async () => {
    const table = { use: 'tabular', options: { dataset: 'cifar10', metric: 'val_acc', epochs: 12 } };
    const run = await tk.run(
      tk.config({
        seed: 1,
        tabular: table.options,
        estimators: {
          truth: table,
          comparator: {
            use: 'ctnas',
            options: { labels: { estimator: 'truth', samples: 100 }, epochs: 10, hidden: 32, mlpHidden: 32, pairsPerEpoch: 512, seed: 0 },
          },
        },
        searcher: { use: 'ctnas', options: { comparator: 'comparator', stepsPerProposal: 10, baselineInterval: 20 } },
        objective: 'val_acc@12',
        budget: { evaluations: 12 },
      }),
      { persist: false },
    );
    expect(run.report.evaluations).toBe(12);
    expect(run.of('run-finished')).toHaveLength(1);
    const logs = run.of('log').map((e) => (e as { message?: string }).message ?? '');
    expect(logs.some((m) => /ctnas: fitted the comparator/.test(m))).toBe(true);
    expect(logs.some((m) => /baseline updated to/.test(m))).toBe(true);
    // The run reports the controller's final baseline as the searcher's pick, with its measurement
    // (every new baseline is proposed, so it was evaluated).
    const updates = logs.flatMap((m) => /baseline updated to (\S+) \(/.exec(m)?.[1] ?? []);
    const fin = run.of('run-finished')[0] as import('@nasx/contracts').RunFinishedEvent;
    expect(fin.recommended?.arch.key).toBe(updates[updates.length - 1]);
    const measured = run
      .of('evaluated')
      .find((e) => (e as import('@nasx/contracts').EvaluatedEvent).arch.key === fin.recommended!.arch.key) as import('@nasx/contracts').EvaluatedEvent;
    expect(fin.recommended).toMatchObject({ trial: measured.trial, estimate: measured.estimate });
  }, 60_000);
});
