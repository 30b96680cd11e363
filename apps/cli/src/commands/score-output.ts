import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type EvaluatedEvent, type JsonObject } from '@nasx/contracts';
import { readJournal } from '@nasx/kernel';
import type { CliIO } from '../io';
import { num, outputWidth } from '../ui/format';
import { fitText, padText } from '../ui/text-width';

/** Formats of `nasx score -o`: CSV, or JSON lines (`.jsonl`, `.json`). */
export type ScoreFormat = 'csv' | 'jsonl';

/** What a score run stores in its run folder so that `nasx resume` writes the same output file. */
export interface ScoreOutputSpec {
  /** Absolute path of the output file; absent: stdout. */
  readonly out?: string;
  readonly format: ScoreFormat;
}

/** File in a score run's folder holding its {@link ScoreOutputSpec}. */
export const SCORE_OUTPUT_FILE = 'score-output.json';

/** The format an output file's extension asks for; a usage error for any other extension. */
export function scoreFormatOf(out: string): ScoreFormat {
  if (/\.csv$/i.test(out)) return 'csv';
  if (/\.jsonl?$/i.test(out)) return 'jsonl';
  throw new NasxError(
    'usage',
    `-o ${out}: nasx score writes CSV (.csv) or JSON lines (.jsonl or .json), not ${path.extname(out) ? `"${path.extname(out)}"` : 'a file without an extension'}`,
    {
      fix: 'name the output file with .csv, .jsonl or .json (or leave out -o for CSV on stdout)',
    },
  );
}

/** A usage error now (before any run folder is made) when the output file cannot be created. */
export function checkOutputFile(file: string): void {
  const dir = path.dirname(file);
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    st = undefined;
  }
  if (!st?.isDirectory()) {
    throw new NasxError('usage', `-o ${file}: the folder ${dir} does not exist`, { fix: `create it first (mkdir -p ${dir}), or write the file elsewhere` });
  }
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) {
    throw new NasxError('usage', `-o ${file} is a folder`, { fix: 'give a file name, e.g. scores.csv' });
  }
}

/**
 * The unfinished score run in `runsDir` that writes `outFile` (killed, or stopped with Ctrl-C: its
 * journal has no run-finished event, or a cancelled one), with its saved config and how many
 * architectures it scored. Undefined when there is none.
 */
export function unfinishedScoreRun(runsDir: string, outFile: string): { runDir: string; config: JsonObject; scored: number } | undefined {
  let dirs: string[];
  try {
    dirs = fs.readdirSync(runsDir);
  } catch {
    return undefined;
  }
  for (const d of dirs.sort().reverse()) {
    const runDir = path.join(runsDir, d);
    let spec: ScoreOutputSpec;
    let saved: { config?: JsonObject };
    try {
      spec = JSON.parse(fs.readFileSync(path.join(runDir, SCORE_OUTPUT_FILE), 'utf8')) as ScoreOutputSpec;
      if (spec.out !== outFile) continue;
      saved = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')) as { config?: JsonObject };
    } catch {
      continue;
    }
    const journal = path.join(runDir, 'events.ndjson');
    if (!fs.existsSync(journal) || !saved.config) continue;
    let scored = 0;
    let finished = false;
    for (const e of readJournal(journal)) {
      if (e.type === 'evaluated') scored++;
      if (e.type === 'run-finished') finished = e.status !== 'cancelled';
    }
    return finished ? undefined : { runDir, config: saved.config, scored };
  }
  return undefined;
}

