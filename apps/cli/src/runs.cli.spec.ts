import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithSharedData } from '@nasx/testing';
import { NASX_BIN, nasx, nasxChild, nasxInProcess, tempDir, WORKSPACE } from './cli-test-helpers';

// nasx runs, nasx compare and nasx store rebuild over real run folders written by nasx run (the
// synthetic example; the tabular NB201 examples where the reference data is), checked against
// nasx report of the same runs; a run killed mid-write, then resumed; and every mistake a user
// can make with them.

const STACK = /\n\s+at |node:internal|internal error|\.[jt]s:\d+:\d+\)/;
const SYNTHETIC = path.join(WORKSPACE, 'examples', 'synthetic.yaml');

interface RunJson {
  id: string;
  name: string;
  status: string;
  outcome?: string;
  space: string;
  searcher: string;
  evaluations: number;
  sessions: number;
  best?: { trial: number; value: number; key: string };
  lastSeq: number;
}

interface ReportJson {
  status: string;
  evaluations: number;
  best: { trial: number; objective: number; arch: { key: string } };
  trajectory: [number, number][];
}

async function runsJson(runsDir: string, ...args: string[]): Promise<RunJson[]> {
  const r = await nasxInProcess(['runs', '--runs-dir', runsDir, '--json', ...args]);
  expect(r.code).toBe(0);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RunJson);
}

async function report(runDir: string): Promise<ReportJson> {
  return JSON.parse((await nasxInProcess(['report', runDir, '--json'])).stdout) as ReportJson;
}

/** The best so far after n evaluations from a report's trajectory (its improvements). */
function bestAfter(trajectory: readonly [number, number][], n: number): number | undefined {
  return trajectory.filter(([e]) => e <= n).at(-1)?.[1];
}

