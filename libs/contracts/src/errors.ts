/**
 * Categories of user-facing errors. `input` errors (bad config, data, plugin id, architecture)
 * make the CLI exit with code 2; `run` errors with code 1.
 */
export type NasxErrorKind = 'config' | 'plugin' | 'data' | 'architecture' | 'usage' | 'run';

/** Where an error points. */
export interface ErrorLocation {
  /** File the problem is in (config, data table, package.json). */
  readonly file?: string;
  /** 1-based line in that file. */
  readonly line?: number;
  readonly column?: number;
  /**
   * JSON pointer into the config, e.g. `/searcher/options/population`. In errors thrown by a
   * contribution's `create()`, a pointer starting with `/options` is relative to the contribution's
   * own entry (`/options/population`), which the kernel resolves wherever the entry sits.
   */
  readonly pointer?: string;
  /** Package that contributed the failing piece. */
  readonly pkg?: string;
  /** Contribution id involved. */
  readonly contribution?: string;
}

/**
 * An error meant for a user: a one-paragraph message naming the place and the fix, never a stack
 * trace. Throw it for every mistake a user can make; the CLI formats it with {@link formatNasxError}.
 *
 * @example
 * throw new NasxError('architecture', `unknown op "conv_5x5" on edge 2`, {
 *   fix: 'use one of none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3',
 * });
 */
export class NasxError extends Error {
  readonly kind: NasxErrorKind;
  readonly where: ErrorLocation;
  readonly fix?: string;

  constructor(kind: NasxErrorKind, message: string, options: ErrorLocation & { fix?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'NasxError';
    this.kind = kind;
    const { fix, cause: _cause, ...where } = options;
    this.where = where;
    this.fix = fix;
  }

  /** True for errors caused by user input (exit code 2). */
  get isInputError(): boolean {
    return this.kind !== 'run';
  }

  /** A copy with more location facts (outer layers add the file, the pointer, …). */
  at(where: ErrorLocation & { fix?: string }): NasxError {
    const merged = new NasxError(this.kind, this.message, { ...where, ...this.where, fix: this.fix ?? where.fix });
    return merged;
  }
}

/** True if `e` is a {@link NasxError} (also across package copies). */
export function isNasxError(e: unknown): e is NasxError {
  return e instanceof NasxError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'NasxError' && 'kind' in e);
}

/** One paragraph: `<file>:<line> (<pointer>): <message>. Fix: <fix>` with package/contribution when known. */
export function formatNasxError(e: NasxError): string {
  const w = e.where;
  const place: string[] = [];
  if (w.file) place.push(w.line ? `${w.file}:${w.line}${w.column ? `:${w.column}` : ''}` : w.file);
  if (w.pointer !== undefined) place.push(`at ${w.pointer === '' ? '/' : w.pointer}`);
  if (w.pkg) place.push(`package ${w.pkg}`);
  if (w.contribution) place.push(`contribution "${w.contribution}"`);
  const head = place.length ? `${place.join(', ')}: ` : '';
  const msg = e.message.replace(/\s+$/, '');
  const fix = e.fix ? ` Fix: ${e.fix.replace(/\s+$/, '')}` : '';
  return `error (${e.kind}): ${head}${msg}${/[.!?]$/.test(msg) ? '' : '.'}${fix}`;
}

/**
 * A short printable form of any value, for error messages (`got [1, 2]`): strings quoted, long
 * values clipped to `max` characters, values JSON cannot print shown by `String`.
 */
export function showValue(v: unknown, max = 200): string {
  const clip = (t: string): string => (t.length > max ? `${t.slice(0, max - 3)}...` : t);
  if (typeof v === 'string') return JSON.stringify(clip(v));
  if (v === undefined) return 'undefined';
  try {
    return clip(JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}
