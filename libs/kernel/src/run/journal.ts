import * as fs from 'node:fs';
import type { SearchEvent } from '@nasx/contracts';

/**
 * Append-only NDJSON journal of a run's events. Lines are buffered and written with one
 * `writeSync` whenever an event that must survive a crash arrives (a finished or failed trial, the
 * start and the end of a run), so a killed process loses no finished evaluation and the journal costs
 * one system call per trial.
 */
export class JournalWriter {
  private fd: number | undefined;
  private buffer: string[] = [];

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'a');
  }

  append(event: SearchEvent): void {
    this.buffer.push(JSON.stringify(event));
    if (event.type === 'evaluated' || event.type === 'failed' || event.type === 'run-finished' || event.type === 'run-started') this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
  }

  close(): void {
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
        events.push(JSON.parse(line) as SearchEvent);
      } catch {
        break;
      }
    }
    good = start;
  }
  if (repair && good < buf.length) fs.truncateSync(file, good);
  return events;
}
