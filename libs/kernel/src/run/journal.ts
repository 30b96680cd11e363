import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type Estimate, type ObjectiveValue, type SearchEvent } from '@nasx/contracts';
import { assertRunFolderFree, lockRunFolder, warnOnStderr, type RunFolderLock } from './run-store';

/*
 * Journal line format (NDJSON, one event a line; the run id is the folder's name and is left out):
 *
 * - Numbers JSON cannot hold (NaN, Infinity, -Infinity: synflow's score of the all-`none` cell, an
 *   estimator's NaN) are written as {"$num":"NaN"}, {"$num":"Infinity"}, {"$num":"-Infinity"}
 *   wherever they occur in an event; {@link readJournal} turns them back into numbers.
 * - A `proposed` line whose architecture was already written (same key, same JSON) carries
 *   `"ref":"<key>"` instead of `"arch"`.
 * - A cached `evaluated` line (a duplicate answered from an earlier evaluation) carries
 *   `"ref":"<key>"` instead of `objective` and `estimate`: they are those of the last uncached
 *   evaluation of that key earlier in the journal; `arch` is left out too when it is that
 *   evaluation's architecture. A 5,000-evaluation run that proposes many duplicates thus grows
 *   with its evaluations, not its proposals (it was 128 MB when every cache hit was written out).
 */

/** Key of an encoded non-finite number. */
const NUM = '$num';

function nonFiniteReplacer(_key: string, v: unknown): unknown {
  return typeof v === 'number' && !Number.isFinite(v) ? { [NUM]: String(v) } : v;
}

/** JSON text of a value, non-finite numbers encoded as `{"$num":"-Infinity"}` (JSON.stringify would write `null`). */
export function journalJson(value: unknown): string {
  const fast = JSON.stringify(value);
  // JSON.stringify writes non-finite numbers as null: only then is the slower replacer pass needed.
  return fast !== undefined && fast.includes('null') ? JSON.stringify(value, nonFiniteReplacer) : fast;
}

function nonFiniteReviver(_key: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    const t = o[NUM];
    if (typeof t === 'string' && Object.keys(o).length === 1 && (t === 'NaN' || t === 'Infinity' || t === '-Infinity')) return Number(t);
  }
  return v;
}

/** Parse one journal line (decoding non-finite numbers). Throws on text that is not JSON. */
export function parseJournalLine(line: string): unknown {
  return line.includes(`"${NUM}"`) ? JSON.parse(line, nonFiniteReviver) : JSON.parse(line);
}

/**
 * Serialises events into journal lines, remembering what it wrote so that repeated architectures and
 * cached evaluations are written as references (see the format above).
 */
export class JournalEncoder {
  /** JSON of architectures already written once (each trial uses its architecture twice or more). */
  private readonly archJson = new WeakMap<object, string>();
  /** Per key: the architecture JSON written for it. */
  private readonly archByKey = new Map<string, string>();
  /** Per key: the last uncached evaluation written. */
  private readonly evaluatedByKey = new Map<string, { archText: string; estimate: Estimate; objective: ObjectiveValue; estimateText?: string }>();

  private archText(arch: Architecture): string {
    let t = this.archJson.get(arch);
    if (t === undefined) {
      t = journalJson(arch);
      this.archJson.set(arch, t);
    }
    return t;
  }

  private sameEvaluation(
    prev: { estimate: Estimate; objective: ObjectiveValue; estimateText?: string },
    e: { estimate: Estimate; objective: ObjectiveValue },
  ): boolean {
    if (!sameObjective(prev.objective, e.objective)) return false;
    if (prev.estimate === e.estimate) return true;
    prev.estimateText ??= journalJson(prev.estimate);
    return prev.estimateText === journalJson(e.estimate);
  }

