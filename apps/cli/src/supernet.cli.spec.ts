import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadJournal } from '@nasx/kernel';
import { nasxInProcess, nasxChild, tempDir } from './cli-test-helpers';

// Weight-sharing estimators as a user runs them: a supernet trained in prepare() on MNIST (embedded
// data), killed mid-training and resumed, and the config mistakes of weight sharing.

const STACK = /\n\s+at |node:internal|internal error|\.[jt]s:\d+:\d+\)/;
const A_CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';

/** One-shot on 600 MNIST digits: a 4-channel supernet, 8 epochs of 14 steps. */
const CONFIG = `name: supernet-resume
seed: 3
workers: 0
space: nb201
task: { use: mnist, options: { limit: 600 } }
estimator:
  use: one-shot
  options: { epochs: 8, batchSize: 32, lr: 0.1, macro: { channels: 4, cellsPerStage: 1 }, evalBatchSize: 100 }
searcher: random
budget: { evaluations: 3 }
`;

function epochsSaved(runDir: string): number {
  const root = path.join(runDir, 'state', 'supernets');
  if (!fs.existsSync(root)) return 0;
  for (const d of fs.readdirSync(root)) {
    const f = path.join(root, d, 'supernet.json');
    if (fs.existsSync(f))
      return (JSON.parse(fs.readFileSync(f, 'utf8')) as { sets: { 'one-shot'?: { epochsDone: number } } }).sets['one-shot']?.epochsDone ?? 0;
  }
  return 0;
}

describe('weight-sharing estimators from the command line', () => {
  it('a run killed during supernet training resumes from its last saved epoch, not from zero', async () => {
    const dir = tempDir();
    try {
      fs.writeFileSync(path.join(dir, 'c.yaml'), CONFIG);
      const child = nasxChild(['run', path.join(dir, 'c.yaml'), '--runs-dir', path.join(dir, 'runs'), '-q']);
      let err = '';
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      const deadline = Date.now() + 120_000;
      let runDir = '';
      for (;;) {
        await new Promise((r) => setTimeout(r, 25));
        if (Date.now() > deadline) throw new Error(`training did not reach epoch 2: ${err}`);
        const runs = path.join(dir, 'runs');
        if (!fs.existsSync(runs) || !fs.readdirSync(runs).length) continue;
        runDir = path.join(runs, fs.readdirSync(runs)[0]!);
        if (epochsSaved(runDir) >= 2) break;
      }
      child.kill('SIGKILL');
      await exited;
      const killedAt = epochsSaved(runDir);
      expect(killedAt).toBeGreaterThanOrEqual(2);
      expect(killedAt).toBeLessThan(8);
      const r = await nasxInProcess(['resume', runDir]);
      expect(r.stderr).not.toMatch(STACK);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`resuming the one-shot supernet at epoch ${killedAt + 1} of 8`));
      expect(epochsSaved(runDir)).toBe(8);
      // The journal holds each epoch's training loss once, up to the kill, then from the resumed epoch on.
      const journal = loadJournal(path.join(runDir, 'events.ndjson'));
      const steps = journal.events.flatMap((e) => (e.type === 'metric' && e.name === 'supernet_train_loss' ? [e.step] : []));
      expect(steps.slice(-(8 - killedAt))).toEqual(Array.from({ length: 8 - killedAt }, (_, i) => killedAt + 1 + i));
      expect(journal.events.filter((e) => e.type === 'evaluated')).toHaveLength(3);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);

  it.each([
    {
      name: 'a space without a supernet builder',
      args: ['score', '--estimator', 'one-shot', '--space', 'nb101', '--task', 'mnist', '--no-journal', '0'],
      stderr: [/search space "nb101" has no supernet builder/, /Fix: weight-sharing estimators run on nb201/],
    },
    {
      name: 'a split edge that does not exist',
      args: ['score', '--estimator', 'few-shot', '--task', 'mnist', '--set', 'estimator.options.split.edges=[0,7]', '--no-journal', A_CELL],
      stderr: [/split\.edges holds 7, but space "nb201" has 6 decisions/, /\/options\/split\/edges\/1/],
    },
    {
      name: 'a supernet to load that does not exist',
      args: ['score', '--estimator', 'rlnas', '--task', 'mnist', '--set', 'estimator.options.load=nowhere/supernet.json', '--no-journal', A_CELL],
      stderr: [/load names .*nowhere\/supernet\.json, which does not exist/, /at \/estimator\/options\/load/],
    },
    {
      name: 'a supernet to start from that does not exist',
      args: ['score', '--estimator', 'few-shot', '--task', 'mnist', '--set', 'estimator.options.init=nowhere/supernet.json', '--no-journal', A_CELL],
      stderr: [/init names .*nowhere\/supernet\.json, which does not exist/, /at \/estimator\/options\/init/],
    },
    {
      name: 'few-shot with no one-shot epochs and nothing to split',
      args: ['score', '--estimator', 'few-shot', '--task', 'mnist', '--set', 'estimator.options.epochs=0', '--no-journal', A_CELL],
      stderr: [/epochs 0, which splits the supernet given by init, but there is no init/, /at \/estimator\/options\/epochs/],
    },
  ])('$name: a clear error, exit 2, no stack trace', async ({ args, stderr }) => {
    const r = await nasxInProcess(args);
    expect(r.stderr).not.toMatch(STACK);
    for (const p of stderr) expect(r.stderr).toMatch(p);
    expect(r.code).toBe(2);
  });

  it('a supernet trained for another schedule is refused when loaded, naming what differs', async () => {
    const dir = tempDir();
    try {
      // `nasx score` with a tiny one-shot supernet on MNIST, trained for `epochs`.
      const oneShot = (epochs: number, ...extra: string[]) => [
        'score',
        '--estimator',
        'one-shot',
        '--task',
        'mnist',
        '--set',
        'task.options.limit=300',
        '--set',
        `estimator.options.epochs=${epochs}`,
        '--set',
        'estimator.options.macro.channels=4',
        ...extra,
        A_CELL,
      ];
      const made = await nasxInProcess(oneShot(1, '--runs-dir', path.join(dir, 'runs'), '-q'));
      expect(made.code).toBe(0);
      const runDir = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0]!);
      const sub = fs.readdirSync(path.join(runDir, 'state', 'supernets'))[0]!;
      const file = path.join(runDir, 'state', 'supernets', sub, 'supernet.json');
      const r = await nasxInProcess(oneShot(2, '--set', `estimator.options.load=${file}`, '--no-journal'));
      expect(r.stderr).not.toMatch(STACK);
      expect(r.stderr).toMatch(/was trained for another setup: schedule\.epochs 1 ≠ 2/);
      expect(r.code).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
