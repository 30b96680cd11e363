import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJournal } from '@nasx/kernel';
import { nasxChild, tempDir } from './cli-test-helpers';

// One Ctrl-C stops a run within a second in any phase — an estimator's preparation, a searcher's
// long ask, a trial whose estimator never answers — and the run can be resumed.
const stallPlugin = path.join(__dirname, '__fixtures__', 'stall-plugin');

const config = (estimator: string, searcher: string): string => `name: ctrl-c
plugins: [${JSON.stringify(stallPlugin)}]
space: nb201
estimator: ${estimator}
searcher: ${searcher}
budget: { evaluations: 20 }
workers: 0
`;

async function interruptOnce(yaml: string): Promise<{ code: number | null; stdout: string; stopMs: number; runDir: string }> {
  const dir = tempDir({ 'c.yaml': yaml });
  const runsDir = path.join(dir, 'runs');
  const child = nasxChild(['run', path.join(dir, 'c.yaml'), '--runs-dir', runsDir]);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 30_000;
  while (!/started run/.test(stderr)) {
    if (Date.now() > deadline) throw new Error(`the run did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  // Well inside the stalled phase.
  await new Promise((r) => setTimeout(r, 400));
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await exited;
  const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0] as string);
  return { code, stdout, stopMs: Date.now() - t0, runDir };
}

describe('one Ctrl-C stops a run within a second', () => {
  const cases: [string, string, string][] = [
    ["an estimator's preparation", '{ use: stall, options: { phase: prepare } }', 'random'],
    ["a searcher's long ask", 'stall', 'stall-ask'],
    ['a trial whose estimator never answers', '{ use: stall, options: { phase: estimate } }', 'random'],
  ];
  it.each(cases)('in %s, leaving a resumable run', async (_phase, estimator, searcher) => {
    const r = await interruptOnce(config(estimator, searcher));
    expect(r.stopMs).toBeLessThan(1500);
    expect(r.code).not.toBe(1);
    expect(r.stdout).toMatch(/cancelled \(stopped by the user\)/);
    expect(r.stdout).toMatch(/continue with nasx resume/);
    const events = readJournal(path.join(r.runDir, 'events.ndjson'));
    expect(events.at(-1)).toMatchObject({ type: 'run-finished', status: 'cancelled' });
  });
});
