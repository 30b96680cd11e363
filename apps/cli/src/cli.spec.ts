import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithSharedData } from '@nasx/testing';
import { nasx, nasxInProcess, tempDir, WORKSPACE } from './cli-test-helpers';

describe('nasx CLI (as a user runs it)', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists plugins from manifests', () => {
    const r = nasx(['plugins']);
    expect(r.code).toBe(0);
    for (const id of ['nb201', 'tabular', 'synthetic', 'random', 'regularized-evolution']) expect(r.stdout).toMatch(new RegExp(`\\b${id}\\b`));
    const j = JSON.parse(nasx(['plugins', '--json']).stdout);
    expect(j.problems).toEqual([]);
    expect(j.plugins.find((p: { name: string }) => p.name === '@nasx/search-space-nb201').contributions[0].id).toBe('nb201');
  });

  it("prints the composed schema with each contribution's options", () => {
    const r = nasx(['schema']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    const searcher = s.properties.searcher.anyOf.find(
      (x: { properties?: { use?: { const?: string } } }) => x.properties?.use?.const === 'regularized-evolution',
    );
    expect(searcher.properties.options.properties.population.type).toBe('integer');
  });

  it('runs with --json: one search event per line, seed and overrides applied', () => {
    const r = nasx([
      'run',
      'examples/synthetic.yaml',
      '--json',
      '--seed',
      '7',
      '--set',
      'budget.evaluations=30',
      '--set',
      'searcher.options.population=8',
      '--runs-dir',
      dir,
    ]);
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ type: 'run-started', seed: 7, budget: { evaluations: 30 } });
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'budget-exhausted', evaluations: 30 });
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
    const saved = JSON.parse(fs.readFileSync(path.join(dir, events[0].runId, 'config.json'), 'utf8'));
    expect(saved.config.searcher).toEqual({ use: 'regularized-evolution', options: { population: 8, sampleSize: 5 } });
    expect(saved.config.seed).toBe(7);
  });

  it('prints progress lines and a summary table without a TTY, and reports a finished run', () => {
    const r = nasx(['run', 'examples/synthetic.yaml', '--runs-dir', dir, '--set', 'budget.evaluations=50']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/started run synthetic-/);
    expect(r.stderr).toMatch(/50\/50 evaluations/);
    expect(r.stdout).toMatch(/budget-exhausted/);
    expect(r.stdout).toMatch(/best \(trial \d+\): \|/);
    expect(r.stdout).toMatch(/Synthetic objective \(not an accuracy\)/);
    const runDir = r.stdout.match(/run folder: (\S+)/)?.[1] as string;
    const rep = nasx(['report', path.resolve(WORKSPACE, runDir)]);
    expect(rep.code).toBe(0);
    expect(rep.stdout).toMatch(/budget used: 50\/50 evaluations/);
    expect(rep.stdout).toMatch(/best-so-far trajectory/);
    expect(rep.stdout).toMatch(/top 10\n\s+rank\s+trial\s+synthetic\s+architecture\n[─\s]*\n\s+1\s+\d+\s+[\d.]+\s+\|/);
    const json = JSON.parse(nasx(['report', path.resolve(WORKSPACE, runDir), '--json', '--top', '3']).stdout);
    expect(json.evaluations).toBe(50);
    expect(json.best.text).toMatch(/^\|.*\|$/);
    expect(json.top).toHaveLength(3);
    expect(json.top[0].text).toBe(json.best.text);
    // a finished run cannot be resumed
    const again = nasx(['resume', path.resolve(WORKSPACE, runDir)]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already finished/);
  });

  it('validates a good config, with --quiet run printing only the summary', () => {
    expect(nasx(['validate', 'examples/synthetic.yaml']).stdout).toMatch(/valid \(space=nb201, estimator=synthetic, searcher=regularized-evolution/);
    const q = nasx(['run', 'examples/synthetic.yaml', '--quiet', '--runs-dir', dir, '--set', 'budget.evaluations=10']);
    expect(q.stderr).toBe('');
    expect(q.stdout).toMatch(/^run synthetic-/);
  });

  it('scores a list of architectures to CSV and JSON lines (a journaled run of the list searcher)', () => {
    const archs = path.join(dir, 'archs.txt');
    fs.writeFileSync(
      archs,
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|\n# a comment\n\n|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n',
    );
    const out = path.join(dir, 'scores.csv');
    const r = nasx(['score', '--estimator', 'synthetic', '--archs', archs, '-o', out, '--runs-dir', dir]);
    expect(r.code).toBe(0);
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('arch,score,seconds,synthetic');
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(/^\|nor_conv_3x3~0\|/);
    expect(Number(rows[1]?.split(',')[1])).toBeGreaterThan(Number(rows[2]?.split(',')[1]));
    const jsonl = nasx([
      'score',
      '--estimator',
      'synthetic',
      '|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|',
      '--no-journal',
      '-q',
    ]);
    expect(jsonl.code).toBe(0);
    expect(jsonl.stdout.split('\n')[0]).toMatch(/^arch,score,seconds,synthetic$/);
  });

  it('exits 1 from nasx score when some architectures could not be scored, writing the others', () => {
    // Two of these 30 cells score NaN with the fixture estimator (a NaN objective fails the trial).
    const ops = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'];
    let r = 1;
    const next = (): string => ops[(r = (r * 1103515245 + 12345) % 2147483648) % 5] as string;
    const cells = Array.from({ length: 30 }, () => {
      const o = Array.from({ length: 6 }, next);
      return `|${o[0]}~0|+|${o[1]}~0|${o[2]}~1|+|${o[3]}~0|${o[4]}~1|${o[5]}~2|`;
    });
    const d = tempDir({ 'archs.txt': cells.join('\n') + '\n' });
    const plugin = path.join(__dirname, '__fixtures__', 'non-finite-plugin');
    const res = nasx([
      'score',
      '--estimator',
      'non-finite',
      '--set',
      `plugins=[${JSON.stringify(plugin)}]`,
      '--archs',
      path.join(d, 'archs.txt'),
      '-o',
      path.join(d, 's.csv'),
      '--runs-dir',
      path.join(d, 'runs'),
      '-q',
    ]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/nasx score: 2 architecture\(s\) could not be scored/);
    expect(res.stderr.match(/failed: the objective metric "score" is NaN/g)).toHaveLength(2);
    // header + 28 scored cells
    expect(fs.readFileSync(path.join(d, 's.csv'), 'utf8').trim().split('\n')).toHaveLength(29);
  });

  it('brings every standard plugin when run outside the workspace (discovery from its own dependencies)', () => {
    // A project of the user's, anywhere: only the CLI's own dependencies provide plugins.
    const d = tempDir({ 'package.json': JSON.stringify({ name: 'someone-elses-project', private: true }) });
    const listed = JSON.parse(nasx(['plugins', '--json'], { cwd: d }).stdout) as { plugins: { name: string }[] };
    const standard = fs
      .readdirSync(path.join(WORKSPACE, 'plugins'))
      .map((dir) => JSON.parse(fs.readFileSync(path.join(WORKSPACE, 'plugins', dir, 'package.json'), 'utf8')).name as string);
    expect(listed.plugins.map((p) => p.name).sort()).toEqual(expect.arrayContaining(standard.sort()));
    // The quick start's contributions (mnist, naswot, train, AREA) resolve from there too.
    const v = nasx(['validate', path.join(WORKSPACE, 'examples', 'quickstart.yaml'), '--static'], { cwd: d });
    expect({ code: v.code, stderr: v.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/unknown/) });
  });

  it('runs a plugin written as an ES module with top-level await (loaded through import())', () => {
    const plugin = path.join(__dirname, '__fixtures__', 'esm-plugin');
    const d = tempDir({
      'esm.yaml': `plugins: [${JSON.stringify(plugin)}]\nspace: nb201\nestimator: synthetic\nsearcher: esm-random\nbudget: { evaluations: 3 }\n`,
    });
    const r = nasx(['run', 'esm.yaml', '--json', '--quiet', '--no-journal'], { cwd: d });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').filter((l) => l.includes('"type":"evaluated"'))).toHaveLength(3);
  });

  it('has --help on every command and exits 2 on unknown commands', () => {
    for (const c of ['run', 'resume', 'report', 'validate', 'plugins', 'schema', 'evaluate', 'score']) {
      const r = nasx([c, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: nasx/);
    }
    const bad = nasx(['frobnicate']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown command/);
  });
});

describeWithSharedData('every example config validates (plugins created, data found)', 'nas-bench-101', (dataDir) => {
  const examples = fs.readdirSync(path.join(WORKSPACE, 'examples')).filter((f) => f.endsWith('.yaml'));

  it.each(examples)('%s', async (file) => {
    const r = await nasxInProcess(['validate', path.join(WORKSPACE, 'examples', file), '--data-dir', dataDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/valid \(space=/);
  });

  it('covers the methods the examples are for', () => {
    expect(examples).toEqual(expect.arrayContaining(['quickstart.yaml', 'nb201-rea.yaml', 'nb201-naswot.yaml', 'nb101-renas.yaml', 'nb101-ctnas.yaml']));
  });
});