function csvCell(v: string | number | undefined): string {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Width of a number column of the terminal table. */
const TABLE_CELL = 10;

/** Writes scored architectures as CSV rows or JSON lines, to a file or stdout. */
export class ScoreOutput {
  private readonly fd: number | undefined;
  private header: string[] | undefined;
  private rows = 0;
  /**
   * CSV to a terminal is printed as an aligned table that fits its width instead (a pipe or a file
   * still gets CSV): the columns' widths are fixed at the first row, the architecture elided.
   */
  private readonly tableWidth: number | undefined;
  private columns: { readonly metrics: readonly string[]; readonly arch: number } | undefined;

  constructor(
    private readonly io: CliIO,
    private readonly spec: ScoreOutputSpec,
    private readonly format: (arch: Architecture) => string,
  ) {
    this.fd = spec.out !== undefined ? fs.openSync(spec.out, 'w') : undefined;
    this.tableWidth = spec.out === undefined && spec.format === 'csv' && io.outIsTTY ? outputWidth(io.env, io.outColumns) : undefined;
  }

  /** Rows written so far. */
  get count(): number {
    return this.rows;
  }

  private write(text: string): void {
    if (this.fd !== undefined) fs.writeSync(this.fd, text);
    else this.io.out(text);
  }

  add(e: EvaluatedEvent): void {
    this.rows++;
    const metrics = e.estimate.metrics;
    if (this.spec.format === 'jsonl') {
      this.write(
        JSON.stringify({ arch: this.format(e.arch), key: e.arch.key, space: e.arch.space, score: e.objective, seconds: e.estimate.cost.seconds, metrics }) +
          '\n',
      );
      return;
    }
    if (this.tableWidth !== undefined) {
      this.tableRow(e);
      return;
    }
    if (this.header === undefined) {
      this.header = Object.keys(metrics);
      this.write(['arch', 'score', 'seconds', ...this.header].map(csvCell).join(',') + '\n');
    }
    this.write(
      [
        this.format(e.arch),
        typeof e.objective === 'number' ? e.objective : JSON.stringify(e.objective),
        e.estimate.cost.seconds,
        ...this.header.map((m) => metrics[m]),
      ]
        .map(csvCell)
        .join(',') + '\n',
    );
  }

  private tableRow(e: EvaluatedEvent): void {
    const width = this.tableWidth as number;
    const cell = (t: string): string => padText(fitText(t, TABLE_CELL, 'end'), TABLE_CELL);
    if (!this.columns) {
      // score, seconds, then as many metrics as leave the architecture 24 columns.
      const names = Object.keys(e.estimate.metrics);
      const fit = Math.max(0, Math.floor((width - 2 * (TABLE_CELL + 2) - 24) / (TABLE_CELL + 2)));
      const metrics = names.slice(0, fit);
      this.columns = { metrics, arch: Math.max(1, width - (2 + metrics.length) * (TABLE_CELL + 2)) };
      const head = ['score', 'seconds', ...metrics].map(cell).join('  ');
      this.write(
        fitText(`${head}  architecture${names.length > metrics.length ? ` (${names.length - metrics.length} metrics left out: use -o for all)` : ''}`, width) +
          '\n',
      );
    }
    const score = typeof e.objective === 'number' ? num(e.objective) : `(${e.objective.map(num).join(', ')})`;
    const cells = [score, num(e.estimate.cost.seconds), ...this.columns.metrics.map((m) => num(e.estimate.metrics[m]))].map(cell).join('  ');
    this.write(`${cells}  ${fitText(this.format(e.arch), this.columns.arch, 'middle')}\n`);
  }

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }

  /** Store the spec in a score run's folder (for `nasx resume`). */
  static save(runDir: string, spec: ScoreOutputSpec): void {
    fs.writeFileSync(path.join(runDir, SCORE_OUTPUT_FILE), JSON.stringify(spec, null, 2) + '\n');
  }

  /**
   * For `nasx resume` of a score run: reopen its output and write again every architecture the
   * journal already holds (a killed run's file may lack the last rows), so the file ends complete.
   * Undefined for runs that are not score runs.
   */
  static resume(io: CliIO, runDir: string, format: (arch: Architecture) => string): ScoreOutput | undefined {
    const file = path.join(runDir, SCORE_OUTPUT_FILE);
    if (!fs.existsSync(file)) return undefined;
    let spec: ScoreOutputSpec;
    try {
      spec = JSON.parse(fs.readFileSync(file, 'utf8')) as ScoreOutputSpec;
      if (spec.format !== 'csv' && spec.format !== 'jsonl') throw new Error(`unknown format ${String(spec.format)}`);
    } catch (e) {
      throw new NasxError('data', `the run's ${SCORE_OUTPUT_FILE} is damaged (${e instanceof SyntaxError ? 'not valid JSON' : (e as Error).message})`, {
        file,
        fix: `delete ${file} to resume without writing the -o file, or score again with nasx score`,
      });
    }
    if (spec.out !== undefined) checkOutputFile(spec.out);
    const output = new ScoreOutput(io, spec, format);
    for (const e of readJournal(path.join(runDir, 'events.ndjson'))) if (e.type === 'evaluated') output.add(e);
    return output;
  }
}
