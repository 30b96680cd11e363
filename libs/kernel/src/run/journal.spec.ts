import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Architecture, Estimate, SearchEvent } from '@nasx/contracts';
import { JournalWriter, loadJournal, readJournal } from './journal';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function runDir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-journal-'));
  made.push(base);
  const dir = path.join(base, 'run-1');
  fs.mkdirSync(dir);
  return dir;
}

const arch = (ops: number[], key = `nb201:${ops.join('')}`): Architecture => ({ space: 'nb201', genotype: { ops }, key });
const estimate = (metrics: Record<string, number>): Estimate => ({ metrics, fidelity: { kind: 'test' }, cost: { seconds: 0.001 } }) as unknown as Estimate;

let seq = 0;
function ev<E extends SearchEvent>(e: Omit<E, 'runId' | 'seq' | 'time'>): E {
  return { ...e, runId: 'run-1', seq: seq++, time: 1000 + seq } as unknown as E;
}
const started = () =>
  ev({ type: 'run-started', seed: 0, resumed: false, contributions: { space: 'nb201' }, objective: 'maximize x', budget: { evaluations: 10 } } as never);
const proposed = (trial: number, a: Architecture) => ev({ type: 'proposed', trial, arch: a } as never);
const evaluated = (trial: number, a: Architecture, est: Estimate, objective: number | number[], evaluations: number, cached = false) =>
  ev({ type: 'evaluated', trial, arch: a, estimate: est, objective, evaluations, ...(cached ? { cached: true } : {}) } as never);

function write(file: string, events: readonly SearchEvent[]): void {
  const w = new JournalWriter(file, { lock: false });
  for (const e of events) w.append(e);
  w.close();
}

describe('journal: non-finite numbers round-trip', () => {
  it('writes NaN, Infinity and -Infinity (objective, estimate metrics, any event field) as JSON and reads them back exactly', () => {
    const dir = runDir();
    const file = path.join(dir, 'events.ndjson');
    const a = arch([0, 0, 0, 0, 0, 0]);
    const events: SearchEvent[] = [
      started(),
      proposed(0, a),
      evaluated(0, a, estimate({ synflow: -Infinity, other: NaN, big: Infinity, fine: 1.5 }), -Infinity, 1),
      proposed(1, arch([1, 1, 1, 1, 1, 1])),
      evaluated(1, arch([1, 1, 1, 1, 1, 1]), estimate({ synflow: NaN }), NaN, 2),
      proposed(2, arch([2, 1, 1, 1, 1, 1])),
      evaluated(2, arch([2, 1, 1, 1, 1, 1]), estimate({ synflow: Infinity }), [Infinity, -Infinity, 3], 3),
      ev({ type: 'metric', name: 'loss', value: NaN, step: 1 } as never),
      ev({ type: 'new-best', trial: 2, arch: arch([2, 1, 1, 1, 1, 1]), objective: Infinity, estimate: estimate({ synflow: Infinity }) } as never),
    ];
    write(file, events);
    // every line is JSON
    for (const line of fs.readFileSync(file, 'utf8').trim().split('\n')) expect(() => JSON.parse(line)).not.toThrow();
    const warnings: string[] = [];
    const back = readJournal(file, false, (w) => warnings.push(w));
    expect(warnings).toEqual([]);
    expect(back).toEqual(events); // toEqual treats NaN as equal to NaN and tells -Infinity from Infinity
    const e0 = back[2] as SearchEvent & { type: 'evaluated' };
    expect(e0.objective).toBe(-Infinity);
    expect(Object.is(e0.estimate.metrics['other'], NaN)).toBe(true);
    expect(e0.estimate.metrics['big']).toBe(Infinity);
  });

  it('leaves an object that merely looks like an encoded number alone when it has other keys', () => {
    const dir = runDir();
    const file = path.join(dir, 'events.ndjson');
    const log = ev({ type: 'log', level: 'info', message: 'x', info: { $num: 'NaN', other: 1 } } as never);
    write(file, [started(), log]);
    expect(readJournal(file)[1]).toEqual(log);
  });
});