  /** One journal line (without the newline). */
  line(e: SearchEvent): string {
    if (e.type === 'proposed') {
      const a = this.archText(e.arch);
      const known = this.archByKey.get(e.arch.key);
      if (known === a) return `{"type":"proposed","seq":${e.seq},"time":${e.time},"trial":${e.trial},"ref":${JSON.stringify(e.arch.key)}}`;
      this.archByKey.set(e.arch.key, a);
      return `{"type":"proposed","seq":${e.seq},"time":${e.time},"trial":${e.trial},"arch":${a}}`;
    }
    if (e.type === 'evaluated') {
      const a = this.archText(e.arch);
      const head = `{"type":"evaluated","seq":${e.seq},"time":${e.time},"trial":${e.trial},"evaluations":${e.evaluations},`;
      if (e.cached) {
        const prev = this.evaluatedByKey.get(e.arch.key);
        if (prev && this.sameEvaluation(prev, e)) {
          return `${head}"cached":true,"ref":${JSON.stringify(e.arch.key)}${prev.archText === a ? '' : `,"arch":${a}`}}`;
        }
      } else {
        this.evaluatedByKey.set(e.arch.key, { archText: a, estimate: e.estimate, objective: e.objective });
      }
      this.archByKey.set(e.arch.key, a);
      return `${head}${e.cached ? '"cached":true,' : ''}"objective":${journalJson(e.objective)},"arch":${a},"estimate":${journalJson(e.estimate)}}`;
    }
    const { runId: _r, ...rest } = e;
    return journalJson(rest);
  }
}

function sameObjective(a: ObjectiveValue, b: ObjectiveValue): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
  return a.length === b.length && a.every((x, i) => Object.is(x, b[i]));
}

/** Evaluations that took at least this long are written before the run goes on. */
const EXPENSIVE_SECONDS = 0.01;
/** Cheap trials (table lookups) are group-committed at most this many lines at a time. */
const MAX_BUFFERED_LINES = 256;

/**
 * Append-only NDJSON journal of a run's events (`progress` and `phase` events, which are for displays
 * only, are not kept). Writes are synchronous `write` calls, which survive a killed process:
 * - the start and the end of a run, and every trial whose estimate cost ≥ 10 ms, are written
 *   at once, before the loop goes on;
 * - cheap trials (table lookups, microseconds each) are group-committed: written when the event loop
 *   turns, or every 256 lines. A kill can lose only such trials, which resume redoes identically.
 *
 * The writer holds the run folder's lock ({@link lockRunFolder}) from construction to {@link close}:
 * a second process that tries to write the same run (two `nasx resume` of one run, or `run` and
 * `resume`) fails with "run … is in use by process …".
 */