describe('nasx runs / compare / store rebuild', () => {
  let dir: string;
  let runsDir: string;
  /** Ids by what they ran: REA seed 1 (60 evaluations), REA seed 2 (30), random seed 3 (20). */
  let rea1: string;
  let rea2: string;
  let random: string;
  beforeAll(async () => {
    dir = tempDir();
    runsDir = path.join(dir, 'runs');
    const made: string[] = [];
    for (const args of [
      ['--seed', '1', '--set', 'budget.evaluations=60'],
      ['--seed', '2', '--set', 'budget.evaluations=30'],
      ['--seed', '3', '--set', 'budget.evaluations=20', '--set', 'searcher=random'],
    ]) {
      const before = new Set(fs.existsSync(runsDir) ? fs.readdirSync(runsDir) : []);
      expect((await nasxInProcess(['run', SYNTHETIC, '--runs-dir', runsDir, '-q', ...args])).code).toBe(0);
      made.push(fs.readdirSync(runsDir).find((d) => !before.has(d))!);
    }
    [rea1, rea2, random] = made as [string, string, string];
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('lists the runs, newest first, as nasx report reads them; filters them', async () => {
    const table = await nasxInProcess(['runs'], { cwd: dir, env: { COLUMNS: '200' } });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run\s+status\s+space\s+searcher\s+estimator\s+evaluations\s+best\s+started$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual([random, rea2, rea1]);
    expect(table.stdout).toMatch(
      new RegExp(`${rea1}\\s+finished\\s+nb201\\s+regularized-evolution\\s+synthetic\\s+60/60\\s+\\d+\\.\\d+\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d`),
    );
    expect(table.stdout).toMatch(new RegExp(`${random}\\s+finished\\s+nb201\\s+random\\s+synthetic\\s+20/20`));

    const runs = await runsJson(runsDir);
    for (const r of runs) {
      const rep = await report(path.join(runsDir, r.id));
      expect(r).toMatchObject({ status: 'finished', outcome: rep.status, evaluations: rep.evaluations, sessions: 1 });
      expect(r.best).toMatchObject({ trial: rep.best.trial, value: rep.best.objective, key: rep.best.arch.key });
    }
    const ids = async (args: string[]): Promise<string[]> => (await runsJson(runsDir, ...args)).map((r) => r.id);
    expect(await ids(['--searcher', 'random'])).toEqual([random]);
    expect(await ids(['--searcher', 'regularized-evolution', '--space', 'nb201', '--estimator', 'synthetic'])).toEqual([rea2, rea1]);
    expect(await ids(['--name', 'SYNTH', '--limit', '2'])).toEqual([random, rea2]);
    expect(await ids(['--name', rea1])).toEqual([rea1]);
    expect(await ids(['--status', 'finished'])).toHaveLength(3);
    expect(await ids(['--status', 'interrupted'])).toEqual([]);
    expect(await ids(['--space', 'nb101'])).toEqual([]);
    const none = await nasxInProcess(['runs', '--runs-dir', runsDir, '--space', 'nb101']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect(none.stderr).toMatch(/^no runs match in .*runs\n$/);
  });

  it('compares runs: pipeline, budget, best value and architecture, best so far at common evaluation counts, a plot', async () => {
    const text = await nasxInProcess(['compare', rea1, rea2, random, '--runs-dir', runsDir], { env: { COLUMNS: '220' } });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^\\s+${rea1}\\s+${rea2}\\s+${random}$`, 'm'));
    expect(text.stdout).toMatch(/^searcher\s+regularized-evolution\s+regularized-evolution\s+random$/m);
    expect(text.stdout).toMatch(/^budget\s+60 evaluations\s+30 evaluations\s+20 evaluations$/m);
    expect(text.stdout).toMatch(/^seed\s+1\s+2\s+3$/m);
    // Architectures in the space's text form, as nasx report prints them.
    expect(text.stdout).toMatch(new RegExp(`^${rea1}  +\\|[a-z_0-9x]+~0\\|\\+\\S+~2\\|$`, 'm'));
    expect(text.stdout).toMatch(/^best so far after n evaluations$/m);
    expect(text.stdout).toMatch(/^ {2}60 {2}/m);

    // Run folders work too (their folder is the runs directory), and a unique prefix of an id.
    const json = await nasxInProcess(['compare', path.join(runsDir, rea1), path.join(runsDir, random) + '/', '--json']);
    expect(json.code).toBe(0);
    const c = JSON.parse(json.stdout) as { runs: { id: string }[]; at: number[]; best: (number | null)[][] };
    expect(c.runs.map((r) => r.id)).toEqual([rea1, random]);
    expect(c.at).toEqual([1, 2, 5, 10, 20, 50, 60]);
    for (const [k, r] of c.runs.entries()) {
      const rep = await report(path.join(runsDir, r.id));
      c.at.forEach((n, i) => expect(c.best[k]![i]).toBe(n > rep.evaluations ? null : bestAfter(rep.trajectory, n)));
    }
    expect(JSON.parse((await nasxInProcess(['compare', rea1.slice(0, -1), rea2, '--runs-dir', runsDir, '--json'])).stdout).runs[0].id).toBe(rea1);

    const svg = path.join(dir, 'compare.svg');
    // Plots spawn the built command: vega-lite is an ES module, which needs a real Node process.
    const plotted = nasx(['compare', rea1, rea2, '--runs-dir', runsDir, '--plot', svg, '--size', '700x500']);
    expect(plotted.code).toBe(0);
    expect(plotted.stderr).toMatch(/wrote .*compare\.svg: best so far of 2 runs, 700x500 px/);
    const drawn = fs.readFileSync(svg, 'utf8');
    expect(drawn).toMatch(/^<svg[^>]* width="700" height="500"/);
    for (const id of [rea1, rea2]) expect(drawn).toContain(id);
    const png = path.join(dir, 'compare.png');
    expect(nasx(['compare', rea1, rea2, '--runs-dir', runsDir, '--plot', png]).code).toBe(0);
    expect(fs.readFileSync(png).subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // --svg / --png, as nasx report takes them: the same drawing.
    const both = nasx([
      'compare',
      rea1,
      rea2,
      '--runs-dir',
      runsDir,
      '--size',
      '700x500',
      '--svg',
      path.join(dir, 'c2.svg'),
      '--png',
      path.join(dir, 'c2.png'),
    ]);
    expect(both.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'c2.svg'), 'utf8')).toBe(drawn);
    expect(fs.readFileSync(path.join(dir, 'c2.png')).subarray(1, 4).toString()).toBe('PNG');
  }, 60_000);

  it('rebuilds the store from the journals, also over a damaged database file, to what the incremental syncs made', async () => {
    const before = (await nasxInProcess(['runs', '--runs-dir', runsDir, '--json'])).stdout;
    expect(fs.existsSync(path.join(runsDir, 'nasx.db'))).toBe(true);
    fs.writeFileSync(path.join(runsDir, 'nasx.db'), 'garbage '.repeat(1000));
    for (const suffix of ['-wal', '-shm']) fs.rmSync(path.join(runsDir, `nasx.db${suffix}`), { force: true });
    const broken = await nasxInProcess(['runs', '--runs-dir', runsDir]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(
      /^error \(data\): .*nasx\.db is not a usable experiment store \(file is not a database\)\. Fix: run "nasx store rebuild --runs-dir /,
    );
    expect(broken.stderr).not.toMatch(STACK);
    const rebuilt = await nasxInProcess(['store', 'rebuild', '--runs-dir', runsDir]);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.stderr).toMatch(/^rebuilt .*nasx\.db: 3 run\(s\), \d+ journal line\(s\) in /);
    expect((await nasxInProcess(['runs', '--runs-dir', runsDir, '--json'])).stdout).toBe(before);
  });

  it('four nasx runs at once on a runs directory without a store make one store, each listing every run once', async () => {
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(runsDir, `nasx.db${suffix}`), { force: true });
    const expected = await runsJson(runsDir);
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(path.join(runsDir, `nasx.db${suffix}`), { force: true });
    const outputs = await Promise.all(
      [0, 1, 2, 3].map(
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn(process.execPath, [NASX_BIN, 'runs', '--runs-dir', runsDir, '--json'], { env: { ...process.env, NASX_DEBUG: '' } });
            let out = '';
            child.stdout.on('data', (d: Buffer) => (out += d.toString()));
            child.stderr.on('data', (d: Buffer) => (out += d.toString()));
            child.on('close', (code) => resolve({ code, out }));
          }),
      ),
    );
    for (const o of outputs) {
      expect(o.code).toBe(0);
      expect(
        o.out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as RunJson),
      ).toEqual(expected);
    }
    expect(await runsJson(runsDir)).toEqual(expected);
  }, 60_000);

  it('a run killed mid-write shows as interrupted, running while it runs, and finished after nasx resume', async () => {
    const slowPlugin = path.join(__dirname, '__fixtures__', 'slow-plugin');
    const config = path.join(dir, 'slow.yaml');
    fs.writeFileSync(
      config,
      `name: slow\nseed: 4\nplugins: [${JSON.stringify(slowPlugin)}]\nspace: nb201\nestimator: { use: slow-hash, options: { delayMs: 30 } }\n` +
        `searcher: { use: regularized-evolution, options: { population: 10, sampleSize: 3 } }\nbudget: { evaluations: 100 }\n`,
    );
    const own = path.join(dir, 'slow-runs');
    const child = nasxChild(['run', config, '--runs-dir', own, '--quiet']);
    let id: string | undefined;
    const deadline = Date.now() + 30_000;
    for (;;) {
      await new Promise((r) => setTimeout(r, 20));
      if (Date.now() > deadline) throw new Error('the run did not get to 10 evaluations');
      id = fs.existsSync(own) ? fs.readdirSync(own).find((d) => d.startsWith('slow-')) : undefined;
      const journal = id ? path.join(own, id, 'events.ndjson') : undefined;
      if (journal && fs.existsSync(journal) && (fs.readFileSync(journal, 'utf8').match(/"type":"evaluated"/g) ?? []).length >= 10) break;
    }
    const live = await runsJson(own);
    expect(live.map((r) => [r.id, r.status])).toEqual([[id, 'running']]);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    // Killed in the middle of a line: the torn line waits, the run is interrupted.
    fs.appendFileSync(path.join(own, id!, 'events.ndjson'), '{"type":"evaluated","seq":');
    const killed = (await runsJson(own))[0]!;
    expect(killed).toMatchObject({ id, status: 'interrupted', sessions: 1 });
    expect(killed.outcome).toBeUndefined();
    expect(killed.evaluations).toBeGreaterThanOrEqual(10);
    expect(killed.evaluations).toBeLessThan(100);
    expect((await runsJson(own, '--status', 'interrupted')).map((r) => r.id)).toEqual([id]);

    const resumed = await nasxInProcess(['resume', path.join(own, id!), '--quiet']);
    expect(resumed.code).toBe(0);
    const done = (await runsJson(own))[0]!;
    expect(done).toMatchObject({ id, status: 'finished', outcome: 'budget-exhausted', evaluations: 100, sessions: 2 });
    expect(done.lastSeq).toBeGreaterThan(killed.lastSeq);
    const rep = await report(path.join(own, id!));
    expect(done.best).toMatchObject({ trial: rep.best.trial, value: rep.best.objective });
    // The incremental syncs (killed, then resumed) made what a rebuild makes.
    const incremental = (await nasxInProcess(['runs', '--runs-dir', own, '--json'])).stdout;
    expect((await nasxInProcess(['store', 'rebuild', '--runs-dir', own])).code).toBe(0);
    expect((await nasxInProcess(['runs', '--runs-dir', own, '--json'])).stdout).toBe(incremental);
  }, 90_000);

  describe('bad input: exit 2, one paragraph with the fix, no stack trace', () => {
    const cases: { name: string; args: (runsDir: string, ids: string[]) => string[]; cwd?: string; expect: RegExp[] }[] = [
      {
        name: 'an unknown run id (a typo)',
        args: (d, ids) => ['compare', ids[0]!, `${ids[1]!.slice(0, -1)}${ids[1]!.endsWith('0') ? '1' : '0'}`, '--runs-dir', d],
        // (Runs made in the same second differ only in their last 4 characters: several can be as close.)
        expect: [/error \(usage\): package @nasx\/store: no run "synthetic-\S+" in .*runs\. Fix: did you mean synthetic-\S+( or synthetic-\S+)*\?/],
      },
      {
        name: 'a run id nothing is close to',
        args: (d, ids) => ['compare', ids[0]!, 'nb101-2099', '--runs-dir', d],
        expect: [/no run "nb101-2099"/, /Fix: nasx runs lists the 3 run\(s\) there; the newest: synthetic-/],
      },
      {
        name: 'a prefix of several runs',
        args: (d, ids) => ['compare', ids[0]!, 'synthetic-', '--runs-dir', d],
        expect: [/"synthetic-" is the start of 3 run ids/],
      },
      {
        name: 'a missing runs directory',
        args: (d) => ['runs', '--runs-dir', path.join(d, 'nope')],
        expect: [/the runs directory .*nope does not exist/, /Fix: point --runs-dir/],
      },
      {
        name: 'a runs directory that is a file',
        args: (d, ids) => ['compare', ids[0]!, ids[1]!, '--runs-dir', path.join(d, ids[0]!, 'config.json')],
        expect: [/config\.json is not a folder/],
      },
      {
        name: 'no runs/ in the working directory',
        args: () => ['runs'],
        cwd: WORKSPACE + '/examples',
        expect: [/the runs directory .*examples\/runs does not exist/],
      },
      {
        name: 'a status that is not one',
        args: (d) => ['runs', '--runs-dir', d, '--status', 'done'],
        expect: [/--status done is not a run status\. Fix: use one of running, finished, failed, interrupted/],
      },
      { name: 'a limit of 0', args: (d) => ['runs', '--runs-dir', d, '--limit', '0'], expect: [/expected an integer ≥ 1/] },
      { name: 'one run to compare', args: (d, ids) => ['compare', ids[0]!, '--runs-dir', d], expect: [/needs two or more runs/] },
      {
        name: 'a plot file of another kind',
        args: (d, ids) => ['compare', ids[0]!, ids[1]!, '--runs-dir', d, '--plot', 'x.jpg'],
        expect: [/--plot x\.jpg: the file's name must end in \.svg or \.png/],
      },
      {
        name: 'run folders of two runs directories',
        args: (d, ids) => ['compare', path.join(d, ids[0]!), path.join(d, '..', 'other', ids[1]!)],
        expect: [/the runs given are in different folders/],
      },
      { name: 'an unknown store action', args: (d) => ['store', 'rebuld', '--runs-dir', d], expect: [/unknown command 'rebuld'/] },
    ];
    for (const c of cases) {
      it(c.name, async () => {
        const r = await nasxInProcess(c.args(runsDir, [rea1, rea2, random]), { cwd: c.cwd ?? dir });
        expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
        for (const re of c.expect) expect(r.stderr).toMatch(re);
        expect(r.stderr).not.toMatch(STACK);
      });
    }
  });
});

describeWithSharedData('nasx runs / compare of tabular NB201 searches (reference data)', 'nas-bench-201', (dataDir) => {
  it('indexes REA and random search as nasx report reads them, and compares them', async () => {
    const dir = tempDir();
    try {
      const runsDir = path.join(dir, 'runs');
      for (const example of ['nb201-rea.yaml', 'nb201-random.yaml']) {
        const r = await nasxInProcess([
          'run',
          path.join(WORKSPACE, 'examples', example),
          '--data-dir',
          dataDir,
          '--runs-dir',
          runsDir,
          '--set',
          'budget.evaluations=100',
          '-q',
        ]);
        expect(r.code).toBe(0);
      }
      const runs = await runsJson(runsDir);
      expect(runs.map((r) => r.searcher).sort()).toEqual(['random', 'regularized-evolution']);
      for (const r of runs) {
        const rep = await report(path.join(runsDir, r.id));
        expect(r).toMatchObject({ status: 'finished', space: 'nb201', evaluations: 100 });
        expect(r.best).toMatchObject({ trial: rep.best.trial, value: rep.best.objective, key: rep.best.arch.key });
        // A validation accuracy of NB201 (CIFAR-10, 12 epochs), in percent.
        expect(r.best!.value).toBeGreaterThan(80);
        expect(r.best!.value).toBeLessThan(100);
      }
      const c = JSON.parse((await nasxInProcess(['compare', ...runs.map((r) => r.id), '--runs-dir', runsDir, '--json'])).stdout) as {
        at: number[];
        best: number[][];
      };
      expect(c.at).toEqual([1, 2, 5, 10, 20, 50, 100]);
      for (const curve of c.best) for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeGreaterThanOrEqual(curve[i - 1]!);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
