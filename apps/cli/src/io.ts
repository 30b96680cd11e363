/** Where the CLI writes; tests pass buffers. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly errIsTTY: boolean;
  /** File descriptor of stderr when it is a terminal (the progress line's watchdog thread writes there). */
  readonly errFd?: number;
  /** Width of stderr when it is a terminal (the progress line). */
  readonly columns?: number;
  /** stdout is a terminal (`nasx score` then prints a table instead of CSV). */
  readonly outIsTTY?: boolean;
  /** Width of stdout when it is a terminal (tables); see `outputWidth`. */
  readonly outColumns?: number;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /**
   * Calls `listener` once when stdout's reader goes away (`nasx run --json | head -1`: EPIPE); later
   * `out` calls are dropped. Returns a function that removes the listener. Absent: stdout never closes.
   */
  onOutClosed?(listener: () => void): () => void;
}

/** A stream whose reader went away: a pipe closed early (EPIPE), or the stream was destroyed. */
function readerGone(e: NodeJS.ErrnoException): boolean {
  return e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ECONNRESET';
}

/** The process's streams. A closed stdout or stderr (EPIPE) is not an error: nothing more is written there. */
export function processIO(): CliIO {
  let outClosed = false;
  let errClosed = false;
  const listeners = new Set<() => void>();
  const closeOut = (): void => {
    if (outClosed) return;
    outClosed = true;
    for (const l of [...listeners]) l();
  };
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (!readerGone(e)) throw e;
    closeOut();
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (!readerGone(e)) throw e;
    errClosed = true;
  });
  return {
    out: (t) => {
      if (outClosed) return;
      process.stdout.write(t);
      // A failed write destroys the stream at once, but its 'error' event waits for the next tick,
      // which a busy run may not give for a long time: look now.
      if (process.stdout.destroyed) closeOut();
    },
    err: (t) => {
      if (!errClosed) process.stderr.write(t);
    },
    errIsTTY: Boolean(process.stderr.isTTY),
    errFd: process.stderr.isTTY ? 2 : undefined,
    columns: process.stderr.columns,
    outIsTTY: Boolean(process.stdout.isTTY),
    outColumns: process.stdout.isTTY ? process.stdout.columns : undefined,
    cwd: process.cwd(),
    env: process.env,
    onOutClosed(listener) {
      if (outClosed) {
        listener();
        return () => undefined;
      }
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/**
 * Exit codes: 0 success; 1 the run failed (or an internal error); 2 bad input (config, options,
 * data, plugin, a run folder in use); 130 / 143 the run was stopped by SIGINT (Ctrl-C) / SIGTERM
 * and can be resumed; 141 stdout's reader went away (`| head`) and the run was stopped, resumable.
 */
export const EXIT = { ok: 0, failed: 1, input: 2, sigint: 130, sigpipe: 141, sigterm: 143 } as const;
