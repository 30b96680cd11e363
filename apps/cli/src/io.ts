/** Where the CLI writes; tests pass buffers. */
export interface CliIO {
  out(text: string): void;
  err(text: string): void;
  readonly errIsTTY: boolean;
  readonly columns?: number;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
}

/** The process's streams. */
export function processIO(): CliIO {
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    errIsTTY: Boolean(process.stderr.isTTY),
    columns: process.stderr.columns,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Exit codes: success, run failed, bad input. */
export const EXIT = { ok: 0, failed: 1, input: 2 } as const;
