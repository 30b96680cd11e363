import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithSharedData } from '@nasx/testing';
import { nasxInProcess, tempDir } from '../cli-test-helpers';
import { tauPlot } from './predictors.command';

// `nasx predictors bench` through the built CLI, kept tiny (one predictor with few epochs, small
// sizes, a small held-out set); the full protocol is the default flags.
describeWithSharedData('nasx predictors bench (reference data)', 'nas-bench-201', (dataDir) => {
  it('labels NB201 with the tabular estimator, fits gcn and the baselines, writes json/md/svg and prints the table', async () => {
    const out = tempDir();
    const r = await nasxInProcess([
      'predictors',
      'bench',
      '--predictors',
      'gcn',
      '--sizes',
      '10,30',
      '--seeds',
      '2',
      '--test',
      '200',
      '--set',
      'estimators.gcn.options.epochs=10',
      '--data-dir',
      dataDir,
      '--out',
      out,
    ]);
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    // The terminal gets plain tables that fit its width (COLUMNS, else 100); the .md file the Markdown.
    expect(r.stdout).toMatch(/^predictor benchmark: nb201, labels tabular \(test_acc@200\)/);
    expect(r.stdout).toMatch(/^ {2}n {3}gcn\s+ridge\s+random$/m);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(100);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'predictors-bench.json'), 'utf8'));
    expect(json.setup).toMatchObject({ space: 'nb201', pool: 15625, sizes: [10, 30], seeds: 2, test: 200 });
    expect(json.runs).toHaveLength(2 * 2 * 3);
    const at = (method: string, n: number) => json.summary.find((s: { method: string; n: number }) => s.method === method && s.n === n);
    // Learned predictors and ridge rank far better than chance; the random ranking is near 0.
    expect(at('gcn', 30).tauMean).toBeGreaterThan(0.3);
    expect(at('ridge', 30).tauMean).toBeGreaterThan(0.2);
    expect(Math.abs(at('random', 30).tauMean)).toBeLessThan(0.15);
    const md = fs.readFileSync(path.join(out, 'predictors-bench.md'), 'utf8');
    expect(md).toMatch(/^# Predictor benchmark: nb201, labels tabular \(test_acc@200\)/);
    expect(md).toMatch(/\| n \| gcn \| ridge \| random \|/);
    const svg = fs.readFileSync(path.join(out, 'predictors-bench.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg.match(/<polyline /g)).toHaveLength(3);
  }, 60_000);

  it('--config takes the space, labels, seed and predictor options from a run config', async () => {
    const dir = tempDir({
      'bench.yaml': [
        'seed: 4',
        'space: { use: nb201, options: { ops: [skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3] } }',
        'estimator: { use: tabular, options: { dataset: cifar100, metric: test_acc, epochs: 200, report: [] } }',
        'estimators:',
        '  gcn: { use: gcn, options: { epochs: 8, hidden: 16, mlpHidden: 16 } }',
        'searcher: { use: predictor-guided, options: { predictor: gcn } }',
        'objective: test_acc@200',
        'budget: { evaluations: 50 }',
      ].join('\n'),
    });
    const out = path.join(dir, 'out');
    /** `nasx predictors bench --config <dir>/<config> …` on the reference data, into `out`. */
    const bench = (config: string, ...extra: string[]) =>
      nasxInProcess(['predictors', 'bench', '--config', path.join(dir, config), ...extra, '--data-dir', dataDir, '--out', out]);
    const r = await bench('bench.yaml', '--predictors', 'gcn', '--sizes', '20', '--seeds', '1', '--test', '300');
    expect(r.stderr).not.toMatch(/error/);
    expect(r.code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'predictors-bench.json'), 'utf8'));
    // 4,096 cells without `none` (the space's ops option), CIFAR-100 labels, the file's gcn options.
    expect(json.setup).toMatchObject({
      space: 'nb201',
      pool: 4096,
      labels: { metric: 'test_acc@200', options: { dataset: 'cifar100' } },
      config: path.join(dir, 'bench.yaml'),
    });
    expect(json.setup.options.gcn).toMatchObject({ epochs: 8, hidden: 16, mlpHidden: 16 });
    expect(r.stderr).toMatch(/labelled 4096 of 4096 architectures of nb201 with tabular/);
    expect(json.runs.map((x: { method: string }) => x.method)).toEqual(['gcn', 'ridge', 'random']);

    fs.writeFileSync(
      path.join(dir, 'wrong.yaml'),
      'space: nb201\nestimator: { use: tabular }\nestimators: { gcn: { use: renas } }\nsearcher: random\nbudget: { evaluations: 10 }\n',
    );
    const w = await bench('wrong.yaml', '--predictors', 'gcn');
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/estimators\.gcn uses "renas", not the predictor "gcn"/);
    const both = await bench('bench.yaml', '--space', 'nb101');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/--space and --config both give/);
  }, 60_000);

  it.each([
    [['--predictors', 'gcnn'], /unknown estimator "gcnn"[\s\S]*did you mean "gcn"/],
    [['--predictors', 'synthetic'], /"synthetic" is an estimator but not a predictor/],
    [['--space', 'nb2011'], /unknown search-space "nb2011"/],
    [['--sizes', '2'], /training size 2 is below gcn's minimum of 10/],
  ])(
    'refuses %j in one paragraph with exit code 2',
    async (args, message) => {
      const r = await nasxInProcess([
        'predictors',
        'bench',
        '--predictors',
        'gcn',
        '--sizes',
        '10',
        '--seeds',
        '1',
        '--test',
        '20',
        '--data-dir',
        dataDir,
        '--out',
        tempDir(),
        ...args,
      ]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/);
    },
    30_000,
  );
});

describe('nasx predictors', () => {
  it('refuses an unknown action and a missing data directory with exit code 2 and no stack trace', async () => {
    const a = await nasxInProcess(['predictors', 'compare']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/unknown action "predictors compare"[\s\S]*Fix: use "nasx predictors bench"/);
    const d = await nasxInProcess([
      'predictors',
      'bench',
      '--predictors',
      'gcn',
      '--sizes',
      '10',
      '--data-dir',
      path.join(tempDir(), 'missing'),
      '--out',
      tempDir(),
    ]);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/error \(data\)[\s\S]*does not exist/);
    expect(d.stderr).not.toMatch(/\bat .*\.js:\d+/);
  }, 30_000);

  it('plots τ against n on a log scale, one line per method', async () => {
    const summary = ['a', 'b'].flatMap((method, i) =>
      [10, 100].map((n) => ({ method, n, tauMean: 0.1 * (i + 1) * Math.log10(n), tauStd: 0.05, rhoMean: 0, rhoStd: 0 })),
    );
    const svg = tauPlot(['a', 'b'], [10, 100], summary, 'τ <test>');
    expect(svg).toContain('τ &lt;test&gt;');
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    // log scale: n = 10 at the left edge of the plot area, n = 100 at the right
    expect(svg).toContain('<text x="60.0" y="368" text-anchor="middle">10</text>');
    expect(svg).toContain('<text x="510.0" y="368" text-anchor="middle">100</text>');
  });
});
