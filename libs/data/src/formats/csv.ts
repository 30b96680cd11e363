import { NasxError } from '@nasx/contracts';

/** How to read one requested column. */
export type CsvColumnType = 'number' | 'string';

/** Columns read by {@link parseCsv}, in file row order. */
export interface CsvColumns {
  /** File the text came from (for error messages). */
  readonly file: string;
  /** The header row, all columns. */
  readonly header: readonly string[];
  /** Number of data rows. */
  readonly rows: number;
  /** A requested `number` column; an empty field (or `nan`) is `NaN`. */
  readonly numbers: ReadonlyMap<string, Float64Array>;
  /** A requested `string` column. */
  readonly strings: ReadonlyMap<string, readonly string[]>;
}

const COMMA = 44;
const LF = 10;
const CR = 13;
const QUOTE = 34;

/**
 * Reads the requested columns of a CSV text (header row, comma-separated, `\n` or `\r\n` line
 * ends, RFC 4180 quotes allowed). A hand-written scanner: one pass over char codes, fields that
 * are not requested are skipped without slicing, numbers go straight into `Float64Array`s with
 * unary `+` (ToNumber: correctly rounded, so Python `repr` floats round-trip bit for bit). Empty lines at
 * the end are ignored. Every malformed row is a `NasxError('data')` naming the file and line.
 */
export function parseCsv(text: string, file: string, columns: { readonly [name: string]: CsvColumnType }): CsvColumns {
  const n = text.length;
  // Header.
  const header: string[] = [];
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0; // byte-order mark
  let line = 1;
  {
    const cells: string[] = [];
    pos = readRecord(text, pos, cells, file, line);
    header.push(...cells);
    line++;
  }
  if (header.length === 0 || (header.length === 1 && header[0] === '')) {
    throw new NasxError('data', `${file} is empty (no header row)`, { file, line: 1, fix: 'replace the file with an intact copy' });
  }
  const width = header.length;
  const kinds = new Int8Array(width); // 0 skip, 1 number, 2 string
  const slot = new Int32Array(width);
  const missing = Object.keys(columns).filter((c) => !header.includes(c));
  if (missing.length) {
    throw new NasxError('data', `${file} has no column ${missing.map((c) => `"${c}"`).join(', ')} (its header: ${header.join(',')})`, {
      file,
      line: 1,
      fix: 'replace the file with an intact copy of the documented table',
    });
  }

  // Upper bound on data rows: line breaks after the header (+1 when the last line has none).
  let rowsMax = 0;
  for (let i = pos; i < n; i++) if (text.charCodeAt(i) === LF) rowsMax++;
  if (n > pos && text.charCodeAt(n - 1) !== LF) rowsMax++;

  const numberCols: Float64Array[] = [];
  const stringCols: string[][] = [];
  const numberNames: string[] = [];
  const stringNames: string[] = [];
  for (let c = 0; c < width; c++) {
    const t = columns[header[c]!];
    if (t === 'number') {
      kinds[c] = 1;
      slot[c] = numberCols.length;
      numberCols.push(new Float64Array(rowsMax));
      numberNames.push(header[c]!);
    } else if (t === 'string') {
      kinds[c] = 2;
      slot[c] = stringCols.length;
      stringCols.push(new Array<string>(rowsMax));
      stringNames.push(header[c]!);
    }
  }

  let row = 0;
  const quoted: string[] = [];
  while (pos < n) {
    // Blank line (only allowed as trailing lines).
    const first = text.charCodeAt(pos);
    if (first === LF || (first === CR && text.charCodeAt(pos + 1) === LF)) {
      const rest = text.slice(pos).trim();
      if (rest === '') break;
      throw new NasxError('data', `${file}:${line} is an empty line in the middle of the table`, { file, line, fix: 'replace the file with an intact copy' });
    }
    let col = 0;
    for (;;) {
      let start = pos;
      let end: number;
      let value: string | undefined;
      if (text.charCodeAt(pos) === QUOTE) {
        // Slow path: a quoted field (never in the NAS-Bench tables, kept for robustness).
        quoted.length = 0;
        pos = readQuoted(text, pos, quoted, file, line);
        value = quoted[0]!;
        end = pos;
        start = -1;
      } else {
        while (pos < n) {
          const ch = text.charCodeAt(pos);
          if (ch === COMMA || ch === LF) break;
          pos++;
        }
        end = pos;
        if (end > start && text.charCodeAt(end - 1) === CR && (pos >= n || text.charCodeAt(pos) === LF)) end--;
      }
      if (col >= width) {
        throw new NasxError('data', `${file}:${line} has more than the ${width} fields of the header`, {
          file,
          line,
          fix: 'replace the file with an intact copy',
        });
      }
      const kind = kinds[col]!;
      if (kind === 1) {
        let v: number;
        if (start < 0) v = value === '' ? NaN : toNumber(value!, file, line, header[col]!);
        else if (end === start) v = NaN;
        else {
          v = +text.slice(start, end); // unary + is Number() without a global lookup (slow under jest)
          if (v !== v) v = toNumber(text.slice(start, end), file, line, header[col]!);
        }
        numberCols[slot[col]!]![row] = v;
      } else if (kind === 2) {
        stringCols[slot[col]!]![row] = start < 0 ? value! : text.slice(start, end);
      }
      col++;
      if (pos >= n) break;
      const sep = text.charCodeAt(pos);
      pos++;
      if (sep === LF) break;
      if (sep !== COMMA) {
        throw new NasxError('data', `${file}:${line}: unexpected character after a quoted field`, { file, line, fix: 'replace the file with an intact copy' });
      }
    }
    if (col !== width) {
      throw new NasxError('data', `${file}:${line} has ${col} fields, the header has ${width}`, { file, line, fix: 'replace the file with an intact copy' });
    }
    row++;
    line++;
  }

  const numbers = new Map<string, Float64Array>();
  numberNames.forEach((name, i) => numbers.set(name, row === rowsMax ? numberCols[i]! : numberCols[i]!.subarray(0, row)));
  const strings = new Map<string, readonly string[]>();
  stringNames.forEach((name, i) => {
    const s = stringCols[i]!;
    s.length = row;
    strings.set(name, s);
  });
  return { file, header, rows: row, numbers, strings };
}

