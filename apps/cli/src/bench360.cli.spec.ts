/**
 * `nasx bench360` as a user runs it: the whole protocol on the three NAS-Bench-360 tasks with
 * synthetic data and the `smoke` budget (seconds; its numbers mean nothing), then a second run
 * that continues from the finished (task, seed) results, and bad input. The full-size run on the
 * real samples is a benchmark (tools/bench/bench360), not a test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedDataDir } from '@nasx/testing';
import { nasx, tempDir } from './cli-test-helpers';

interface ResultsJson {
  budget: string;
  source: string;
  tasks: {
    task: string;
    metric: string;
    source: string;
    seeds: number[];
    searched: { mean: number; values: number[] };
    wrn: { mean: number; values: number[] };
    trivial: { value: number };
    wrnMargin: number;
    paper: { wrn: { mean: number } };
    cells: { seed: number; search: { evaluations: number; best: string } }[];
  }[];
}

describe('nasx bench360', () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs search, retraining, WRN and the trivial baseline per task and seed, and writes results.json, .md and .svg', () => {
    const r = nasx(['bench360', '--tasks', 'ecg,satellite,darcy', '--budget', 'smoke', '--seeds', '1', '--source', 'synthetic', '-o', out], {
      cwd: dir,
      timeoutMs: 240_000,
    });
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
    expect(r.code).toBe(0);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;
    expect(results.budget).toBe('smoke');
    expect(results.tasks.map((t) => [t.task, t.metric, t.source])).toEqual([
      ['ecg', 'val_f1', 'synthetic'],
      ['satellite', 'val_error', 'synthetic'],
      ['darcy', 'val_rel_l2', 'synthetic'],
    ]);
    for (const t of results.tasks) {
      expect(t.seeds).toEqual([0]);
      expect(t.cells.map((c) => c.search.evaluations)).toEqual([2]);
      expect([...t.searched.values, ...t.wrn.values, t.trivial.value, t.wrnMargin].every(Number.isFinite)).toBe(true);
      expect(t.paper.wrn.mean).toBeGreaterThan(0);
    }
    const md = fs.readFileSync(path.join(out, 'results.md'), 'utf8');
    expect(md).toContain('| ecg | 1 − F1 | **SYNTHETIC** |');
    expect(md).toContain('| darcy | relative ℓ2 | **SYNTHETIC** |');
    expect(r.stdout).toBe(md);
    expect(fs.readFileSync(path.join(out, 'results.svg'), 'utf8')).toMatch(/^<svg[\s\S]*satellite[\s\S]*<\/svg>\s*$/);
    expect(fs.readdirSync(path.join(out, 'cells', 'ecg')).sort()).toEqual(['seed-0.json']);
  });

  it('a second run continues from the finished (task, seed) results: one more seed runs, the others are read', () => {
    const before = fs.readFileSync(path.join(out, 'cells', 'satellite', 'seed-0.json'), 'utf8');
    const r = nasx(['bench360', '--tasks', 'satellite', '--budget', 'smoke', '--seeds', '2', '--source', 'synthetic', '-o', out], {
      cwd: dir,
      timeoutMs: 120_000,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('satellite seed 0: done earlier');
    expect(r.stderr).toMatch(/satellite seed 1: searched 2 architectures/);
    expect(fs.readFileSync(path.join(out, 'cells', 'satellite', 'seed-0.json'), 'utf8')).toBe(before);
    const results = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8')) as ResultsJson;
    const satellite = results.tasks[0]!;
    expect(satellite.seeds).toEqual([0, 1]);
    // the summary is over both seeds: the one read back and the one that ran
    expect(satellite.searched.values).toHaveLength(2);
    expect(satellite.searched.mean).toBeCloseTo((satellite.searched.values[0]! + satellite.searched.values[1]!) / 2, 9);
  });

  const shared = sharedDataDir();
  (shared && fs.existsSync(path.join(shared, 'hw-nas-bench-360')) ? it : it.skip)(
    '--device reports the searched cell’s latency and energy from HW-NAS-Bench-360’s table where it measured the task (darcy on a Raspberry Pi 5)',
    () => {
      const o = path.join(dir, 'device');
      const r = nasx(
        [
          'bench360',
          '--tasks',
          'darcy,satellite',
          '--budget',
          'smoke',
          '--seeds',
          '1',
          '--source',
          'synthetic',
          '--device',
          'pi5_litert',
          '--data-dir',
          shared!,
          '-o',
          o,
        ],
        {
          cwd: dir,
          timeoutMs: 120_000,
        },
      );
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('latency on pi5_litert for darcy (the table has no other task)');
      const cell = JSON.parse(fs.readFileSync(path.join(o, 'cells', 'darcy', 'seed-0.json'), 'utf8')) as {
        latency?: { device: string; ms: number; mj: number };
      };
      expect(cell.latency?.device).toBe('pi5_litert_darcy');
      expect(cell.latency!.ms).toBeGreaterThan(0);
      expect(cell.latency!.mj).toBeGreaterThan(0);
      const sat = JSON.parse(fs.readFileSync(path.join(o, 'cells', 'satellite', 'seed-0.json'), 'utf8')) as { latency?: unknown };
      expect(sat.latency).toBeUndefined();
      expect(fs.readFileSync(path.join(o, 'results.md'), 'utf8')).toMatch(/on pi5_litert_darcy: [\d.]+ ms, [\d.]+ mJ/);
      const bad = nasx(['bench360', '--tasks', 'darcy', '--budget', 'smoke', '--source', 'synthetic', '--device', 'toaster', '--data-dir', shared!, '-o', o], {
        cwd: dir,
      });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/no device "toaster"[\s\S]*pi5_litert/);
    },
  );

  it('bad input: an unknown task, a task that is not a benchmark task, an unknown budget, missing data — one message, exit 2, no stack trace', () => {
    const cases: [string[], RegExp][] = [
      [['--tasks', 'ecg,nope'], /unknown task "nope"[\s\S]*satellite/],
      [['--tasks', 'mnist', '--source', 'synthetic'], /task "mnist" is not a benchmark task/],
      [['--budget', 'huge'], /unknown budget "huge"[\s\S]*smoke, small, medium, paper/],
      [['--tasks', 'ecg', '--source', 'sample', '--data-dir', dir], /task "ecg": missing ecg_physionet2017_sample300_int16\.bin\.gz[\s\S]*physionet/],
    ];
    for (const [args, message] of cases) {
      const r = nasx(['bench360', '--budget', 'smoke', ...args, '-o', path.join(dir, 'bad')], { cwd: dir, timeoutMs: 60_000 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(r.code).toBe(2);
    }
  });
  it('bad release files (a damaged Cosmic archive, an FSD50K label missing from the label map, a PSICOV zip without its list): exit 2, one error paragraph naming the file and the fix', () => {
    const cases: [(d: string) => void, string, RegExp[]][] = [
      [
        (d) => {
          for (const f of ['deepCR.ACS-WFC.train.tar', 'deepCR.ACS-WFC.test.tar']) fs.writeFileSync(path.join(d, f), Buffer.alloc(2048, 7));
        },
        'cosmic',
        [/deepCR\.ACS-WFC\.train\.tar: is not a tar archive \(bad header checksum at byte 0\)/, /Fix: use the uncompressed \.tar of the release/],
      ],
      [
        (d) => {
          const chunks = path.join(d, 'data', 'chunks');
          fs.mkdirSync(chunks, { recursive: true });
          fs.writeFileSync(path.join(chunks, 'lbl_map.json'), JSON.stringify(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`c${i}`, i]))));
          for (const m of ['tr', 'val', 'eval']) fs.writeFileSync(path.join(chunks, `${m}.csv`), 'files,labels,ext\nx.wav,"c1,Dog",x\n');
        },
        'fsd50k',
        [/tr\.csv row 2 has label "Dog", which lbl_map\.json does not list/, /Fix: use the manifests/],
      ],
      [
        (d) => {
          // a stored zip holding only deepcov.lst
          const name = Buffer.from('deepcov.lst');
          const body = Buffer.from('1abc\n');
          const local = Buffer.alloc(30);
          local.writeUInt32LE(0x04034b50, 0);
          local.writeUInt16LE(20, 4);
          local.writeUInt32LE(body.length, 18);
          local.writeUInt32LE(body.length, 22);
          local.writeUInt16LE(name.length, 26);
          const central = Buffer.alloc(46);
          central.writeUInt32LE(0x02014b50, 0);
          central.writeUInt16LE(20, 4);
          central.writeUInt16LE(20, 6);
          central.writeUInt32LE(body.length, 20);
          central.writeUInt32LE(body.length, 24);
          central.writeUInt16LE(name.length, 28);
          const end = Buffer.alloc(22);
          end.writeUInt32LE(0x06054b50, 0);
          end.writeUInt16LE(1, 8);
          end.writeUInt16LE(1, 10);
          end.writeUInt32LE(46 + name.length, 12);
          end.writeUInt32LE(30 + name.length + body.length, 16);
          fs.writeFileSync(path.join(d, 'protein.zip'), Buffer.concat([local, name, body, central, name, end]));
        },
        'psicov',
        [/protein\.zip has no psicov\.lst/, /Fix: use protein\.zip of the NAS-Bench-360 release/],
      ],
    ];
    for (const [write, task, messages] of cases) {
      const d = fs.mkdtempSync(path.join(dir, `bad-${task}-`));
      write(d);
      const r = nasx(['bench360', '--budget', 'smoke', '--tasks', task, '--source', 'full', '--data-dir', d, '-o', path.join(d, 'out')], {
        cwd: dir,
        timeoutMs: 60_000,
      });
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error'));
      expect(errors).toHaveLength(1);
      for (const m of messages) expect(errors[0]).toMatch(m);
      expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
      expect(r.code).toBe(2);
    }
  });
});
