import type { PhaseEvent, SearchEvent } from '@nasx/contracts';
import { duration, num } from './format';
import { displayWidth, fitText } from './text-width';
import { TtyWatchdog } from './tty-watchdog';

/** Where the progress display writes (stderr, so --json stdout stays clean). */
export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
  /**
   * The terminal's file descriptor (2 for stderr). With it, a watchdog thread keeps the clock and
   * spinner moving while the main thread is blocked by synchronous work (see `tty-watchdog.ts`).
   */
  readonly fd?: number;
}

/** How often the live line is redrawn without events (elapsed time and the spinner move). */
export const REDRAW_MS = 1000;
/** Events redraw the live line at most this often (a table-lookup run sends thousands a second). */
const EVENT_REDRAW_MS = 100;
/** Off a terminal: a status line at most this often (plus new bests, phase starts and every 10% of the budget). */
export const PLAIN_STATUS_MS = 10_000;
/** The phase text is cut to no fewer columns than this before the best-so-far is cut. */
const MIN_PHASE = 28;
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** A phase in progress (the latest `phase` event of its label, source and trial). */
interface ActivePhase {
  readonly label: string;
  readonly done?: number;
  readonly total?: number;
  readonly unit?: string;
  readonly trial?: number;
}

/** The count of a phase: ` 23/50 cells`, ` 40 steps`, or nothing. */
function countText(p: ActivePhase): string {
  if (p.total !== undefined) return ` ${p.done ?? 0}/${p.total}${p.unit ? ` ${p.unit}` : ''}`;
  if (p.done !== undefined) return ` ${p.done}${p.unit ? ` ${p.unit}` : ''}`;
  return '';
}

/** `ranking 50 cells with naswot 23/50 cells`, `training trial 3 40/60 steps`, `fitting gcn`. */
export function phaseText(p: ActivePhase): string {
  return `${p.label}${countText(p)}`;
}

/**
 * `best 91.25 <architecture>` in `room` columns: the architecture elided in its middle, the value
 * kept; just `best 91.25` when the architecture has no room; nothing when even that does not fit.
 */
function fitBest(best: string, room: number): string | undefined {
  if (displayWidth(best) <= room) return best;
  const m = /^(best \S+)( )(.*)$/.exec(best);
  const value = m ? (m[1] as string) : best;
  if (m && room - displayWidth(value) - 1 >= 12) return `${value} ${fitText(m[3] as string, room - displayWidth(value) - 1, 'middle')}`;
  return displayWidth(value) <= room ? value : undefined;
}

/**
 * Progress of a run for humans.
 *
 * On a terminal: one live line, redrawn on events (at most every 100 ms) and by a timer every
 * second, so the spinner and the elapsed time move while a long phase sends nothing. It shows the
 * current phase with its count, evaluations against the budget, elapsed time, ETA and the best so
 * far, and never exceeds the terminal's width: the phase is cut first, then the best. Messages
 * (logs, failures, Ctrl-C) are printed above it; {@link dispose} clears it (end, error, Ctrl-C).
 *
 * Elsewhere (a pipe, a CI log): plain lines at the start of each phase, at each new best, every
 * 10% of the budget, and a status line at most every 10 s, never one per step.
 */
export class ProgressDisplay {
  private evaluations = 0;
  private budget: number | undefined;
  private seconds: number | undefined;
  private best: string | undefined;
  private startedAt = Date.now();
  private elapsedBase = 0;
  private lastDraw = -Infinity;
  private lastPlain = -Infinity;
  private lastDecile = -1;
  private drawn = false;
  private frame = 0;
  private timer: ReturnType<typeof setInterval> | undefined;
  private disposed = false;
  private watchdog: TtyWatchdog | undefined;
  /** The clock part of the last status (`00:20 (ETA 01:24)`), for the watchdog's frames. */
  private timePiece = '';
  /** Phases in progress by label/source/trial, in the order they started (the last one is shown). */
  private readonly phases = new Map<string, ActivePhase>();

  constructor(
    private readonly sink: ProgressSink,
    private readonly format: (e: Extract<SearchEvent, { type: 'new-best' }>) => string,
  ) {}