/** `nan`/`NaN` (Python's spelling of a missing float) is missing; anything else non-numeric is an error. */
function toNumber(s: string, file: string, line: number, column: string): number {
  const t = s.trim();
  if (t === '' || t.toLowerCase() === 'nan') return NaN;
  const v = Number(t);
  if (v !== v) {
    throw new NasxError('data', `${file}:${line}: column "${column}" holds "${s}", not a number`, { file, line, fix: 'replace the file with an intact copy' });
  }
  return v;
}

/** Reads one whole record (used for the header) into `out`; returns the position after its line end. */
function readRecord(text: string, pos: number, out: string[], file: string, line: number): number {
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(pos) === QUOTE) {
      pos = readQuoted(text, pos, out, file, line);
    } else {
      const start = pos;
      while (pos < n) {
        const ch = text.charCodeAt(pos);
        if (ch === COMMA || ch === LF) break;
        pos++;
      }
      let end = pos;
      if (end > start && text.charCodeAt(end - 1) === CR) end--;
      out.push(text.slice(start, end));
    }
    if (pos >= n) return pos;
    const sep = text.charCodeAt(pos);
    pos++;
    if (sep === LF) return pos;
    if (sep !== COMMA) {
      throw new NasxError('data', `${file}:${line}: unexpected character after a quoted field`, { file, line, fix: 'replace the file with an intact copy' });
    }
  }
}

/** Reads a quoted field starting at `pos` (on the opening quote); `""` is a literal quote. */
function readQuoted(text: string, pos: number, out: string[], file: string, line: number): number {
  const n = text.length;
  let s = '';
  let i = pos + 1;
  for (;;) {
    const q = text.indexOf('"', i);
    if (q < 0) throw new NasxError('data', `${file}:${line}: unterminated quoted field`, { file, line, fix: 'replace the file with an intact copy' });
    s += text.slice(i, q);
    if (q + 1 < n && text.charCodeAt(q + 1) === QUOTE) {
      s += '"';
      i = q + 2;
      continue;
    }
    i = q + 1;
    break;
  }
  if (i < n && text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF) i++;
  out.push(s);
  return i;
}
