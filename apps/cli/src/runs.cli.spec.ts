import * as fs from 'node:fs';
import * as path from 'node:path';
import { nasx, tempDir, WORKSPACE } from './cli-test-helpers';

// nasx runs, nasx compare and nasx store rebuild over real run folders (the synthetic example).

const STACK = /\n\s+at |node:internal|internal error|\.[jt]s:\d+:\d+\)/;

describe('nasx runs / compare / store', () => {
  let dir: string;
  let ids: string[];
  beforeAll(() => {
    dir = tempDir();
    const config = path.join(WORKSPACE, 'examples', 'synthetic.yaml');
    for (const [seed, evaluations] of [
      [1, 60],
      [2, 30],
    ] as const) {
      const r = nasx(['run', config, '--runs-dir', path.join(dir, 'runs'), '--seed', String(seed), '--set', `budget.evaluations=${evaluations}`, '-q'], {
        timeoutMs: 60_000,
      });
      expect(r.code).toBe(0);
    }
    ids = fs.readdirSync(path.join(dir, 'runs')).filter((d) => d.startsWith('synthetic-'));
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the runs (table and JSON), filters them, and puts two side by side', () => {
    const table = nasx(['runs'], { cwd: dir, env: { COLUMNS: '200' } });
    expect(table.code).toBe(0);
    for (const id of ids) expect(table.stdout).toContain(id);
    expect(table.stdout).toMatch(/budget-exhausted\s+nb201\s+regularized-evolution\s+synthetic\s+60\/60/);
    const json = nasx(['runs', '--runs-dir', path.join(dir, 'runs'), '--json', '--estimator', 'synthetic']);
    const runs = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; evaluations: number; best: { value: number } });
    expect(runs.map((r) => r.evaluations).sort()).toEqual([30, 60]);
    expect(nasx(['runs', '--runs-dir', path.join(dir, 'runs'), '--json', '--searcher', 'random']).stdout).toBe('');
    const compare = nasx(['compare', ...ids, '--runs-dir', path.join(dir, 'runs')], { env: { COLUMNS: '200' } });
    expect(compare.code).toBe(0);
    expect(compare.stdout).toMatch(/best so far after n evaluations/);
    expect(compare.stdout).toMatch(/^ {2}60 /m);
    const c = JSON.parse(nasx(['compare', ...ids.map((i) => path.join(dir, 'runs', i)), '--runs-dir', path.join(dir, 'runs'), '--json']).stdout) as {
      runs: { best: { value: number } }[];
      at: number[];
      best: (number | null)[][];
    };
    expect(c.at).toEqual([1, 2, 5, 10, 20, 30, 50, 60]);
    const plot = nasx(['compare', ...ids, '--runs-dir', path.join(dir, 'runs'), '--svg', path.join(dir, 'c.svg'), '--png', path.join(dir, 'c.png')]);
    expect(plot.code).toBe(0);
    const svg = fs.readFileSync(path.join(dir, 'c.svg'), 'utf8');
    for (const id of ids) expect(svg).toContain(id);
    expect(fs.readFileSync(path.join(dir, 'c.png')).subarray(1, 4).toString()).toBe('PNG');
    c.runs.forEach((r, k) => expect(Math.max(...(c.best[k]!.filter((v) => v !== null) as number[]))).toBe(r.best.value));
  });

  it('rebuilds the store from the journals, also over a damaged database file', () => {
    const before = nasx(['runs', '--runs-dir', path.join(dir, 'runs'), '--json']).stdout;
    fs.writeFileSync(path.join(dir, 'runs', 'nasx.db'), 'garbage '.repeat(1000));
    for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(dir, 'runs', `nasx.db${suffix}`), { force: true });
    const broken = nasx(['runs', '--runs-dir', path.join(dir, 'runs')]);
    expect(broken.code).not.toBe(0);
    expect(broken.stderr).toMatch(/nasx\.db is not a usable experiment store/);
    expect(broken.stderr).toMatch(/nasx store rebuild/);
    expect(broken.stderr).not.toMatch(STACK);
    const rebuilt = nasx(['store', 'rebuild', '--runs-dir', path.join(dir, 'runs')]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/rebuilt .*nasx\.db: 2 run\(s\)/);
    const strip = (s: string) => s.replace(/"updatedAt":\d+,?/g, '');
    expect(strip(nasx(['runs', '--runs-dir', path.join(dir, 'runs'), '--json']).stdout)).toBe(strip(before));
  });

  it('bad input: an unknown run, a missing runs directory, a wrong status, one run to compare', () => {
    const unknown = nasx(['compare', ids[0]!, 'synthetic-2099', '--runs-dir', path.join(dir, 'runs')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run "synthetic-2099"/);
    expect(unknown.stderr).not.toMatch(STACK);
    const missing = nasx(['runs', '--runs-dir', path.join(dir, 'nope')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/the runs directory .*nope does not exist/);
    const status = nasx(['runs', '--runs-dir', path.join(dir, 'runs'), '--status', 'done']);
    expect(status.code).toBe(2);
    expect(status.stderr).toMatch(/--status done is not a run status.*running, interrupted/s);
    const one = nasx(['compare', ids[0]!, '--runs-dir', path.join(dir, 'runs')]);
    expect(one.code).toBe(2);
    expect(one.stderr).toMatch(/needs two or more run ids/);
  });
});
