import type { EventDraft, SearchEvent } from '@nasx/contracts';
import { PLAIN_STATUS_MS, ProgressDisplay, REDRAW_MS } from './progress';
import { displayWidth, stripAnsi } from './text-width';

/** A terminal that keeps what is on screen: `\r\x1b[2K` clears the current line. */
class FakeTty {
  readonly isTTY: boolean;
  writes: string[] = [];
  lines: string[] = [];
  current = '';
  constructor(
    readonly columns: number,
    tty = true,
  ) {
    this.isTTY = tty;
  }
  write(text: string): void {
    this.writes.push(text);
    // eslint-disable-next-line no-control-regex
    for (const part of text.split(/(\r\x1b\[2K|\n)/)) {
      if (part === '\r\x1b[2K') this.current = '';
      else if (part === '\n') {
        this.lines.push(this.current);
        this.current = '';
      } else this.current += part;
    }
  }
}

let seq = 0;
const ev = (draft: EventDraft): SearchEvent => ({ ...draft, runId: 'r1', seq: seq++, time: Date.now() }) as SearchEvent;
const started = (evaluations = 8): SearchEvent =>
  ev({ type: 'run-started', seed: 0, resumed: false, contributions: {}, objective: 'val_acc (maximize)', budget: { evaluations } });
const phase = (label: string, extra: Record<string, unknown> = {}): SearchEvent => ev({ type: 'phase', label, ...extra } as EventDraft);
const arch = { space: 'nb201', genotype: null, key: `|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|` };
const display = (sink: FakeTty): ProgressDisplay => new ProgressDisplay(sink, (e) => `${ProgressDisplay.value(e.objective)} ${e.arch.key}`);

describe('ProgressDisplay on a terminal', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('redraws every second without events: the elapsed time and the spinner move', () => {
    const tty = new FakeTty(120);
    const d = display(tty);
    d.on(started());
    const first = tty.current;
    expect(first).toContain('0/8 evaluations · 00:00');
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).toContain('00:01');
    expect(tty.current[0]).not.toBe(first[0]);
    jest.advanceTimersByTime(5 * REDRAW_MS);
    expect(tty.current).toContain('00:06');
    d.dispose();
  });

