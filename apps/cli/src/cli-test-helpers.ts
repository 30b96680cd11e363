import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The built CLI entry (tests run the real command, as a user would). */
export const NASX_BIN = path.resolve(__dirname, '..', 'bin', 'nasx.js');
export const WORKSPACE = path.resolve(__dirname, '..', '..', '..');

/** Run `nasx …` to completion. */
export function nasx(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; /** Run as this user id (via setpriv; needs root). */ uid?: number } = {},
): { code: number; stdout: string; stderr: string } {
  const [cmd, argv] =
    opts.uid === undefined
      ? [process.execPath, [NASX_BIN, ...args]]
      : ['setpriv', [`--reuid=${opts.uid}`, `--regid=${opts.uid}`, '--clear-groups', process.execPath, NASX_BIN, ...args]];
  const r = spawnSync(cmd, argv, {
    cwd: opts.cwd ?? WORKSPACE,
    env: { ...process.env, NASX_DEBUG: '', ...opts.env },
    encoding: 'utf8',
    timeout: opts.timeoutMs,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Start `nasx …` without waiting. */
export function nasxChild(args: readonly string[], opts: { cwd?: string } = {}) {
  return spawn(process.execPath, [NASX_BIN, ...args], {
    cwd: opts.cwd ?? WORKSPACE,
    env: { ...process.env, NASX_DEBUG: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * A user id that permissions apply to, for tests of unwritable folders: the current user when it is
 * not root; `nobody` (65534) through setpriv when root (root ignores permissions); undefined when
 * root has no setpriv.
 */
export function unprivilegedUid(): number | 'self' | undefined {
  if (process.getuid?.() !== 0) return 'self';
  return spawnSync('setpriv', ['--version']).status === 0 ? 65534 : undefined;
}

/** A temporary folder with files in it. */
export function tempDir(files: Record<string, string> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-cli-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/**
 * Run `nasx …` in this process, through the same `main` the command calls, with stdout and stderr
 * captured: for rows that check an exit code and a message, without the start-up of a new Node
 * process per row. Paths in `args` must be absolute (the process's working folder is not changed);
 * whatever needs a real process (signals, exit with handles open, other users) uses {@link nasx}.
 */
export async function nasxInProcess(
  args: readonly string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  // Loaded on first use: most specs of this folder spawn the built command and never need it.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { main } = require('./main') as typeof import('./main');
  let stdout = '';
  let stderr = '';
  const env = { NASX_DEBUG: '', ...opts.env };
  // The overrides also go into process.env for the call (code that reads it directly sees what a
  // spawned command would), and the previous values come back after it.
  const saved = Object.keys(env).map((k) => [k, process.env[k]] as const);
  Object.assign(process.env, env);
  try {
    const code = await main(args, {
      out: (t) => void (stdout += t),
      err: (t) => void (stderr += t),
      errIsTTY: false,
      cwd: opts.cwd ?? WORKSPACE,
      env: { ...process.env },
    });
    return { code, stdout, stderr };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
