import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { nasx, nasxChild, tempDir } from './cli-test-helpers';

// `nasx score --all` over an enumerable space (the toy digits, 625 cells), killed with SIGKILL at a
// random point and continued with `nasx resume`: the score file ends with every cell exactly once,
// and no cell finished before the kill is scored again (the estimator logs each call it gets).
const slowPlugin = path.join(__dirname, '__fixtures__', 'slow-plugin');
const toyPlugin = path.join(__dirname, '__fixtures__', 'toy-space-plugin');
const CELLS = 625;

function onlyRun(runsDir: string): string {
  const dirs = fs.readdirSync(runsDir);
  expect(dirs).toHaveLength(1);
  return path.join(runsDir, dirs[0] as string);
}

function evaluated(runDir: string): string[] {
  return readJournal(path.join(runDir, 'events.ndjson')).flatMap((e) => (e.type === 'evaluated' ? [e.arch.key] : []));
}

interface Killed {
  readonly dir: string;
  readonly out: string;
  readonly calls: string;
  readonly args: string[];
  readonly runDir: string;
  readonly before: string[];
  readonly callsBefore: number;
}

/** Starts `nasx score --all … -o scores.csv` and kills it with SIGKILL at a random point. */
async function killedScoreRun(): Promise<Killed> {
  const dir = tempDir({});
  const runsDir = path.join(dir, 'runs');
  const out = path.join(dir, 'scores.csv');
  const calls = path.join(dir, 'calls.txt');
  const args = [
    'score',
    '--all',
    '--estimator',
    'slow-hash',
    '--space',
    'toy',
    '--set',
    `plugins=${JSON.stringify([slowPlugin, toyPlugin])}`,
    '--set',
    'estimator.options.delayMs=2',
    '--set',
    `estimator.options.callsFile=${calls}`,
    '-o',
    out,
    '--runs-dir',
    runsDir,
    '-q',
  ];
  const child = nasxChild(args, { cwd: dir });
  const killAt = 20 + Math.floor(Math.random() * 500); // a random point of the 625 cells
  const deadline = Date.now() + 30_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2));
    if (Date.now() > deadline) throw new Error('the run did not reach the kill point');
    if (!fs.existsSync(calls)) continue;
    if (fs.statSync(calls).size >= killAt * 5) break; // one line per call: "dddd\n"
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  const runDir = onlyRun(runsDir);
  const before = evaluated(runDir);
  expect(before.length).toBeGreaterThan(0);
  expect(before.length).toBeLessThan(CELLS);
  return { dir, out, calls, args, runDir, before, callsBefore: fs.readFileSync(calls, 'utf8').trim().split('\n').length };
}

/** Every cell once in journal and file; no cell finished before the kill estimated again. */
function expectCompleteWithoutRescoring(k: Killed): void {
  // the journal: what was finished is kept, in order, and every cell appears once
  const after = evaluated(k.runDir);
  expect(after.slice(0, k.before.length)).toEqual(k.before);
  expect(after).toHaveLength(CELLS);
  expect(new Set(after).size).toBe(CELLS);
  // the score file: a header and one row per cell, each cell once
  const rows = fs.readFileSync(k.out, 'utf8').trim().split('\n');
  expect(rows[0]).toBe('arch,score,seconds,score');
  expect(new Set(rows.slice(1).map((r) => r.split(',')[0])).size).toBe(CELLS);
  expect(rows).toHaveLength(CELLS + 1);
  // the estimator: the second session asked only for cells not finished before the kill
  const resumedCalls = fs.readFileSync(k.calls, 'utf8').trim().split('\n').slice(k.callsBefore);
  const finished = new Set(k.before);
  expect(resumedCalls.filter((c) => finished.has(c))).toEqual([]);
  expect(new Set(resumedCalls).size + finished.size).toBe(CELLS);
}

describe('nasx score --all killed with SIGKILL, then continued', () => {
  it('by nasx resume: every cell once, none finished before the kill scored again', async () => {
    const k = await killedScoreRun();
    const resumed = nasx(['resume', k.runDir, '-q'], { cwd: k.dir });
    expect(resumed.stderr).toMatch(/was locked by process \d+, which is no longer running/);
    expect(resumed.code).toBe(0);
    expectCompleteWithoutRescoring(k);
    fs.rmSync(k.dir, { recursive: true, force: true });
  }, 120_000);

  it('by running the same nasx score command again (other settings are refused, naming the run)', async () => {
    const k = await killedScoreRun();
    const other = nasx(
      k.args.map((a) => (a === 'estimator.options.delayMs=2' ? 'estimator.options.delayMs=3' : a)),
      { cwd: k.dir },
    );
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/scores\.csv is the output of the unfinished score run score-\S+, which scores with other settings \(estimator: /);
    expect(other.stderr).toMatch(/Fix: continue that run with nasx resume runs\/score-\S+, or write to another -o file/);
    expect(evaluated(k.runDir)).toEqual(k.before); // untouched

    const again = nasx(
      k.args.filter((a) => a !== '-q'),
      { cwd: k.dir },
    );
    expect(again.stderr).toMatch(/^nasx score: continuing run score-\S+ \(\d+ architecture\(s\) scored before it stopped\), which writes .*scores\.csv\n/);
    expect(again.code).toBe(0);
    expectCompleteWithoutRescoring(k);
    fs.rmSync(k.dir, { recursive: true, force: true });
  }, 120_000);
});
