import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EvaluatedEvent } from '@nasx/contracts';
import { nasx, tempDir, WORKSPACE } from './cli-test-helpers';
import type { CliIO } from './io';
import { ScoreOutput } from './commands/score-output';
import { displayWidth } from './ui/text-width';

// Everything the CLI prints for people fits the output width (COLUMNS here; the terminal's width
// or 100 otherwise): tables shrink and elide, prose wraps, rows never wrap.

const SYNTHETIC = path.join(WORKSPACE, 'examples', 'synthetic.yaml');
const WIDTHS = [60, 80, 120];

function expectFits(text: string, width: number): void {
  const lines = text.split('\n');
  expect(lines.length).toBeGreaterThan(3);
  for (const line of lines) if (displayWidth(line) > width) throw new Error(`line wider than ${width}: ${JSON.stringify(line)}`);
}

describe('output width', () => {
  const dir = tempDir();
  const summaries: Record<number, string> = {};

  beforeAll(() => {
    for (const width of WIDTHS) {
      const r = nasx(['run', SYNTHETIC, '--set', 'budget.evaluations=25', '--runs-dir', 'runs', '--quiet'], { cwd: dir, env: { COLUMNS: String(width) } });
      expect(r.code).toBe(0);
      summaries[width] = r.stdout;
    }
  });

  it.each(WIDTHS)('the run summary fits %i columns, the architectures elided in the middle', (width) => {
    const out = summaries[width] as string;
    expectFits(out, width);
    expect(out).toMatch(/^ {2}rank {2}trial {2}synthetic {2}architecture$/m);
    // The best architecture keeps both its ends: NB201 cells start with "|" and end with "~2|".
    expect(out).toMatch(/^best \(trial \d+\): \|\S*~2\|$/m);
  });

  it.each(WIDTHS)('nasx report and nasx plugins fit %i columns', (width) => {
    const runDir = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0] as string);
    const report = nasx(['report', runDir], { env: { COLUMNS: String(width) } });
    expect(report.code).toBe(0);
    expectFits(report.stdout, width);
    expect(report.stdout).toMatch(/^best-so-far trajectory$/m);
    const plugins = nasx(['plugins'], { env: { COLUMNS: String(width) } });
    expect(plugins.code).toBe(0);
    expectFits(plugins.stdout, width);
    expect(plugins.stdout).toMatch(/^searcher {2,}assisted-regularized-evolution/m);
  });

  it.each(WIDTHS)('nasx runs and nasx compare fit %i columns', (width) => {
    // A copy of the runs: the store file it gets is not a run folder of the other tests.
    const runsDir = path.join(dir, `store-runs-${width}`);
    fs.cpSync(path.join(dir, 'runs'), runsDir, { recursive: true });
    const runs = nasx(['runs', '--runs-dir', runsDir], { env: { COLUMNS: String(width) } });
    expect(runs.code).toBe(0);
    expectFits(`${runs.stdout}\n`, width);
    const ids = fs.readdirSync(runsDir).filter((d) => d.startsWith('synthetic-'));
    for (const id of ids) expect(runs.stdout).toContain(id);
    const compare = nasx(['compare', ...ids, '--runs-dir', runsDir], { env: { COLUMNS: String(width) } });
    expect(compare.code).toBe(0);
    expectFits(compare.stdout, width);
    expect(compare.stdout).toMatch(/^best so far after n evaluations$/m);
  });

  it('without COLUMNS and off a terminal, tables fit 100 columns', () => {
    const runDir = path.join(dir, 'runs', fs.readdirSync(path.join(dir, 'runs'))[0] as string);
    const report = nasx(['report', runDir], { env: { COLUMNS: '' } });
    expectFits(report.stdout, 100);
    expect(report.stdout.split('\n').some((l) => displayWidth(l) > 90)).toBe(true);
  });
});

describe('nasx score on a terminal', () => {
  const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
  const event = (i: number): EvaluatedEvent => ({
    type: 'evaluated',
    runId: 'r',
    seq: i,
    time: 0,
    trial: i,
    arch: { space: 'nb201', genotype: null, key: arch },
    estimate: { metrics: { naswot: 1612.123 + i, params: 0.8, flops: 12.4, latency: 3.2, val_acc: 91.2 }, cost: { seconds: 0.0123 } },
    objective: 1612.123 + i,
    evaluations: i + 1,
  });

  it.each(WIDTHS)('prints an aligned table that fits %i columns instead of CSV', (width) => {
    let out = '';
    const io: CliIO = { out: (t) => void (out += t), err: () => undefined, errIsTTY: true, outIsTTY: true, outColumns: width, cwd: WORKSPACE, env: {} };
    const output = new ScoreOutput(io, { format: 'csv' }, (a) => a.key);
    for (let i = 0; i < 3; i++) output.add(event(i));
    output.close();
    expectFits(out.trimEnd() + '\n', width);
    const lines = out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^score {7}seconds {5}/);
    // Rows end with the architecture elided in the middle (both ends kept).
    for (const l of lines.slice(1)) expect(l).toMatch(/^161\d\.\d+ +0\.0123 +.* \|nor_conv_3x.*…\S*_connect~2\|$/);
  });

  it('writes CSV when stdout is not a terminal', () => {
    let out = '';
    const io: CliIO = { out: (t) => void (out += t), err: () => undefined, errIsTTY: false, cwd: WORKSPACE, env: {} };
    const output = new ScoreOutput(io, { format: 'csv' }, (a) => a.key);
    output.add(event(0));
    expect(out.split('\n')[0]).toBe('arch,score,seconds,naswot,params,flops,latency,val_acc');
  });
});
