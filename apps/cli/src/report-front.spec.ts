import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeWithSharedData } from '@nasx/testing';
import { nasx, tempDir, WORKSPACE } from './cli-test-helpers';

// `nasx report` of multi-objective runs through the built CLI: the front table, the exact front
// beside it (NB201 tabular accuracy + table latency: every cell is a lookup), the front plot.

describe('nasx report --front of a single-objective run', () => {
  it('says the run has no Pareto front and how to get one (exit 2, no stack)', () => {
    const dir = tempDir();
    const runsDir = path.join(dir, 'runs');
    expect(nasx(['run', path.join(WORKSPACE, 'examples', 'synthetic.yaml'), '--set', 'budget.evaluations=5', '--runs-dir', runsDir, '--quiet']).code).toBe(0);
    const runDir = path.join(runsDir, fs.readdirSync(runsDir)[0] as string);
    const r = nasx(['report', runDir, '--front']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/optimises one objective \(maximize synthetic\), so it has no Pareto front/);
    expect(r.stderr).toMatch(/type: multi/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describeWithSharedData('nasx report of a multi-objective NB201 run (reference data)', 'hw-latency-help', (dataDir) => {
  const dir = tempDir();
  const runsDir = path.join(dir, 'runs');
  let runDir: string;

  beforeAll(() => {
    const r = nasx([
      'run',
      path.join(WORKSPACE, 'examples', 'nb201-pareto.yaml'),
      '--set',
      'budget.evaluations=80',
      '--data-dir',
      dataDir,
      '--runs-dir',
      runsDir,
      '--quiet',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Pareto front: \d+ trial\(s\) no other trial dominates/);
    runDir = path.join(runsDir, fs.readdirSync(runsDir)[0] as string);
  }, 60_000);

  it('lists the front with real signs and the exact front beside it (cached in the run folder)', () => {
    const r = nasx(['report', runDir, '--front'], { env: { COLUMNS: '200' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Pareto front: \d+ trial\(s\) no other trial of the run dominates \(maximize test_acc@200, minimize latency_ms\)/);
    expect(r.stdout).toMatch(/trial\s+test_acc@200 ↑\s+latency_ms ↓\s+architecture/);
    expect(r.stdout).toMatch(
      /exact front \(every one of the 15625 architectures scored by the run's pipeline\): \d+ point\(s\); the run found \d+ of them; hypervolume 0\.\d+/,
    );
    expect(fs.existsSync(path.join(runDir, 'exact-front.json'))).toBe(true);
    // Latencies are printed as measured (positive milliseconds), not as the negated objective.
    const rows = r.stdout.split('\n').filter((l) => /^\s+\d+\s+\d+\.\d+\s+\d/.test(l));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((l) => !/\s-\d/.test(l))).toBe(true);

    const json = JSON.parse(nasx(['report', runDir, '--json']).stdout);
    expect(json.front.objectives).toEqual([
      { metric: 'test_acc@200', direction: 'maximize' },
      { metric: 'latency_ms', direction: 'minimize' },
    ]);
    expect(json.exactFront.points.length).toBeGreaterThan(10);
    expect(json.exactFront.hypervolumeRatio).toBeGreaterThan(0.5);
    expect(json.exactFront.hypervolumeRatio).toBeLessThanOrEqual(1);
  }, 60_000);

  it('draws the front (all trials, the run front and the exact front) as SVG and PNG', () => {
    const svg = path.join(dir, 'front.svg');
    const png = path.join(dir, 'front.png');
    const r = nasx(['report', runDir, '--svg', svg, '--png', png, '--size', '640x480']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote .*front\.svg and .*front\.png: 80 trials and the Pareto front/);
    const text = fs.readFileSync(svg, 'utf8');
    expect(text).toMatch(/^<svg[^>]* width="640" height="480"/);
    expect(text).toContain('exact front');
    expect(text).toContain("run's front");
    // 80 trial points plus the front's own points.
    expect((text.match(/aria-roledescription="point"/g) ?? []).length).toBeGreaterThan(80);
    expect(fs.readFileSync(png).subarray(0, 4).toString('hex')).toBe('89504e47');
  }, 60_000);
});
