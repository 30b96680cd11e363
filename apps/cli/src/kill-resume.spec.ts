import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { nasx, nasxChild, tempDir } from './cli-test-helpers';

// A run killed with SIGKILL at a random point and resumed loses no finished evaluation and ends as
// the uninterrupted run with the same seed does (same trials in the same order, same best).
const slowPlugin = path.join(__dirname, '__fixtures__', 'slow-plugin');
const CONFIG = `name: kill-test
seed: 4
plugins: [${JSON.stringify(slowPlugin)}]
space: nb201
estimator: { use: slow-hash, options: { delayMs: 8 } }
searcher: { use: regularized-evolution, options: { population: 10, sampleSize: 3 } }
concurrency: 2
budget: { evaluations: 120 }
`;

function onlyRun(runsDir: string): string {
  const dirs = fs.readdirSync(runsDir);
  expect(dirs).toHaveLength(1);
  return path.join(runsDir, dirs[0] as string);
}

function evaluatedKeys(runDir: string): string[] {
  return readJournal(path.join(runDir, 'events.ndjson')).flatMap((e) => (e.type === 'evaluated' ? [`${e.trial}:${e.arch.key}:${e.cached ? 'c' : ''}`] : []));
}

async function killAfter(args: string[], runsDir: string, evaluations: number): Promise<string> {
  const child = nasxChild(args);
  const deadline = Date.now() + 30_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 5));
    if (Date.now() > deadline) throw new Error('the run did not reach the kill point');
    if (!fs.existsSync(runsDir) || fs.readdirSync(runsDir).length === 0) continue;
    const journal = path.join(onlyRun(runsDir), 'events.ndjson');
    if (!fs.existsSync(journal)) continue;
    const n = (fs.readFileSync(journal, 'utf8').match(/"type":"evaluated"/g) ?? []).length;
    if (n >= evaluations) break;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return onlyRun(runsDir);
}

describe('nasx run killed with SIGKILL, then nasx resume', () => {
  it('ends exactly as the uninterrupted run', async () => {
    const dir = tempDir({ 'c.yaml': CONFIG });
    const full = nasx(['run', path.join(dir, 'c.yaml'), '--runs-dir', path.join(dir, 'full'), '--quiet']);
    expect(full.code).toBe(0);
    const fullRun = onlyRun(path.join(dir, 'full'));

    const killAt = 5 + Math.floor(Math.random() * 100); // a random point of the 120 evaluations
    const killed = await killAfter(['run', path.join(dir, 'c.yaml'), '--runs-dir', path.join(dir, 'killed'), '--quiet'], path.join(dir, 'killed'), killAt);
    const before = evaluatedKeys(killed);
    expect(before.length).toBeGreaterThanOrEqual(killAt);
    expect(readJournal(path.join(killed, 'events.ndjson')).some((e) => e.type === 'run-finished')).toBe(false);

    const resumed = nasx(['resume', killed, '--quiet']);
    // the killed run left its lock behind: resume takes it over and says so, and nothing else
    expect(resumed.stderr).toMatch(
      /^nasx: warning: run kill-test-\S+ was locked by process \d+, which is no longer running \(killed\?\); took the lock over\n/,
    );
    for (const line of resumed.stderr.trim().split('\n'))
      expect(line).toMatch(/^nasx: warning: (run kill-test-\S+ was locked by process|events\.ndjson: the last line \(\d+\) was cut short)/);
    expect(resumed.code).toBe(0);
    const after = evaluatedKeys(killed);
    // nothing finished before the kill was lost or changed
    expect(after.slice(0, before.length)).toEqual(before);
    // and the whole run matches the uninterrupted one
    expect(after).toEqual(evaluatedKeys(fullRun));
    const sFull = JSON.parse(fs.readFileSync(path.join(fullRun, 'summary.json'), 'utf8'));
    const sResumed = JSON.parse(fs.readFileSync(path.join(killed, 'summary.json'), 'utf8'));
    expect(sResumed.evaluations).toBe(120);
    expect(sResumed.evaluations).toBe(sFull.evaluations);
    expect(sResumed.best.arch.key).toBe(sFull.best.arch.key);
    expect(sResumed.sessions).toBe(2);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);
});