  on(e: SearchEvent): void {
    if (this.disposed) return;
    switch (e.type) {
      case 'run-started':
        this.budget = e.budget.evaluations;
        this.seconds = e.budget.seconds;
        this.startedAt = Date.now();
        this.message(
          `${e.resumed ? 'resumed' : 'started'} run ${e.runId} (seed ${e.seed}; ${e.objective}; budget ${[e.budget.evaluations && `${e.budget.evaluations} evaluations`, e.budget.seconds && `${e.budget.seconds} s`].filter(Boolean).join(', ') || 'until the searcher finishes'})`,
        );
        this.startTimer();
        break;
      case 'progress':
        this.evaluations = e.evaluations;
        if (e.elapsedMs !== undefined) this.elapsedBase = e.elapsedMs - (Date.now() - this.startedAt);
        this.update();
        break;
      case 'phase':
        this.onPhase(e);
        break;
      case 'evaluated':
      case 'failed':
        // The trial's own phases (its training steps) are over.
        for (const [k, p] of this.phases) if (p.trial === e.trial) this.phases.delete(k);
        if (e.type === 'failed') this.message(`[trial ${e.trial} failed] ${e.error}`);
        break;
      case 'new-best':
        this.best = this.format(e);
        if (!this.sink.isTTY) this.sink.write(`new best at trial ${e.trial}: ${this.best}\n`);
        this.update(true);
        break;
      case 'log':
        if (e.level !== 'debug') this.message(`[${e.level}] ${e.message}`);
        break;
      case 'run-finished':
        this.dispose();
        break;
      default:
        break;
    }
  }

  /**
   * Print a message on its own line (above the live line on a terminal, which is redrawn after it).
   * Used for logs, failures and the Ctrl-C notice.
   */
  message(text: string): void {
    if (this.sink.isTTY && !this.disposed) {
      // The live line is cleared first: a leading newline (the Ctrl-C notice's) would leave a blank line.
      const body = text.replace(/^\n+/, '');
      this.locked(() => {
        this.clearUnlocked();
        this.sink.write(body.endsWith('\n') ? body : `${body}\n`);
      });
      if (this.timer) this.draw();
    } else this.sink.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /**
   * Run `write` with the live line cleared (it writes to the same terminal through another stream,
   * e.g. `nasx score`'s rows on stdout); the line comes back at the next redraw.
   */
  clearFor(write: () => void): void {
    this.locked(() => {
      this.clearUnlocked();
      write();
    });
  }

  /** Stop the timer and clear the live line (the run ended, failed or was interrupted). Idempotent. */
  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // The watchdog stops first, so that it cannot draw the line back after it is cleared.
    this.watchdog?.stop();
    this.watchdog = undefined;
    this.clear();
    this.phases.clear();
    this.disposed = true;
  }

  /** The status text (without the spinner), fitted to `width` columns when given. */
  status(width = Infinity): string {
    const elapsed = this.elapsed();
    const core: string[] = [];
    if (this.budget) {
      const frac = Math.min(1, this.evaluations / this.budget);
      const eta = frac > 0 && frac < 1 ? (elapsed * (1 - frac)) / frac : undefined;
      core.push(`${this.evaluations}/${this.budget} evaluations`);
      core.push(`${duration(elapsed)}${eta !== undefined ? ` (ETA ${duration(eta)})` : ''}`);
    } else {
      core.push(`${this.evaluations} evaluations`);
      const left = this.seconds ? this.seconds * 1000 - elapsed : undefined;
      core.push(
        `${duration(elapsed)}${this.seconds ? ` of ${duration(this.seconds * 1000)}` : ''}${left !== undefined && left > 0 ? ` (ETA ${duration(left)})` : ''}`,
      );
    }
    const sep = ' · ';
    this.timePiece = core[1] as string;
    const coreText = core.join(sep);
    const phase = this.currentPhase(Infinity);
    const best = this.best ? `best ${this.best}` : undefined;
    const full = [phase, coreText, best].filter((x): x is string => x !== undefined).join(sep);
    if (displayWidth(full) <= width) return full;
    // Cut the phase first (down to MIN_PHASE columns), then the best (its architecture in the
    // middle), then whatever is left.
    let room = width - displayWidth(coreText) - (best ? displayWidth(sep) + displayWidth(best) : 0) - displayWidth(sep);
    let phaseText = phase;
    if (phase !== undefined) phaseText = this.currentPhase(Math.max(room, Math.min(MIN_PHASE, width - displayWidth(coreText) - displayWidth(sep))));
    room = width - displayWidth(coreText) - (phaseText !== undefined ? displayWidth(phaseText) + displayWidth(sep) : 0) - displayWidth(sep);
    const bestText = best === undefined ? undefined : fitBest(best, room);
    return fitText([phaseText, coreText, bestText].filter((x): x is string => x !== undefined).join(sep), width);
  }

