import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

/*
 * Why a thread: an in-process estimator that computes synchronously (AREA ranking its cells by
 * NASWOT on the main thread: 1 to 5 s a cell on 2 cores) blocks the main thread's event loop, so
 * the progress line's one-second timer cannot fire and the clock and spinner freeze. This small
 * worker thread has an event loop of its own: when the main thread has not redrawn the line for
 * more than a second, it redraws the last frame the main thread sent, with the elapsed time and the
 * spinner moved on, writing to the terminal's file descriptor directly. As soon as the main thread
 * draws again, it goes quiet.
 *
 * Shared memory (Int32Array over a SharedArrayBuffer):
 *   [0] a lock held while either thread writes the line (so a cleared line is never redrawn);
 *   [1] 1 once the display is disposed (the thread then never writes again);
 *   [2] milliseconds since `t0` of the main thread's last draw.
 */

/** What the thread redraws: the live line around its clock, `prefix` + time (+ ETA) + `suffix`. */
export interface WatchdogFrame {
  readonly prefix: string;
  readonly suffix: string;
  /** Wall-clock milliseconds at which the elapsed time was `elapsedMs`. */
  readonly at: number;
  readonly elapsedMs: number;
  /** Fraction of the evaluation budget done, for the ETA (absent: no ETA). */
  readonly fraction?: number;
  /** Columns the line may take (the thread cuts it there). */
  readonly width: number;
}

const LOCK = 0;
const STOPPED = 1;
const MAIN_DRAW = 2;

const SCRIPT = `
const { workerData, parentPort } = require('node:worker_threads');
const fs = require('node:fs');
const { fitText } = require(workerData.textWidth);
const { duration } = require(workerData.format);
const shared = new Int32Array(workerData.sab);
const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
let frame;
let last = 0;
let n = 0;
parentPort.on('message', (f) => { frame = f; });
const timer = setInterval(() => {
  if (Atomics.load(shared, ${STOPPED})) { clearInterval(timer); return; }
  if (!frame) return;
  const now = Date.now();
  if (now - (workerData.t0 + Atomics.load(shared, ${MAIN_DRAW})) < 1100 || now - last < 1000) return;
  if (Atomics.compareExchange(shared, ${LOCK}, 0, 1) !== 0) return;
  try {
    if (Atomics.load(shared, ${STOPPED})) return;
    const elapsed = frame.elapsedMs + (now - frame.at);
    const f = frame.fraction;
    const eta = f !== undefined && f > 0 && f < 1 ? ' (ETA ' + duration((elapsed * (1 - f)) / f) + ')' : '';
    const text = SPINNER[n++ % SPINNER.length] + ' ' + frame.prefix + duration(elapsed) + eta + frame.suffix;
    fs.writeSync(workerData.fd, '\\r\\x1b[2K' + fitText(text, frame.width));
    last = now;
  } catch {
    clearInterval(timer);
  } finally {
    Atomics.store(shared, ${LOCK}, 0);
  }
}, 200);
`;

/** The main thread's side of the watchdog thread (see the header of this file). */
export class TtyWatchdog {
  private readonly shared = new Int32Array(new SharedArrayBuffer(12));
  private readonly t0 = Date.now();
  private readonly worker: Worker;

  private constructor(fd: number) {
    this.worker = new Worker(SCRIPT, {
      eval: true,
      workerData: {
        sab: this.shared.buffer,
        fd,
        t0: this.t0,
        textWidth: path.join(__dirname, 'text-width.js'),
        format: path.join(__dirname, 'format.js'),
      },
      stdout: false,
      stderr: false,
    });
    // A display must never keep the process alive, nor fail a run.
    this.worker.unref();
    this.worker.on('error', () => undefined);
  }

  /** A watchdog writing to `fd`, or undefined where threads or the compiled helpers are missing (tests). */
  static start(fd: number): TtyWatchdog | undefined {
    if (!__filename.endsWith('.js')) return undefined;
    try {
      return new TtyWatchdog(fd);
    } catch {
      return undefined;
    }
  }

  /** The main thread draws `frame` now (with the lock held: call inside {@link locked}). */
  drew(frame: WatchdogFrame): void {
    Atomics.store(this.shared, MAIN_DRAW, Date.now() - this.t0);
    this.worker.postMessage(frame);
  }

  /** Run `write` while the thread cannot write (it holds the lock for one short write at most). */
  locked(write: () => void): void {
    while (Atomics.compareExchange(this.shared, LOCK, 0, 1) !== 0) {
      // The thread's write is one small syscall: spin.
    }
    try {
      write();
      Atomics.store(this.shared, MAIN_DRAW, Date.now() - this.t0);
    } finally {
      Atomics.store(this.shared, LOCK, 0);
    }
  }

  /** Stop for good; the line may then be cleared without the thread drawing it back. */
  stop(): void {
    this.locked(() => Atomics.store(this.shared, STOPPED, 1));
    void this.worker.terminate().catch(() => undefined);
  }
}
