import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SearchEvent } from '@nasx/contracts';

/** JSON of architectures already written once (each trial writes its architecture twice). */
const archJson = new WeakMap<object, string>();

function archText(arch: object): string {
  let t = archJson.get(arch);
  if (t === undefined) {
    t = JSON.stringify(arch);
    archJson.set(arch, t);
  }
  return t;
}

/**
 * One journal line. The run id is the folder's name and is left out; the two per-trial events
 * reuse the architecture's JSON. {@link readJournal} restores what is left out.
 */
function serialise(e: SearchEvent): string {
  if (e.type === 'proposed') return `{"type":"proposed","seq":${e.seq},"time":${e.time},"trial":${e.trial},"arch":${archText(e.arch)}}`;
  if (e.type === 'evaluated') {
    const objective = typeof e.objective === 'number' ? String(e.objective) : JSON.stringify(e.objective);
    return `{"type":"evaluated","seq":${e.seq},"time":${e.time},"trial":${e.trial},"evaluations":${e.evaluations},${e.cached ? '"cached":true,' : ''}"objective":${objective},"arch":${archText(e.arch)},"estimate":${JSON.stringify(e.estimate)}}`;
  }
  const { runId: _r, ...rest } = e;
  return JSON.stringify(rest);
}

/** Evaluations that took at least this long are written before the run goes on. */
const EXPENSIVE_SECONDS = 0.01;
/** Cheap trials (table lookups) are group-committed at most this many lines at a time. */
const MAX_BUFFERED_LINES = 256;

/**
 * Append-only NDJSON journal of a run's events (`progress` events, which are for displays only, are
 * not kept). Writes are synchronous `write` calls, which survive a killed process:
 * - the start and the end of a run, and every trial whose estimate cost ≥ 10 ms, are written
 *   at once, before the loop goes on;
 * - cheap trials (table lookups, microseconds each) are group-committed: written when the event loop
 *   turns, or every 256 lines. A kill can lose only such trials, which resume redoes identically.
 */
export class JournalWriter {
  private fd: number | undefined;
  private buffer: string[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }

  append(event: SearchEvent): void {
    if (event.type === 'progress') return;
    this.buffer.push(serialise(event));
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
    else this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Read a journal. A last line cut short by a kill is dropped, and the file is truncated to the last
 * complete line so appending resumes cleanly.
 */
export function readJournal(file: string, repair = false): SearchEvent[] {
  const runId = path.basename(path.dirname(file));
  if (!fs.existsSync(file)) return [];
  const buf = fs.readFileSync(file);
  const events: SearchEvent[] = [];
  let start = 0;
  let good = 0;
  for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, start)) {
    const line = buf.subarray(start, i).toString('utf8');
    start = i + 1;
    if (line.trim()) {
      try {
        const e = JSON.parse(line) as SearchEvent & { runId?: string };
        e.runId ??= runId;
        events.push(e);
      } catch {
        break;
      }
    }
    good = start;
  }
  if (repair && good < buf.length) fs.truncateSync(file, good);
  return events;
}