  private onPhase(e: PhaseEvent): void {
    const key = `${e.source ?? ''}\u0000${e.trial ?? ''}\u0000${e.label}`;
    if (e.ended) {
      this.phases.delete(key);
      this.update();
      return;
    }
    const started = !this.phases.has(key);
    this.phases.set(key, { label: e.label, done: e.done, total: e.total, unit: e.unit, trial: e.trial });
    if (!this.sink.isTTY && started) {
      this.sink.write(`${phaseText(this.phases.get(key) as ActivePhase)}\n`);
      return;
    }
    this.update();
  }

  /**
   * The phase shown: the latest started one still in progress, with how many others run beside it,
   * in at most `width` columns: the label is cut first, the count kept (`training tr… 40/60 steps`).
   */
  private currentPhase(width: number): string | undefined {
    let last: ActivePhase | undefined;
    for (const p of this.phases.values()) last = p;
    if (!last) return undefined;
    const suffix = `${countText(last)}${this.phases.size > 1 ? ` (+${this.phases.size - 1})` : ''}`;
    const full = `${last.label}${suffix}`;
    if (displayWidth(full) <= width) return full;
    const room = width - displayWidth(suffix);
    return room >= 8 ? `${fitText(last.label, room)}${suffix}` : fitText(full, Math.max(0, width));
  }

  private elapsed(): number {
    return this.elapsedBase + (Date.now() - this.startedAt);
  }

  private startTimer(): void {
    if (!this.sink.isTTY || this.timer) return;
    this.timer = setInterval(() => this.draw(), REDRAW_MS);
    if (this.sink.fd !== undefined) this.watchdog = TtyWatchdog.start(this.sink.fd);
    // The display must never keep a finished process alive.
    (this.timer as { unref?: () => void }).unref?.();
    this.draw();
  }

  private update(force = false): void {
    const now = Date.now();
    if (this.sink.isTTY) {
      if (!force && now - this.lastDraw < EVENT_REDRAW_MS) return;
      this.draw();
      return;
    }
    const decile = this.budget ? Math.floor((10 * this.evaluations) / this.budget) : -1;
    if ((decile > this.lastDecile && decile > 0) || now - this.lastPlain >= PLAIN_STATUS_MS) {
      if (decile > this.lastDecile) this.lastDecile = decile;
      this.lastPlain = now;
      this.sink.write(`${this.status()}\n`);
    }
  }

  private draw(): void {
    if (this.disposed) return;
    this.lastDraw = Date.now();
    // One column is left free: writing the last column makes some terminals wrap.
    const width = Math.max(20, (this.sink.columns || 80) - 1);
    const spinner = SPINNER[this.frame++ % SPINNER.length] as string;
    const status = this.status(width - 2);
    this.locked(() => this.sink.write(`\r\x1b[2K${spinner} ${status}`));
    this.drawn = true;
    if (this.watchdog) {
      // The frame the watchdog redraws while the main thread is blocked: the line around its clock.
      const at = status.indexOf(` · ${this.timePiece}`);
      if (at >= 0 && this.timePiece) {
        const end = at + 3 + this.timePiece.length;
        this.watchdog.drew({
          prefix: status.slice(0, at + 3),
          suffix: status.slice(end),
          at: Date.now(),
          elapsedMs: this.elapsed(),
          ...(this.budget ? { fraction: Math.min(1, this.evaluations / this.budget) } : {}),
          width,
        });
      }
    }
  }

  private clear(): void {
    this.locked(() => this.clearUnlocked());
  }

  private clearUnlocked(): void {
    if (this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
  }

  /** Write to the terminal while the watchdog thread cannot. */
  private locked(write: () => void): void {
    if (this.watchdog) this.watchdog.locked(write);
    else write();
  }

  /** Human value of an objective. */
  static value(v: number | readonly number[]): string {
    return typeof v === 'number' ? num(v) : `(${v.map(num).join(', ')})`;
  }
}
