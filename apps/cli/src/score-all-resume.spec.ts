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

describe('nasx score --all killed with SIGKILL, then nasx resume', () => {
  it('scores every cell once, never rescoring a cell finished before the kill', async () => {
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
    ];
    const child = nasxChild([...args, '-o', out, '--runs-dir', runsDir, '-q'], { cwd: dir });
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
    const callsBefore = fs.readFileSync(calls, 'utf8').trim().split('\n').length;

    const resumed = nasx(['resume', runDir, '-q'], { cwd: dir });
    expect(resumed.stderr).toMatch(/was locked by process \d+, which is no longer running/);
    expect(resumed.code).toBe(0);

    // the journal: what was finished is kept, in order, and every cell appears once
    const after = evaluated(runDir);
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(CELLS);
    // the score file: a header and one row per cell, each cell once
    const rows = fs.readFileSync(out, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('arch,score,seconds,score');
    expect(new Set(rows.slice(1).map((r) => r.split(',')[0])).size).toBe(CELLS);
    // the estimator: the resumed session asked only for cells not finished before the kill
    const resumedCalls = fs.readFileSync(calls, 'utf8').trim().split('\n').slice(callsBefore);
    const finished = new Set(before);
    expect(resumedCalls.filter((k) => finished.has(k))).toEqual([]);
    expect(callsBefore + resumedCalls.length).toBeLessThanOrEqual(CELLS + 64); // at most the ones in flight at the kill twice
    expect(new Set(resumedCalls).size + finished.size).toBe(CELLS);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
