import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type JsonObject } from '@nasx/contracts';

/** What a run folder's `config.json` holds. */
export interface SavedRunConfig {
  readonly runId: string;
  readonly kernelVersion: string;
  readonly createdAt: string;
  /** The config file the run was started from. */
  readonly configFile: string;
  /**
   * The folder relative paths of the config resolve against (the config file's): `plugins`,
   * `dataDir` and plugin options keep working on resume from any working directory. Absent in runs
   * of older versions, whose relative paths resolve against the config file's folder.
   */
  readonly configDir?: string;
  /** The config after overrides, with the seed made explicit. */
  readonly config: JsonObject;
}

/** File names inside `runs/<id>/`. */
export const RUN_FILES = { config: 'config.json', journal: 'events.ndjson', summary: 'summary.json', state: 'state', lock: 'lock' } as const;

/** Default sink of warnings the run store and the journal raise when no caller takes them: one line on stderr. */
export function warnOnStderr(message: string): void {
  process.stderr.write(`nasx: warning: ${message}\n`);
}

const WHY: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  ENOTDIR: 'a file is in the way (not a folder)',
  EEXIST: 'a file of that name is in the way (not a folder)',
  ENOENT: 'it cannot be created there',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
};

/** A user-facing error for a runs directory or run folder that cannot be written; other errors are returned as they are. */
export function runsDirError(target: string, e: unknown, what = 'the runs directory'): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === undefined || WHY[code] === undefined) return e;
  return new NasxError('usage', `cannot write ${what}: ${WHY[code]} (${code})`, {
    file: target,
    fix:
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free disk space, or choose another runs directory with --runs-dir'
        : 'choose a writable folder with --runs-dir (or runsDir: in the config)',
  });
}

/**
 * `mkdir -p` that cannot hang. Node's recursive mkdirSync loops forever when mkdir fails with ENOENT
 * under a parent that exists (it retries the parent, which exists, then the child again): that is
 * what /proc and other virtual file systems answer (`--runs-dir /proc/x` hung). Here every missing
 * level is created once, and any failure is an error.
 */
export function makeDirs(dir: string): void {
  const missing: string[] = [];
  let cur = path.resolve(dir);
  for (;;) {
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(cur);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw e;
    }
    if (st) {
      if (!st.isDirectory()) throw Object.assign(new Error(`not a directory: ${cur}`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(cur);
    const parent = path.dirname(cur);
    if (parent === cur) break;
    cur = parent;
  }
  for (const d of missing.reverse()) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST' && fs.statSync(d).isDirectory()) continue;
      throw e;
    }
  }
}

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Create `runs/<name>-<date>-<time>-<rand>/` and write its config. */
export function createRunFolder(runsDir: string, name: string, saved: Omit<SavedRunConfig, 'runId'>): { runId: string; dir: string } {
  try {
    makeDirs(runsDir);
  } catch (e) {
    throw runsDirError(runsDir, e);
  }
  for (;;) {
    const runId = `${name}-${stamp(new Date())}-${Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0')}`;
    const dir = path.join(runsDir, runId);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw runsDirError(runsDir, e);
    }
    try {
      fs.writeFileSync(path.join(dir, RUN_FILES.config), JSON.stringify({ runId, ...saved }, null, 2) + '\n');
    } catch (e) {
      // A full disk: leave no half-made run folder behind.
      fs.rmSync(dir, { recursive: true, force: true });
      throw runsDirError(runsDir, e);
    }
    return { runId, dir };
  }
}

/** Read a run folder's saved config; a clear error when the folder is not a run. */
export function readRunFolder(dir: string): SavedRunConfig {
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) {
    throw new NasxError('usage', `"${dir}" is not a run folder (no ${RUN_FILES.config})`, {
      file: dir,
      fix: 'pass a folder under runs/ created by "nasx run" (ls runs/)',
    });
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SavedRunConfig;
  } catch (e) {
    throw new NasxError('usage', `the run's ${RUN_FILES.config} is not valid JSON (${(e as Error).message})`, {
      file,
      fix: 'the run folder is damaged; start a new run',
    });
  }
}

/** A held lock on a run folder (see {@link lockRunFolder}). */
export interface RunFolderLock {
  /** The lock file. */
  readonly file: string;
  /** Set when a stale lock (its process no longer alive) was taken over. */
  readonly tookOverFrom?: number;
  /** Remove the lock (idempotent; also done when the process exits). */
  release(): void;
}

/** True if a process with this id exists (signal 0 checks without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in a lock file, or undefined when it cannot be read (being written, damaged). */
function lockHolder(file: string): number | undefined {
  try {
    const pid = Number.parseInt(fs.readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function inUse(dir: string, pid: number): NasxError {
  const runId = path.basename(dir);
  return new NasxError('usage', `run ${runId} is in use by process ${pid} (another nasx run or resume is writing it)`, {
    file: dir,
    fix: `wait for that process to end, or stop it (kill ${pid}), then run the command again; if no nasx process ${pid} is running on this run, delete ${path.join(dir, RUN_FILES.lock)}`,
  });
}

/** The pid of the live process writing a run folder (holding its lock), or undefined when none is. */
export function runFolderWriter(dir: string): number | undefined {
  const pid = lockHolder(path.join(dir, RUN_FILES.lock));
  return pid !== undefined && alive(pid) ? pid : undefined;
}

/**
 * Throw the "in use" error if a live process other than this one holds the run folder's lock
 * (checked before anything in the folder is changed, e.g. a journal repair on resume).
 */
export function assertRunFolderFree(dir: string): void {
  const pid = lockHolder(path.join(dir, RUN_FILES.lock));
  if (pid !== undefined && pid !== process.pid && alive(pid)) throw inUse(dir, pid);
}

/**
 * Lock a run folder for writing: one writer per run. The lock is the file `lock` in the folder,
 * created with O_EXCL and holding the writer's pid. A second writer gets a `NasxError` (exit 2):
 * "run <id> is in use by process <pid>", with the fix. A stale lock, whose process is no longer
 * alive (a killed run), is taken over with a warning. The lock is released by `release()` and, as a
 * last resort, when the process exits.
 *
 * @example
 * const lock = lockRunFolder(runDir);
 * try { … append to the journal … } finally { lock.release(); }
 */
export function lockRunFolder(dir: string, opts: { warn?: (message: string) => void } = {}): RunFolderLock {
  const file = path.join(dir, RUN_FILES.lock);
  const warn = opts.warn ?? warnOnStderr;
  let tookOverFrom: number | undefined;
  let tookOver = false;
  for (let attempt = 0; ; attempt++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw runsDirError(dir, e, 'the run folder');
      const pid = lockHolder(file);
      if (pid !== undefined && alive(pid)) throw inUse(dir, pid);
      if (pid === undefined && attempt === 0) {
        // Maybe being written by a process that has just created it: look again once, 50 ms later.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
      if (attempt > 2) throw inUse(dir, pid ?? 0);
      fs.rmSync(file, { force: true });
      tookOverFrom = pid;
      tookOver = true;
      continue;
    }
    try {
      fs.writeSync(fd, `${process.pid}\n`);
    } finally {
      fs.closeSync(fd);
    }
    break;
  }
  if (tookOver)
    warn(
      `run ${path.basename(dir)} was locked by ${tookOverFrom === undefined ? 'a lock file without a process id' : `process ${tookOverFrom}, which is no longer running (killed?)`}; took the lock over`,
    );
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.off('exit', release);
    // Remove the lock only while it is still ours.
    if (lockHolder(file) === process.pid) fs.rmSync(file, { force: true });
  };
  process.on('exit', release);
  return { file, tookOverFrom, release };
}