export class JournalWriter {
  private fd: number | undefined;
  private buffer: string[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private readonly encoder = new JournalEncoder();
  private readonly lock: RunFolderLock | undefined;
  private readonly warn: (message: string) => void;
  /** A failed group-commit (disk full): thrown by the next append, inside the event stream. */
  private failure: unknown;

  constructor(
    readonly file: string,
    opts: { lock?: boolean; warn?: (message: string) => void } = {},
  ) {
    this.warn = opts.warn ?? warnOnStderr;
    this.lock = opts.lock === false ? undefined : lockRunFolder(path.dirname(file), { warn: this.warn });
    try {
      this.fd = fs.openSync(file, 'a');
    } catch (e) {
      this.lock?.release();
      throw runFolderWriteError(file, e);
    }
  }

  append(event: SearchEvent): void {
    if (this.failure !== undefined) throw this.failure;
    if (event.type === 'progress' || event.type === 'phase') return;
    this.buffer.push(this.encoder.line(event));
    switch (event.type) {
      case 'run-started':
      case 'run-finished':
        this.flush();
        return;
      case 'evaluated':
        if (!event.cached && event.estimate.cost.seconds >= EXPENSIVE_SECONDS) {
          this.flush();
          return;
        }
        break;
      default:
        break;
    }
    if (this.buffer.length >= MAX_BUFFERED_LINES) this.flush();
    else
      this.scheduled ??= setImmediate(() => {
        this.scheduled = undefined;
        try {
          this.flush();
        } catch (e) {
          this.failure = e;
        }
      });
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    const bytes = Buffer.from(this.buffer.join('\n') + '\n', 'utf8');
    this.buffer = [];
    try {
      // writeSync may write part of a large buffer (a nearly full disk): write the rest.
      for (let off = 0; off < bytes.length;) off += fs.writeSync(this.fd, bytes, off);
    } catch (e) {
      throw runFolderWriteError(this.file, e);
    }
  }

  close(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    try {
      if (this.failure === undefined) this.flush();
    } catch (e) {
      // close() runs when the stream ends or is unsubscribed, where a throw would be an uncaught
      // exception: say what was lost instead (resume redoes those trials).
      this.warn(`could not write the last lines of ${this.file}: ${(e as Error).message}; "nasx resume" redoes the trials they held`);
    } finally {
      if (this.fd !== undefined) fs.closeSync(this.fd);
      this.fd = undefined;
      this.lock?.release();
    }
  }
}

/** A user-facing error for a journal that cannot be written (disk full, read-only, permissions). */
function runFolderWriteError(file: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full',
    EDQUOT: 'the disk quota is exceeded',
    EROFS: 'the file system is read-only',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  if (code === undefined || !why[code]) return e;
  return new NasxError('usage', `cannot write the run journal: ${why[code]} (${code})`, {
    file,
    fix:
      code === 'ENOSPC' || code === 'EDQUOT'
        ? 'free disk space (the run can be continued with "nasx resume" once there is room)'
        : 'choose a writable runs directory with --runs-dir, or fix the permissions',
  });
}

/** What {@link loadJournal} found. */
export interface JournalRead {
  /** Every readable event, in file order (run id restored, references and non-finite numbers decoded). */
  readonly events: SearchEvent[];
  /** One message per problem found (damaged lines, a torn tail, where they were moved), for the caller to print. */
  readonly warnings: string[];
  /** The file the damaged lines were moved to (repair mode), if any. */
  readonly damagedFile?: string;
}

interface Damaged {
  readonly line: number;
  readonly text: Buffer;
  readonly torn: boolean;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Turn a decoded line into an event: run id, references restored. Throws when the line is not an event. */
function restore(
  raw: unknown,
  runId: string,
  archByKey: Map<string, Architecture>,
  evaluatedByKey: Map<string, SearchEvent & { type: 'evaluated' }>,
): SearchEvent {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || typeof (raw as { type?: unknown }).type !== 'string') throw new Error('not an event');
  const e = raw as Record<string, unknown> & { type: string; runId?: string };
  e.runId ??= runId;
  const ref = e['ref'];
  if (e.type === 'proposed') {
    if (typeof ref === 'string') {
      const arch = archByKey.get(ref);
      if (!arch) throw new Error(`reference to architecture "${ref}" that no earlier line holds`);
      delete e['ref'];
      e['arch'] = arch;
    }
    const arch = e['arch'] as Architecture | undefined;
    if (!arch || typeof arch.key !== 'string') throw new Error('a proposed event without an architecture');
    archByKey.set(arch.key, arch);
  } else if (e.type === 'evaluated') {
    if (typeof ref === 'string') {
      const prev = evaluatedByKey.get(ref);
      if (!prev) throw new Error(`reference to an evaluation of "${ref}" that no earlier line holds`);
      delete e['ref'];
      e['arch'] ??= prev.arch;
      e['objective'] = prev.objective;
      e['estimate'] = prev.estimate;
    }
    const arch = e['arch'] as Architecture | undefined;
    if (!arch || typeof arch.key !== 'string') throw new Error('an evaluated event without an architecture');
    archByKey.set(arch.key, arch);
    if (!e['cached']) evaluatedByKey.set(arch.key, e as unknown as SearchEvent & { type: 'evaluated' });
  }
  return e as unknown as SearchEvent;
}

/**
 * Read a journal, keeping every readable line. Lines that are not events (a corrupt line mid-journal,
 * a last line cut short by a kill) are skipped and reported in `warnings`; they are never silently
 * deleted. With `repair` (before appending to the journal, i.e. on resume) they are moved to a new
 * file `events.ndjson.damaged-<n>` beside the journal and the journal is rewritten with the good
 * lines only, so appending resumes cleanly. With `repair`, a journal with no readable event (empty,
 * all garbage, or missing) is an error and the run folder is left untouched: resuming it would start
 * the run over and overwrite what is there. `repair` also refuses a journal that another live
 * process is writing (see {@link lockRunFolder}).
 */
export function loadJournal(file: string, opts: { repair?: boolean } = {}): JournalRead {
  const runId = path.basename(path.dirname(file));
  const repair = opts.repair ?? false;
  if (repair) assertRunFolderFree(path.dirname(file));
  if (!fs.existsSync(file)) {
    if (repair) {
      throw new NasxError('data', `run ${runId} has no journal (${path.basename(file)} is missing), so there is nothing to resume from`, {
        file,
        fix: 'start a new run with "nasx run <config>"; the run folder was left as it is',
      });
    }
    return { events: [], warnings: [] };
  }
  const buf = fs.readFileSync(file);
  const events: SearchEvent[] = [];
  const good: Buffer[] = [];
  const damaged: Damaged[] = [];
  const archByKey = new Map<string, Architecture>();
  const evaluatedByKey = new Map<string, SearchEvent & { type: 'evaluated' }>();
  let start = 0;
  let lineNo = 0;
  let tornNewline = false;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    const complete = end >= 0;
    if (!complete) end = buf.length;
    const bytes = buf.subarray(start, end);
    lineNo++;
    start = end + 1;
    const text = bytes.toString('utf8');
    if (!text.trim()) continue;
    try {
      events.push(restore(parseJournalLine(text), runId, archByKey, evaluatedByKey));
      good.push(bytes);
      if (!complete) tornNewline = true;
    } catch {
      damaged.push({ line: lineNo, text: bytes, torn: !complete });
    }
  }
  if (repair && events.length === 0) {
    throw new NasxError(
      'data',
      `run ${runId} cannot be resumed: its journal ${buf.length === 0 ? 'is empty' : `has no readable event (${plural(damaged.length, 'damaged line')})`}`,
      {
        file,
        fix: 'start a new run with "nasx run <config>"; the run folder was left untouched (inspect or delete it yourself)',
      },
    );
  }
  const warnings: string[] = [];
  let damagedFile: string | undefined;
  if (damaged.length) {
    const torn = damaged.filter((d) => d.torn);
    const mid = damaged.filter((d) => !d.torn);
    const what = [
      mid.length
        ? `${mid.length === 1 ? 'line' : 'lines'} ${mid
            .slice(0, 5)
            .map((d) => d.line)
            .join(', ')}${mid.length > 5 ? ', …' : ''} ${mid.length === 1 ? 'is not a valid journal event' : 'are not valid journal events'}`
        : '',
      torn.length ? `the last line (${torn[0]!.line}) was cut short` : '',
    ].filter(Boolean);
    if (repair) {
      damagedFile = nextDamagedFile(file);
      fs.writeFileSync(damagedFile, damaged.map((d) => `${d.line}\t${d.text.toString('utf8')}`).join('\n') + '\n', { flag: 'wx' });
      rewriteJournal(file, good);
      warnings.push(
        `${path.basename(file)}: ${what.join('; ')}; moved ${damaged.length === 1 ? 'it' : 'them'} to ${path.basename(damagedFile)} (each prefixed with its line number) and kept the ${plural(events.length, 'readable event')}`,
      );
    } else {
      warnings.push(
        `${path.basename(file)}: ${what.join('; ')}; skipped ${damaged.length === 1 ? 'it' : 'them'} and read the ${plural(events.length, 'readable event')} (nasx resume moves damaged lines aside)`,
      );
    }
  } else if (repair && tornNewline) {
    // A complete last event whose newline did not make it: end the line so appending stays clean.
    fs.appendFileSync(file, '\n');
  }
  return { events, warnings, damagedFile };
}

function nextDamagedFile(file: string): string {
  for (let n = 1; ; n++) {
    const f = `${file}.damaged-${n}`;
    if (!fs.existsSync(f)) return f;
  }
}

/** Replace the journal by its good lines: write a sibling file, then rename it over (never a half-written journal). */
function rewriteJournal(file: string, good: readonly Buffer[]): void {
  const tmp = `${file}.repair-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const b of good) {
      fs.writeSync(fd, b);
      fs.writeSync(fd, '\n');
    }
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Read a journal's events (see {@link loadJournal}). Problems found are passed to `warn` (default:
 * one line on stderr), so a damaged journal is never read silently.
 */
export function readJournal(file: string, repair = false, warn: (message: string) => void = warnOnStderr): SearchEvent[] {
  const r = loadJournal(file, { repair });
  for (const w of r.warnings) warn(w);
  return r.events;
}
