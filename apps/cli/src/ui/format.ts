import { displayWidth, fitText, padText } from './text-width';

/** mm:ss or h:mm:ss. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

/** A number with sensible precision for tables. */
export function num(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(3);
  return Number.isInteger(v)
    ? String(v)
    : v
        .toFixed(a >= 100 ? 2 : 4)
        .replace(/0+$/, '')
        .replace(/\.$/, '');
}

/** Table options: the width to fit and how columns give way. */
export interface TableOptions {
  /** Columns the whole table (indent included) may take; default: unlimited. */
  readonly width?: number;
  /** Spaces in front of every line. */
  readonly indent?: number;
  /**
   * Columns (by index) elided in the middle when the table is too wide, and shrunk first:
   * architecture strings, which stay identifiable by their two ends. Others are cut at the end.
   */
  readonly elide?: readonly number[];
  /**
   * Columns (by index) that may be left out, last first, when the elided columns would otherwise
   * get narrower than {@link MIN_ELIDED} (extra metrics of a top-K table); a last line names them.
   */
  readonly droppable?: readonly number[];
  /** Columns (by index) never shrunk: what a user types (a contribution id), short numbers. */
  readonly keep?: readonly number[];
}

/** Narrowest a column is shrunk to before the table gives up and cuts whole lines. */
const MIN_COLUMN = 6;
/** Narrowest an elided (architecture) column is shrunk to before other columns give way. */
const MIN_ELIDED = 24;
const GAP = 2;

/**
 * Widths of the columns so that the table fits `width`: the elidable columns shrink first (down to
 * {@link MIN_ELIDED}), then the widest column, one column at a time, down to {@link MIN_COLUMN}.
 */
function fitWidths(natural: readonly number[], width: number, elide: readonly number[], keep: readonly number[] = []): number[] {
  const widths = [...natural];
  let total = widths.reduce((x, y) => x + y, 0) + GAP * Math.max(0, widths.length - 1);
  const shrink = (cols: readonly number[], floor: number): void => {
    // One column at a time, always the widest: columns end up as even as the content allows.
    while (total > width) {
      let widest = -1;
      for (const i of cols) if ((widths[i] as number) > floor && (widest < 0 || (widths[i] as number) > (widths[widest] as number))) widest = i;
      if (widest < 0) return;
      widths[widest] = (widths[widest] as number) - 1;
      total--;
    }
  };
  shrink(elide, MIN_ELIDED);
  shrink(
    widths.map((_, i) => i).filter((i) => !keep.includes(i)),
    MIN_COLUMN,
  );
  return widths;
}

/**
 * A plain-text table: header row, a rule, rows; columns padded by display width. With `width`, it
 * fits: the elidable columns (architectures) are elided in the middle first, then the widest
 * column is cut; a row is never wrapped (a table that cannot fit even then has its lines cut).
 */
export function table(header: readonly string[], rows: readonly (readonly string[])[], opts: TableOptions = {}): string {
  const droppable = [...(opts.droppable ?? [])].sort((a, b) => b - a);
  const elide = opts.elide ?? [];
  if (opts.width !== undefined && droppable.length) {
    const room = opts.width - (opts.indent ?? 0);
    const natural = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
    const cramped = (cols: readonly number[]): boolean => {
      const widths = fitWidths(
        cols.map((i) => natural[i] as number),
        room,
        cols.flatMap((c, j) => (elide.includes(c) ? [j] : [])),
      );
      return cols.some((c, j) => elide.includes(c) && (widths[j] as number) < Math.min(MIN_ELIDED, natural[c] as number));
    };
    let cols = header.map((_, i) => i);
    const dropped: number[] = [];
    for (const d of droppable) {
      if (!cramped(cols)) break;
      cols = cols.filter((c) => c !== d);
      dropped.push(d);
    }
    if (dropped.length) {
      const keep = (r: readonly string[]): string[] => cols.map((c) => r[c] ?? '');
      const text = table(keep(header), rows.map(keep), {
        width: opts.width,
        indent: opts.indent,
        elide: cols.flatMap((c, j) => (elide.includes(c) ? [j] : [])),
      });
      const note = `${' '.repeat(opts.indent ?? 0)}(not shown at this width: ${dropped
        .sort((a, b) => a - b)
        .map((d) => header[d])
        .join(', ')})`;
      return `${text}\n${fitText(note, opts.width)}`;
    }
  }
  const indent = ' '.repeat(opts.indent ?? 0);
  const natural = header.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const room = opts.width === undefined ? Infinity : opts.width - indent.length;
  const widths = Number.isFinite(room) ? fitWidths(natural, room, elide, opts.keep) : natural;
  const line = (cells: readonly string[]): string =>
    indent +
    cells
      .map((c, i) => padText(fitText(c, widths[i] as number, elide.includes(i) ? 'middle' : 'end'), widths[i] as number))
      .join(' '.repeat(GAP))
      .trimEnd();
  const lines = [line(header), indent + widths.map((w) => '─'.repeat(w)).join(' '.repeat(GAP)), ...rows.map(line)];
  return (opts.width === undefined ? lines : lines.map((l) => fitText(l, opts.width as number))).join('\n');
}

/**
 * Columns the CLI's output may take: `COLUMNS` when set, else the terminal's width when stdout is
 * one, else 100 (a pipe, a file, a CI log).
 */
export function outputWidth(env: NodeJS.ProcessEnv, ttyColumns: number | undefined): number {
  const fromEnv = Number(env['COLUMNS']);
  if (Number.isInteger(fromEnv) && fromEnv > 0) return fromEnv;
  return ttyColumns && ttyColumns > 0 ? ttyColumns : 100;
}
