import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, formatOperatorTable, type ArchGraphNode, type OperatorTableMeta } from '@nasx/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import type { BrowserBackendName } from '@nasx/tensor';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { startBrowserProfileServer } from '../browser-profile/browser-profile.server';
import { describeUserAgent, deviceNameFrom } from '../browser-profile/device-name';

const CLI = '@nasx/cli';

/** Options of `nasx latency profile --browser` (commander's parse). */
export interface BrowserProfileOptions {
  /** Profile in a browser (`--browser`) rather than on the local backend. */
  readonly browser?: boolean;
  /** The table to write. */
  readonly out?: string;
  /** `webgl` (default: what phones run TensorFlow.js on), `wasm` or `cpu`. */
  readonly backend?: string;
  /** `127.0.0.1` (default) or `0.0.0.0` to be reachable from the local network. */
  readonly host?: string;
  readonly port?: number;
  readonly batch?: number;
  readonly repeats?: number;
  readonly warmup?: number;
  /** Seconds to wait for the whole profile (default 1800). */
  readonly timeout?: number;
  /** Device name for the table (default: from the browser's user agent and the backend). */
  readonly device?: string;
  /** `median` (default) or `min` of the timed runs (checked by `nasx latency profile`). */
  readonly statistic?: string;
  /** No progress lines (the addresses to open are still printed). */
  readonly quiet?: boolean;
}

/** The operators to profile and what the table should say about them (`space`, `input`, …). */
export interface BrowserProfileSubject {
  readonly nodes: readonly ArchGraphNode[];
  readonly meta: { readonly [name: string]: string | number };
}

/** Default port: fixed, so the address a phone has bookmarked keeps working. */
export const BROWSER_PROFILE_PORT = 7311;

function wholeNumber(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a number of seconds above 0');
  return n;
}

/** The options of the browser path, added to `nasx latency profile` (which has --backend, --device, -o, …). */
export function addBrowserProfileOptions(cmd: Command): Command {
  return cmd
    .option('--browser', 'profile in a web browser instead of this process: serve a page, wait for a browser (e.g. a phone) to open it, write its table')
    .option('--host <address>', 'with --browser: address to listen on, 127.0.0.1 (default: this computer) or 0.0.0.0 (also the local network, for a phone)')
    .option('--port <n>', `with --browser: port (default ${BROWSER_PROFILE_PORT}; 0: any free port)`, wholeNumber)
    .option('--timeout <seconds>', 'with --browser: give up if no table came back by then (default 1800)', seconds);
}

function usage(message: string, fix: string): NasxError {
  return new NasxError('usage', message, { pkg: CLI, fix });
}

/** Checks the options that need nothing loaded, so a mistake is reported at once. */
function checkOptions(io: CliIO, o: BrowserProfileOptions): void {
  if (!o.out) throw usage('nasx latency profile --browser needs -o <file> for the table', 'add -o table.csv');
  const out = path.resolve(io.cwd, o.out);
  if (!fs.existsSync(path.dirname(out)) || !fs.statSync(path.dirname(out)).isDirectory()) {
    throw usage(`the folder of -o ${o.out} does not exist`, `create ${path.dirname(out)} first, or write the table elsewhere`);
  }
  if (fs.existsSync(out) && fs.statSync(out).isDirectory()) throw usage(`-o ${o.out} is a folder`, 'give a file name, e.g. -o pixel7.csv');
  if (o.device !== undefined && !/^[A-Za-z0-9][\w.-]{0,79}$/.test(o.device)) {
    throw usage(`--device "${o.device}" is not a device name`, 'use letters, digits, ".", "_" and "-", e.g. --device pixel7-webgl');
  }
  const port = o.port ?? BROWSER_PROFILE_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw usage(`--port ${port} is not a port`, 'give 1 to 65535, or 0 for any free port');
  if (o.statistic !== undefined && o.statistic !== 'median' && o.statistic !== 'min') {
    throw usage(`--statistic "${o.statistic}" is neither median nor min`, 'give --statistic median (the default) or --statistic min');
  }
  const timeout = o.timeout ?? 1800;
  if (!(timeout > 0)) throw usage(`--timeout ${timeout} is not a number of seconds above 0`, 'give e.g. --timeout 600');
  for (const [name, value, min] of [
    ['batch', o.batch, 1],
    ['repeats', o.repeats, 1],
    ['warmup', o.warmup, 0],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value >= min))
      throw usage(`--${name} must be a whole number ≥ ${min}`, `give --${name} ${Math.max(min, 1)} or more`);
  }
}

/** `--backend`, checked against the backends the bundle has (default webgl). */
async function browserBackend(o: BrowserProfileOptions): Promise<BrowserBackendName> {
  // Loaded here, not at start-up: @nasx/tensor brings TensorFlow.js.
  const { BROWSER_BACKENDS } = await import('@nasx/tensor');
  const backend = o.backend ?? 'webgl';
  if (!(BROWSER_BACKENDS as readonly string[]).includes(backend)) {
    throw usage(
      `--backend "${backend}" is not a browser backend`,
      `use one of ${BROWSER_BACKENDS.join(', ')} (webgl: the GPU, as phones run TensorFlow.js; wasm: the CPU)`,
    );
  }
  return backend as BrowserBackendName;
}