describe('journal: cached duplicates are written as references', () => {
  it('restores every cached evaluation in full, and a journal grows with evaluations, not proposals', () => {
    const dir = runDir();
    const file = path.join(dir, 'events.ndjson');
    const archs = [0, 1, 2, 3].map((i) => arch([i, 4, 3, 2, 1, 0]));
    const iso = arch([9, 9, 9, 9, 9, 9], archs[1]!.key); // an isomorphic cell: same key, other genotype
    const outcomes = archs.map((_, i) => ({ est: estimate({ acc: 90 + i, latency_ms: 3.25 * i, params: 1e6 + i }), objective: 90 + i }));
    const events: SearchEvent[] = [started()];
    let evaluations = 0;
    const seen = new Set<number>();
    for (let trial = 0; trial < 1000; trial++) {
      const i = (trial * 7 + (trial >> 3)) % 4;
      const a = trial === 500 ? iso : archs[i]!;
      const j = trial === 500 ? 1 : i;
      events.push(proposed(trial, a));
      const cached = seen.has(j);
      if (!cached) evaluations++;
      seen.add(j);
      events.push(evaluated(trial, a, outcomes[j]!.est, outcomes[j]!.objective, evaluations, cached));
    }
    write(file, events);
    expect(readJournal(file)).toEqual(events);
    const bytes = fs.statSync(file).size;
    const fullTrial = (
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.includes('"estimate"')) ?? ''
    ).length;
    // 996 cached trials (a proposed and an evaluated line each): a small fraction of writing them out
    expect(bytes / 996).toBeLessThan(200);
    expect(bytes / 996).toBeLessThan(fullTrial);
  });

  it('restores references across sessions (a resumed run appends with a fresh writer)', () => {
    const dir = runDir();
    const file = path.join(dir, 'events.ndjson');
    const a = arch([1, 2, 3, 4, 0, 1]);
    const b = arch([4, 4, 4, 4, 0, 1], a.key);
    const est1 = estimate({ acc: 1 });
    const session1 = [started(), proposed(0, a), evaluated(0, a, est1, 1, 1), proposed(1, a), evaluated(1, a, est1, 1, 1, true)];
    write(file, session1);
    const est2 = estimate({ acc: 2 });
    const session2 = [
      started(),
      proposed(2, b),
      evaluated(2, b, est2, 2, 2),
      proposed(3, a),
      evaluated(3, a, est2, 2, 2, true),
      proposed(4, b),
      evaluated(4, b, est2, 2, 2, true),
    ];
    write(file, session2);
    expect(readJournal(file)).toEqual([...session1, ...session2]);
  });
});

