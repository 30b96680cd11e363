/*
 * Display width of terminal text, and cutting text to a width. `String.length` counts UTF-16 code
 * units, which is wrong for what the CLI prints: `…`, `─`, `█`, `τ`, `ρ` and `±` are one column
 * (one code unit, fine), but CJK text and emoji in an architecture's text form or a plugin title are
 * two columns, combining marks none, and ANSI colour codes none. The rules follow Unicode's East
 * Asian Width (W and F are two columns; ambiguous ones like `…` are one, as in `string-width` and
 * every Western terminal).
 */

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]$/u;
/** Zero-width space and marks, variation selectors. */
const isZeroWidthCp = (cp: number): boolean => (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f);
// eslint-disable-next-line no-control-regex
const CONTROL = /^[\u0000-\u001f\u007f-\u009f]$/u;
const EMOJI = /^\p{Extended_Pictographic}$/u;

/** True for East Asian Wide and Fullwidth code points (two columns). */
function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

/** Columns one code point takes. */
function charWidth(ch: string): number {
  const cp = ch.codePointAt(0) as number;
  if (ZERO_WIDTH.test(ch) || CONTROL.test(ch) || isZeroWidthCp(cp)) return 0;
  if (isWide(cp)) return 2;
  if (cp > 0x2fff && EMOJI.test(ch)) return 2;
  return 1;
}

/** Text without ANSI escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

/** Terminal columns `text` takes (one line; ANSI codes take none). */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of stripAnsi(text)) w += charWidth(ch);
  return w;
}

/** The longest prefix of `text` that fits `width` columns. */
function head(text: string, width: number): string {
  let w = 0;
  let out = '';
  for (const ch of text) {
    const cw = charWidth(ch);
    if (w + cw > width) break;
    w += cw;
    out += ch;
  }
  return out;
}

/** The longest suffix of `text` that fits `width` columns. */
function tail(text: string, width: number): string {
  const chars = [...text];
  let w = 0;
  let i = chars.length;
  while (i > 0) {
    const cw = charWidth(chars[i - 1] as string);
    if (w + cw > width) break;
    w += cw;
    i--;
  }
  return chars.slice(i).join('');
}

/** How text that is too wide is shortened: cut at the end, or in the middle (keeps both ends). */
export type Elision = 'end' | 'middle';

/**
 * `text` shortened to at most `width` columns with `…` (plain text: no ANSI codes). `middle` keeps
 * the start and the end, so long architecture strings that share a prefix stay distinguishable.
 */
export function fitText(text: string, width: number, how: Elision = 'end'): string {
  if (width <= 0) return '';
  if (displayWidth(text) <= width) return text;
  if (width === 1) return '…';
  if (how === 'end') return `${head(text, width - 1)}…`;
  const room = width - 1;
  const front = Math.ceil(room / 2);
  return `${head(text, front)}…${tail(text, room - front)}`;
}

/** `text` padded with spaces to `width` columns. */
export function padText(text: string, width: number): string {
  const w = displayWidth(text);
  return w >= width ? text : text + ' '.repeat(width - w);
}

/**
 * Prose wrapped at spaces into lines of at most `width` columns, a paragraph's later lines indented
 * by `indent` spaces. A word longer than a line (a long path) gets a line of its own and is not
 * split, so that it can still be copied; lines that fit (tables) are left as they are.
 */
export function wrapText(text: string, width: number, indent = 2): string {
  const pad = ' '.repeat(Math.max(0, Math.min(indent, Math.floor(width / 2))));
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    if (displayWidth(paragraph) <= width) {
      lines.push(paragraph);
      continue;
    }
    const first = lines.length;
    let line = '';
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? (lines.length > first ? pad : '') + word : `${line} ${word}`;
      if (line === '' || displayWidth(candidate) <= width) line = candidate;
      else {
        lines.push(line);
        line = pad + word;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}