/**
 * Checks the options of the browser path (and that the page's backend exists) before anything
 * slow happens, so a mistake is reported at once; without `--browser`, that none of its own
 * options (`--host`, `--port`, `--timeout`) is given.
 */
export async function checkBrowserProfileOptions(io: CliIO, o: BrowserProfileOptions): Promise<void> {
  if (!o.browser) {
    const stray = (['host', 'port', 'timeout'] as const).find((k) => o[k] !== undefined);
    if (stray) throw usage(`--${stray} goes with --browser (the page's server); this profile runs in this process`, `add --browser, or leave out --${stray}`);
    return;
  }
  checkOptions(io, o);
  await browserBackend(o);
}

/**
 * `nasx latency profile --browser`: serves a page that profiles `subject.nodes` with TensorFlow.js
 * in whatever browser opens it (a phone on the same network with `--host 0.0.0.0`), prints the
 * addresses to open, shows the page's progress on stderr, and writes the operator table the page
 * sends back (nasx's layout, `formatOperatorTable`). Resolves to the exit code; a timeout, a page
 * closed mid-way or a malformed message from the page throw a `NasxError` (exit 1).
 */
export async function browserProfileCommand(io: CliIO, o: BrowserProfileOptions, subject: BrowserProfileSubject): Promise<number> {
  checkOptions(io, o);
  const out = path.resolve(io.cwd, o.out!);
  const backend = await browserBackend(o);
  const port = o.port ?? BROWSER_PROFILE_PORT;
  const timeout = o.timeout ?? 1800;
  const batch = o.batch ?? 1;
  // The defaults of the local profile (profileOperators'), so tables of a phone and of this computer compare.
  const repeats = o.repeats ?? 5;
  const warmup = o.warmup ?? 2;
  const statistic = o.statistic === 'min' ? 'min' : 'median';

  const progress = new ProgressLine(io, o.quiet ?? false);
  const server = await startBrowserProfileServer({
    nodes: subject.nodes,
    backend,
    batch,
    repeats,
    warmup,
    statistic,
    host: o.host ?? '127.0.0.1',
    port,
    timeoutMs: timeout * 1000,
    log: (line) => progress.line(line),
  });
  const lan = server.urls.length > 1;
  io.out(
    `Open ${lan ? 'one of these addresses' : 'this address'} in the browser to profile${lan ? ' (a phone: on the same network)' : ''}:\n` +
      server.urls.map((u) => `  ${u}\n`).join('') +
      `Waiting for a browser (up to ${timeout} s; Ctrl-C to stop)…\n`,
  );
  const outcome = await server.result.finally(() => progress.end());

  const device = o.device ?? deviceNameFrom(outcome.userAgent, outcome.backend);
  const fellBack = outcome.fallbacks.length ? `; instead of ${outcome.fallbacks.map((f) => `${f.backend} (${f.reason})`).join(', ')}` : '';
  const meta: OperatorTableMeta = {
    device,
    backend: `${outcome.description} in ${describeUserAgent(outcome.userAgent)}${fellBack}`,
    batch,
    ...subject.meta,
    repeats,
    warmup,
    statistic,
    timer_resolution_ms: outcome.timerResolutionMs,
    user_agent: outcome.userAgent,
    measured: new Date().toISOString(),
  };
  fs.writeFileSync(out, formatOperatorTable(meta, outcome.rows));
  io.out(
    `Wrote ${o.out}: ${outcome.rows.length} operators, device ${device}, ${outcome.backend}${outcome.fallbacks.length ? ` (${backend} did not initialise)` : ''}.\n`,
  );
  const note = coarseClockNote(outcome.rows, outcome.timerResolutionMs);
  if (note) io.err(note);
  return EXIT.ok;
}

/**
 * A warning when the browser's clock is coarse for the operators it timed: those under 5 ticks
 * are quantised (a phone's Chrome over the network ticks every 0.1 ms; Safari and Firefox up to
 * every 1 ms).
 */
export function coarseClockNote(rows: readonly { readonly ms: number }[], tickMs: number): string | undefined {
  const coarse = rows.filter((r) => r.ms < 5 * tickMs).length;
  if (coarse === 0) return undefined;
  return (
    `note: the browser's clock ticks every ${tickMs} ms, so ${coarse} of ${rows.length} operators (those under ${Number((5 * tickMs).toFixed(3))} ms) ` +
    `are timed to within a tick or worse; a network's sum is steadier than its single operators. Profiling from localhost (the same machine) gets a finer clock.\n`
  );
}

/** The page's progress on stderr: one rewritten line on a terminal, else a line per tenth. */
class ProgressLine {
  private open = false;
  private tenth = -1;
  constructor(
    private readonly io: CliIO,
    private readonly quiet: boolean,
  ) {}
  line(text: string): void {
    if (this.quiet) return;
    const m = /^(\d+)\/(\d+) /.exec(text);
    if (this.io.errIsTTY) {
      const width = Math.max(20, (this.io.columns ?? 80) - 1);
      this.io.err(`\r${text.slice(0, width).padEnd(width)}`);
      this.open = true;
      if (!m) this.end();
      return;
    }
    if (m) {
      const tenth = Math.floor((10 * Number(m[1])) / Number(m[2]));
      if (tenth === this.tenth) return;
      this.tenth = tenth;
    }
    this.io.err(`${text}\n`);
  }
  end(): void {
    if (this.open) this.io.err('\n');
    this.open = false;
  }
}