describe('journal: damaged journals never lose data', () => {
  function goodJournal(dir: string, n = 6): { file: string; events: SearchEvent[] } {
    const file = path.join(dir, 'events.ndjson');
    const events: SearchEvent[] = [started()];
    for (let t = 0; t < n; t++)
      events.push(proposed(t, arch([t % 5, 1, 2, 3, 4, 0])), evaluated(t, arch([t % 5, 1, 2, 3, 4, 0]), estimate({ acc: t }), t, t + 1));
    write(file, events);
    return { file, events };
  }

  it('keeps every readable line after a corrupt line mid-journal, moves the bad line aside and says so', () => {
    const dir = runDir();
    const { file, events } = goodJournal(dir);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.splice(4, 0, '{"type":"evaluated","seq":99,garbage');
    fs.writeFileSync(file, lines.join('\n'));
    const r = loadJournal(file, { repair: true });
    expect(r.events).toEqual(events); // nothing after the bad line is lost
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/line 5 is not a valid journal event.*moved it to events\.ndjson\.damaged-1.*13 readable events/);
    expect(r.damagedFile).toBe(`${file}.damaged-1`);
    expect(fs.readFileSync(`${file}.damaged-1`, 'utf8')).toBe('5\t{"type":"evaluated","seq":99,garbage\n');
    // the journal now holds exactly the good lines, and reads back without warnings
    expect(loadJournal(file)).toEqual({ events, warnings: [] });
  });

  it('moves a torn last line aside (to a new damaged-<n> file each time) instead of truncating it away', () => {
    const dir = runDir();
    const { file, events } = goodJournal(dir);
    fs.writeFileSync(`${file}.damaged-1`, 'an earlier repair\n');
    fs.appendFileSync(file, '{"type":"proposed","seq":50,"ti');
    const warnings: string[] = [];
    expect(readJournal(file, true, (w) => warnings.push(w))).toEqual(events);
    expect(warnings[0]).toMatch(/the last line \(14\) was cut short; moved it to events\.ndjson\.damaged-2/);
    expect(fs.readFileSync(`${file}.damaged-1`, 'utf8')).toBe('an earlier repair\n');
    expect(fs.readFileSync(`${file}.damaged-2`, 'utf8')).toBe('14\t{"type":"proposed","seq":50,"ti\n');
    expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
  });

  it('without repair (report) skips damaged lines, warns, and changes nothing', () => {
    const dir = runDir();
    const { file, events } = goodJournal(dir);
    const text = fs.readFileSync(file, 'utf8').replace('\n', '\nnot json\n');
    fs.writeFileSync(file, text);
    const r = loadJournal(file);
    expect(r.events).toEqual(events);
    expect(r.warnings[0]).toMatch(/line 2 is not a valid journal event.*skipped it/);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
    expect(fs.readdirSync(dir)).toEqual(['events.ndjson']);
  });

  it('keeps a complete last event whose newline is missing, and ends the line on repair', () => {
    const dir = runDir();
    const { file, events } = goodJournal(dir);
    fs.truncateSync(file, fs.statSync(file).size - 1);
    expect(loadJournal(file, { repair: true })).toEqual({ events, warnings: [], damagedFile: undefined });
    expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
  });

  it.each([
    ['empty', '', /journal is empty/],
    ['all garbage', 'garbage\n\u0000\u0000\u0000\n{"half":', /no readable event \(3 damaged lines\)/],
  ])('refuses to resume from an %s journal and leaves the folder untouched', (_name, text, message) => {
    const dir = runDir();
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, text);
    expect(() => loadJournal(file, { repair: true })).toThrow(expect.objectContaining({ kind: 'data', message: expect.stringMatching(message) }));
    expect(fs.readdirSync(dir)).toEqual(['events.ndjson']);
    expect(fs.readFileSync(file, 'utf8')).toBe(text);
  });

  it('refuses to resume a run folder without a journal', () => {
    const dir = runDir();
    expect(() => loadJournal(path.join(dir, 'events.ndjson'), { repair: true })).toThrow(/has no journal/);
    expect(readJournal(path.join(dir, 'events.ndjson'))).toEqual([]);
  });
});

describe('journal: a full disk', () => {
  const full = '/dev/full'; // every write fails with ENOSPC
  const maybe = fs.existsSync(full) ? it : it.skip;

  maybe('a write that fails for lack of space is a user-facing error (exit 2), not an internal error', () => {
    const w = new JournalWriter(full, { lock: false });
    expect(() => w.append(started())).toThrow(
      expect.objectContaining({
        name: 'NasxError',
        kind: 'usage',
        message: expect.stringMatching(/cannot write the run journal: the disk is full \(ENOSPC\)/),
      }),
    );
    w.close();
  });

  maybe('a failed group commit (cheap trials, written when the event loop turns) surfaces at the next append, not as an uncaught exception', async () => {
    const w = new JournalWriter(full, { lock: false });
    const a = arch([1, 1, 1, 1, 1, 1]);
    w.append(proposed(0, a)); // buffered
    await new Promise((r) => setImmediate(r));
    expect(() => w.append(proposed(1, a))).toThrow(/the disk is full/);
    w.close();
  });

  maybe('lines still buffered when the stream ends are reported, not thrown from close()', () => {
    const warnings: string[] = [];
    const w = new JournalWriter(full, { lock: false, warn: (m) => warnings.push(m) });
    w.append(proposed(0, arch([2, 2, 2, 2, 2, 2]))); // buffered
    expect(() => w.close()).not.toThrow();
    expect(warnings).toEqual([expect.stringMatching(/could not write the last lines of \/dev\/full: cannot write the run journal: the disk is full/)]);
  });
});
