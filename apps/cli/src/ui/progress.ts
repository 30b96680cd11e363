import type { SearchEvent } from '@nasx/contracts';
import { duration, num } from './format';

/** Where the progress display writes (stderr, so --json stdout stays clean). */
export interface ProgressSink {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
}

/**
 * Progress of a run for humans: on a TTY one line redrawn in place (bar, evaluations vs budget,
 * best so far, elapsed, ETA); otherwise plain lines at each new best and every 10% of the budget.
 */
export class ProgressDisplay {
  private evaluations = 0;
  private budget: number | undefined;
  private seconds: number | undefined;
  private best: string | undefined;
  private startedAt = Date.now();
  private elapsedBase = 0;
  private lastDraw = 0;
  private lastDecile = -1;
  private drawn = false;
  private phase: string | undefined;

  constructor(
    private readonly sink: ProgressSink,
    private readonly format: (e: Extract<SearchEvent, { type: 'new-best' }>) => string,
  ) {}

  on(e: SearchEvent): void {
    switch (e.type) {
      case 'run-started':
        this.budget = e.budget.evaluations;
        this.seconds = e.budget.seconds;
        this.startedAt = Date.now();
        this.line(
          `${e.resumed ? 'resumed' : 'started'} run ${e.runId} (seed ${e.seed}; ${e.objective}; budget ${[e.budget.evaluations && `${e.budget.evaluations} evaluations`, e.budget.seconds && `${e.budget.seconds} s`].filter(Boolean).join(', ') || 'until the searcher finishes'})`,
        );
        break;
      case 'progress':
        this.evaluations = e.evaluations;
        this.phase = e.phase;
        if (e.elapsedMs !== undefined) this.elapsedBase = e.elapsedMs - (Date.now() - this.startedAt);
        this.tick();
        break;
      case 'new-best':
        this.best = this.format(e);
        if (!this.sink.isTTY) this.line(`new best at trial ${e.trial}: ${this.best}`);
        this.tick(true);
        break;
      case 'log':
        if (e.level !== 'debug') this.line(`[${e.level}] ${e.message}`);
        break;
      case 'failed':
        this.line(`[trial ${e.trial} failed] ${e.error}`);
        break;
      case 'run-finished':
        this.clear();
        break;
      default:
        break;
    }
  }

  private elapsed(): number {
    return this.elapsedBase + (Date.now() - this.startedAt);
  }

  private tick(force = false): void {
    if (this.sink.isTTY) {
      const now = Date.now();
      if (!force && now - this.lastDraw < 100) return;
      this.lastDraw = now;
      this.draw();
    } else if (this.budget) {
      const decile = Math.floor((10 * this.evaluations) / this.budget);
      if (decile > this.lastDecile && decile > 0) {
        this.lastDecile = decile;
        this.sink.write(`${this.status()}\n`);
      }
    }
  }

  private status(): string {
    const elapsed = this.elapsed();
    const parts: string[] = [];
    if (this.budget) {
      const frac = this.evaluations / this.budget;
      const eta = frac > 0 ? (elapsed * (1 - frac)) / frac : undefined;
      parts.push(`${this.evaluations}/${this.budget} evaluations`);
      parts.push(`elapsed ${duration(elapsed)}`);
      if (eta !== undefined && frac < 1) parts.push(`ETA ${duration(eta)}`);
    } else {
      parts.push(`${this.evaluations} evaluations`);
      parts.push(`elapsed ${duration(elapsed)}${this.seconds ? ` of ${duration(this.seconds * 1000)}` : ''}`);
    }
    if (this.phase) parts.push(this.phase);
    if (this.best) parts.push(`best ${this.best}`);
    return parts.join(' | ');
  }

  private draw(): void {
    const width = Math.max(40, (this.sink.columns || 120) - 1);
    const frac = this.budget ? Math.min(1, this.evaluations / this.budget) : this.seconds ? Math.min(1, this.elapsed() / (this.seconds * 1000)) : 0;
    const barWidth = 20;
    const filled = Math.round(frac * barWidth);
    const text = `[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}] ${this.status()}`;
    this.sink.write(`\r\x1b[2K${text.slice(0, width)}`);
    this.drawn = true;
  }

  private clear(): void {
    if (this.drawn) this.sink.write('\r\x1b[2K');
    this.drawn = false;
  }

  private line(text: string): void {
    if (this.sink.isTTY) {
      this.clear();
      this.sink.write(`${text}\n`);
      this.draw();
    } else this.sink.write(`${text}\n`);
  }

  /** Human value of an objective. */
  static value(v: number | readonly number[]): string {
    return typeof v === 'number' ? num(v) : `(${v.map(num).join(', ')})`;
  }
}