  it('shows the current phase with its count, and the ETA from evaluations against the budget', () => {
    const tty = new FakeTty(120);
    const d = display(tty);
    d.on(started(10));
    d.on(phase('ranking 50 cells with naswot', { done: 0, total: 50, unit: 'cells', source: 'assisted-regularized-evolution' }));
    jest.advanceTimersByTime(REDRAW_MS);
    d.on(phase('ranking 50 cells with naswot', { done: 23, total: 50, unit: 'cells', source: 'assisted-regularized-evolution' }));
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).toContain('ranking 50 cells with naswot 23/50 cells');
    d.on(phase('ranking 50 cells with naswot', { ended: true, source: 'assisted-regularized-evolution' }));
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).not.toContain('ranking');
    jest.advanceTimersByTime(20_000 - 3 * REDRAW_MS);
    d.on(ev({ type: 'progress', evaluations: 2, budget: 10, elapsedMs: 20_000 }));
    // The next redraw (at most a second later): 21 s for 2 of 10, so 84 s to go.
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).toContain('2/10 evaluations · 00:21 (ETA 01:24)');
    d.dispose();
  });

  it("drops a trial's phases when the trial ends, and counts phases running beside the shown one", () => {
    const tty = new FakeTty(120);
    const d = display(tty);
    d.on(started());
    d.on(phase('training trial 0', { trial: 0, done: 10, total: 60, unit: 'steps' }));
    d.on(phase('training trial 1', { trial: 1, done: 5, total: 60, unit: 'steps' }));
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).toContain('training trial 1 5/60 steps (+1)');
    d.on(ev({ type: 'evaluated', trial: 1, arch, estimate: { metrics: { val_acc: 90 }, cost: { seconds: 1 } }, objective: 90, evaluations: 1 }));
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).toContain('training trial 0 10/60 steps');
    expect(tty.current).not.toContain('(+1)');
    d.dispose();
  });

  it.each([40, 60, 80, 120, 240])('never exceeds a %i-column terminal: the phase is cut first, then the best', (columns) => {
    const tty = new FakeTty(columns);
    const d = display(tty);
    d.on(started(100));
    d.on(ev({ type: 'new-best', trial: 3, arch, objective: 91.25, estimate: { metrics: {}, cost: { seconds: 1 } } }));
    d.on(phase('ranking 50 cells with naswot, a rather long label that goes on', { done: 23, total: 50, unit: 'cells' }));
    for (let i = 0; i < 3; i++) {
      jest.advanceTimersByTime(REDRAW_MS);
      // Every draw of the live line (messages are whole lines of their own, which may wrap).
      for (const w of tty.writes.filter((x) => x.startsWith('\r\x1b[2K') && x.length > 5)) expect(displayWidth(stripAnsi(w.slice(5)))).toBeLessThan(columns);
    }
    // The evaluations and the elapsed time always show; the best keeps both ends of its architecture.
    expect(tty.current).toContain('0/100 evaluations');
    expect(tty.current).toMatch(columns >= 60 ? /^. ranking 50 cell.* 23\/50 cells · / : /^. ranking /);
    if (columns >= 80) expect(tty.current).toContain('best 91.25');
    if (columns >= 120 && columns < 240) expect(tty.current).toMatch(/best 91\.25 \|nor.*….*~2\|$/);
    if (columns >= 240)
      expect(tty.current).toContain(
        `ranking 50 cells with naswot, a rather long label that goes on 23/50 cells · 0/100 evaluations · 00:03 · best 91.25 ${arch.key}`,
      );
    d.dispose();
  });

  it('clears the line at the end, and prints messages above it', () => {
    const tty = new FakeTty(100);
    const d = display(tty);
    d.on(started());
    d.on(ev({ type: 'log', level: 'warn', message: 'slow disk', source: 'kernel' }));
    expect(tty.lines).toEqual([expect.stringContaining('started run r1'), '[warn] slow disk']);
    expect(tty.current).toContain('0/8 evaluations');
    d.message('\nCtrl-C: stopping after the current trials…\n');
    expect(tty.lines[2]).toBe('Ctrl-C: stopping after the current trials…');
    d.on(ev({ type: 'run-finished', status: 'cancelled', reason: 'stopped', evaluations: 0, failures: 0, elapsedMs: 1 }));
    expect(tty.current).toBe('');
    // No timer is left behind: nothing is drawn after the end.
    const n = tty.writes.length;
    jest.advanceTimersByTime(10 * REDRAW_MS);
    expect(tty.writes.length).toBe(n);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('dispose() (an error, Ctrl-C) clears the line and stops the timer', () => {
    const tty = new FakeTty(100);
    const d = display(tty);
    d.on(started());
    jest.advanceTimersByTime(REDRAW_MS);
    expect(tty.current).not.toBe('');
    d.dispose();
    expect(tty.current).toBe('');
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('ProgressDisplay off a terminal', () => {
  beforeEach(() => jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') }));
  afterEach(() => jest.useRealTimers());

  it('prints a line when a phase starts and a status line at a bounded rate, not one per step', () => {
    const sink = new FakeTty(0, false);
    const d = display(sink);
    d.on(started(0));
    const before = sink.lines.length;
    // 600 steps over 60 s, an update every 100 ms.
    d.on(phase('training trial 0', { trial: 0, done: 0, total: 600, unit: 'steps' }));
    for (let step = 1; step <= 600; step++) {
      jest.advanceTimersByTime(100);
      d.on(phase('training trial 0', { trial: 0, done: step, total: 600, unit: 'steps' }));
    }
    const printed = sink.lines.slice(before);
    expect(printed[0]).toBe('training trial 0 0/600 steps');
    // One status line per PLAIN_STATUS_MS at most.
    expect(printed.length - 1).toBeLessThanOrEqual(60_000 / PLAIN_STATUS_MS + 1);
    expect(printed.length - 1).toBeGreaterThanOrEqual(60_000 / PLAIN_STATUS_MS - 1);
    expect(printed.at(-1)).toMatch(/^training trial 0 50\d\/600 steps · 0 evaluations · 00:50$/);
    // No control codes and no timer off a terminal.
    expect(sink.writes.join('')).not.toContain('\x1b');
    expect(sink.writes.join('')).not.toContain('\r');
    expect(jest.getTimerCount()).toBe(0);
    d.dispose();
  });

  it('prints new bests and every 10% of the budget', () => {
    const sink = new FakeTty(0, false);
    const d = display(sink);
    d.on(started(20));
    for (let n = 1; n <= 20; n++) d.on(ev({ type: 'progress', evaluations: n, budget: 20, elapsedMs: n }));
    const status = sink.lines.filter((l) => /evaluations/.test(l) && !l.startsWith('started'));
    expect(status.map((l) => l.split(' ')[0])).toEqual(['1/20', '2/20', '4/20', '6/20', '8/20', '10/20', '12/20', '14/20', '16/20', '18/20', '20/20']);
    d.on(ev({ type: 'new-best', trial: 3, arch, objective: 91.25, estimate: { metrics: {}, cost: { seconds: 1 } } }));
    expect(sink.lines.at(-1)).toMatch(/^new best at trial 3: 91\.25 \|nor_conv/);
  });
});
