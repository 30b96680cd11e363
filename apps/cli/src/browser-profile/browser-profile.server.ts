import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import { NasxError, operatorKey, type ArchGraphNode, type OperatorTableRow } from '@nasx/contracts';
import type { BrowserBackendName } from '@nasx/tensor';
import { browserProfilePage } from './browser-profile.page';
import { describeUserAgent } from './device-name';

const CLI = '@nasx/cli';

/** What {@link startBrowserProfileServer} serves. */
export interface BrowserProfileServerOptions {
  /** Operators to time (their distinct {@link operatorKey}s are the table's rows). */
  readonly nodes: readonly ArchGraphNode[];
  readonly backend: BrowserBackendName;
  readonly batch: number;
  readonly repeats: number;
  readonly warmup: number;
  /** What of the timed runs the table keeps (default median). */
  readonly statistic?: 'median' | 'min';
  /** Address to listen on: `127.0.0.1` (this computer only) or `0.0.0.0` (the local network too). */
  readonly host: string;
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Give up when no result came back this long after the server started. */
  readonly timeoutMs: number;
  /**
   * How long a page may be disconnected (a reload, a network hiccup, a phone's screen going off)
   * before the profile fails as "page closed". Default 15 s.
   */
  readonly reconnectGraceMs?: number;
  /** One line of progress (the CLI writes them to stderr). */
  readonly log?: (line: string) => void;
}

/** What the page sent back, checked. */
export interface BrowserProfileOutcome {
  /** One row per requested operator, in the order of the request. */
  readonly rows: readonly OperatorTableRow[];
  /** The backend that ran, and the one asked for when it had to fall back. */
  readonly backend: BrowserBackendName;
  readonly description: string;
  readonly fallbacks: readonly { readonly backend: string; readonly reason: string }[];
  readonly userAgent: string;
  /** Step of the page's clock in ms (see `BrowserProfileResult.timerResolutionMs`). */
  readonly timerResolutionMs: number;
}

/** A running server. */
export interface BrowserProfileServer {
  /** Addresses to open: `http://localhost:<port>/<code>` and, on 0.0.0.0, one per LAN address. */
  readonly urls: readonly string[];
  /** The first of {@link urls}: reachable from this computer. */
  readonly localUrl: string;
  /** Settles once: the outcome, or a `NasxError` (timeout, page closed, malformed message, the page's own failure). */
  readonly result: Promise<BrowserProfileOutcome>;
  /** Stops listening and drops open connections (also done when `result` settles). */
  close(): Promise<void>;
}

/** Largest request body accepted (a result of ~1,000 rows is about 150 kB). */
const MAX_BODY = 4 * 1024 * 1024;
/** SSE comment interval: keeps idle connections (and phones' radios) from timing out. */
const HEARTBEAT_MS = 10_000;

/**
 * Serves the browser profiler: `GET /<code>` the page, `/<code>/nasx-profiler.js` the bundle,
 * `/<code>/wasm/<file>` tfjs-backend-wasm's binaries, `/<code>/events` a server-sent-event stream
 * that hands the job to one page (and whose closing tells the page is gone), and POST
 * `/<code>/progress | result | failed`. The random code in every path keeps other machines on the
 * network from posting results.
 */
export async function startBrowserProfileServer(o: BrowserProfileServerOptions): Promise<BrowserProfileServer> {
  // Loaded here, not when the CLI starts: @nasx/tensor brings TensorFlow.js.
  const { BROWSER_BACKENDS, browserProfilerAssets } = await import('@nasx/tensor');
  const assets = browserProfilerAssets();
  const code = crypto.randomBytes(4).toString('hex');
  // input/output nodes are no operators (profileOperators skips them too).
  const keys = [...new Set(o.nodes.filter((n) => n.op !== 'input' && n.op !== 'output').map((n) => operatorKey(n)))];
  if (keys.length === 0) throw new NasxError('usage', 'there are no operators to profile', { pkg: CLI, fix: 'profile a space whose operators() lists some' });
  const job = JSON.stringify({ nodes: o.nodes, backend: o.backend, batch: o.batch, repeats: o.repeats, warmup: o.warmup, statistic: o.statistic ?? 'median' });
  const log = o.log ?? (() => undefined);
  const grace = o.reconnectGraceMs ?? 15_000;

  let settle: { resolve(v: BrowserProfileOutcome): void; reject(e: unknown): void } | undefined;
  const result = new Promise<BrowserProfileOutcome>((resolve, reject) => (settle = { resolve, reject }));
  // The caller may attach its handler late (after printing the URLs); never an unhandled rejection.
  result.catch(() => undefined);

  /** The page that holds the job: its id, its open event stream, how far it got. */
  let active: { session: string; stream?: http.ServerResponse; agent: string; done: number; graceTimer?: NodeJS.Timeout } | undefined;
  let finished = false;
  const timers: NodeJS.Timeout[] = [];

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) reply(res, 500, 'text/plain', 'internal error');
      fail(e);
    });
  });

  function progressNote(): string {
    return active ? `${active.done} of ${keys.length} operators done in ${active.agent}` : `no page opened ${urls[0]}`;
  }

  /** Stops everything; `error` is told to the page that holds the job, so it does not wait on a server that is gone. */
  function finish(error?: unknown): void {
    finished = true;
    for (const t of timers) clearTimeout(t);
    if (active?.graceTimer) clearTimeout(active.graceTimer);
    if (error !== undefined && active?.stream) {
      const message = error instanceof Error ? error.message : String(error);
      active.stream.write(`event: end\ndata: ${JSON.stringify({ message })}\n\n`);
    }
    void close();
  }

  function fail(e: unknown): void {
    if (finished) return;
    finish(e);
    settle!.reject(e);
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const parts = url.pathname.split('/').filter(Boolean);
    if (url.pathname === '/favicon.ico') return reply(res, 204, 'text/plain', '');
    if (parts[0] !== code) {
      reply(res, 404, 'text/plain', 'nasx: open the exact address nasx latency profile --browser printed (it ends in a code)\n');
      return;
    }
    const route = parts.slice(1).join('/');
    const session = url.searchParams.get('session') ?? '';
    if (req.method === 'GET' && route === '') return reply(res, 200, 'text/html; charset=utf-8', browserProfilePage(code));
    if (req.method === 'GET' && route === 'nasx-profiler.js') return sendFile(res, assets.script, 'text/javascript; charset=utf-8');
    if (req.method === 'GET' && parts[1] === 'wasm' && parts.length === 3 && assets.wasm[parts[2]!])
      return sendFile(res, assets.wasm[parts[2]!]!, 'application/wasm');
    if (req.method === 'GET' && route === 'events') return openEvents(req, res, session);
    if (req.method === 'POST' && ['progress', 'result', 'failed'].includes(route)) {
      if (!active || session !== active.session) return reply(res, 409, 'text/plain', 'this page does not hold the profiling job\n');
      const body = await readJson(req).catch((e: unknown) => e as Error);
      // A message cut off because the page went away (closed mid-request) is no malformed message:
      // the closed event stream tells that story.
      if (body instanceof Error && !req.complete) return;
      const problem = body instanceof Error ? body.message : undefined;
      if (problem) return malformed(res, route, problem);
      if (route === 'progress') return onProgress(res, body);
      if (route === 'failed') return onFailed(res, body);
      return onResult(res, body);
    }
    reply(res, 404, 'text/plain', 'not found\n');
  }

  function openEvents(req: http.IncomingMessage, res: http.ServerResponse, session: string): void {
    if (finished || !session) return reply(res, 409, 'text/plain', 'no job\n');
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', ...ISOLATION });
    const agent = describeUserAgent(req.headers['user-agent']);
    if (active && active.session !== session && active.stream) {
      res.end(`event: busy\ndata: {}\n\n`);
      return;
    }
    if (active?.graceTimer) clearTimeout(active.graceTimer);
    if (!active || active.session !== session) {
      if (active) log(`the page in ${active.agent} went away; ${agent} takes the job over from the start`);
      else log(`a page opened in ${agent}; profiling ${keys.length} operators…`);
      active = { session, agent, done: 0 };
      res.write(`event: job\ndata: ${job}\n\n`);
    }
    const page = active;
    page.stream = res;
    const ping = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    req.on('close', () => {
      clearInterval(ping);
      if (finished || active !== page || page.stream !== res) return;
      page.stream = undefined;
      page.graceTimer = setTimeout(() => {
        fail(
          new NasxError('run', `the profiling page in ${page.agent} was closed or lost its connection after ${page.done} of ${keys.length} operators`, {
            pkg: CLI,
            fix: 'run the command again and keep the page open, in front, with the screen on, until it says the table was written',
          }),
        );
      }, grace);
    });
  }

  function malformed(res: http.ServerResponse, route: string, problem: string): void {
    reply(res, 400, 'text/plain', `${problem}\n`);
    fail(
      new NasxError('run', `the page in ${active?.agent ?? 'the browser'} sent a malformed ${route} message: ${problem}`, {
        pkg: CLI,
        fix: 'open the page nasx prints (its own page, not a modified copy) and run the command again; if it repeats, report it with the browser named here',
      }),
    );
  }

  function onProgress(res: http.ServerResponse, body: unknown): void {
    const p = body as { done?: unknown; total?: unknown; key?: unknown; ms?: unknown };
    if (!isCount(p.done) || p.total !== keys.length || typeof p.key !== 'string' || !keys.includes(p.key) || typeof p.ms !== 'number') {
      return malformed(res, 'progress', `expected {done, total: ${keys.length}, key: one of the requested operators, ms}, got ${preview(body)}`);
    }
    active!.done = Math.max(active!.done, p.done);
    log(`${p.done}/${keys.length} ${p.key}: ${Number.isFinite(p.ms) ? `${p.ms.toFixed(3)} ms` : '?'}`);
    reply(res, 204, 'text/plain', '');
  }

  function onFailed(res: http.ServerResponse, body: unknown): void {
    const message = typeof (body as { message?: unknown })?.message === 'string' ? (body as { message: string }).message.slice(0, 2000) : preview(body);
    reply(res, 204, 'text/plain', '');
    fail(
      new NasxError('run', `the page in ${active!.agent} could not profile: ${message}`, {
        pkg: CLI,
        fix: `try another backend (--backend ${BROWSER_BACKENDS.filter((b) => b !== o.backend).join(' or --backend ')}), or another browser`,
      }),
    );
  }

  function onResult(res: http.ServerResponse, body: unknown): void {
    let outcome: BrowserProfileOutcome;
    try {
      outcome = checkResult(body, keys, BROWSER_BACKENDS);
    } catch (e) {
      return malformed(res, 'result', (e as Error).message);
    }
    if (finished) return reply(res, 409, 'text/plain', 'too late\n');
    // Settled once the answer is on its way, so the page can say "done" before the server stops.
    res.once('finish', () => {
      if (finished) return;
      finish();
      settle!.resolve(outcome);
    });
    reply(res, 200, 'application/json', JSON.stringify({ ok: true, rows: outcome.rows.length }));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new NasxError(
          'usage',
          `cannot listen on ${o.host}:${o.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.code === 'EADDRNOTAVAIL' ? 'no such address on this computer' : e.message}`,
          {
            pkg: CLI,
            fix:
              e.code === 'EADDRINUSE'
                ? 'give another --port (or --port 0 for any free one)'
                : 'give --host 127.0.0.1 (this computer) or --host 0.0.0.0 (every network)',
          },
        ),
      ),
    );
    server.listen(o.port, o.host, resolve);
  });
  server.on('error', fail);
  const port = (server.address() as AddressInfo).port;
  const urls = addressesFor(o.host).map((h) => `http://${h}:${port}/${code}`);

  timers.push(
    setTimeout(() => {
      const s = Number((o.timeoutMs / 1000).toFixed(1));
      fail(
        new NasxError('run', `no profile came back within ${s} s (${progressNote()})`, {
          pkg: CLI,
          fix: active
            ? `give it longer with --timeout (seconds), or fewer --repeats`
            : `open ${urls.join(' or ')} in a browser${o.host === '127.0.0.1' || o.host === 'localhost' ? ' on this computer (for a phone, listen on the network with --host 0.0.0.0)' : ' on the same network'}, or give --timeout`,
        }),
      );
    }, o.timeoutMs),
  );

  async function close(): Promise<void> {
    if (!server.listening) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      // The event streams end cleanly; whatever else is still open is dropped.
      active?.stream?.end();
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 200).unref();
    });
  }

  return {
    urls,
    localUrl: urls[0]!,
    result,
    async close() {
      if (!finished) fail(new NasxError('run', 'the profiling server was stopped', { pkg: CLI }));
      await close();
    },
  };
}

/** Host names a browser can use to reach `host`: localhost first, then each LAN IPv4 address on 0.0.0.0. */
function addressesFor(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host === '127.0.0.1' ? 'localhost' : host.includes(':') ? `[${host}]` : host];
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .filter((a): a is os.NetworkInterfaceInfo => !!a && a.family === 'IPv4' && !a.internal)
    .map((a) => a.address);
  return ['localhost', ...new Set(lan)];
}

/**
 * Cross-origin isolation: with it (on localhost; browsers grant it only to secure origins) Chrome's
 * performance.now() ticks every 5 µs instead of every 100 µs, which matters for sub-millisecond
 * operators. Every resource is same-origin, so nothing breaks.
 */
const ISOLATION = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } as const;

function reply(res: http.ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', ...ISOLATION });
  res.end(body);
}

function sendFile(res: http.ServerResponse, file: string, type: string): void {
  res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache', ...ISOLATION });
  fs.createReadStream(file).pipe(res);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new Error(`the body is larger than ${MAX_BODY / 1024 / 1024} MB`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`the body is not JSON (${preview(text)})`);
  }
}

function preview(v: unknown): string {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 120 ? `${s.slice(0, 120)}…` : s;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Checks a result message: every requested operator exactly once, finite latencies ≥ 0, a known backend. */
export function checkResult(body: unknown, keys: readonly string[], backends: readonly BrowserBackendName[]): BrowserProfileOutcome {
  const b = body as Partial<Record<'rows' | 'backend' | 'description' | 'fallbacks' | 'userAgent' | 'timerResolutionMs', unknown>> | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b))
    throw new Error(`expected an object {rows, backend, description, fallbacks, userAgent}, got ${preview(body)}`);
  if (typeof b.backend !== 'string' || !(backends as readonly string[]).includes(b.backend))
    throw new Error(`"backend" must be one of ${backends.join(', ')}, got ${preview(b.backend)}`);
  for (const f of ['description', 'userAgent'] as const) {
    if (typeof b[f] !== 'string' || (b[f] as string).length > 2000) throw new Error(`"${f}" must be a string of at most 2000 characters`);
  }
  const tick = b.timerResolutionMs;
  if (typeof tick !== 'number' || !(tick > 0 && tick <= 100))
    throw new Error(`"timerResolutionMs" must be a number of milliseconds above 0, got ${preview(tick)}`);
  const fallbacks = b.fallbacks ?? [];
  if (
    !Array.isArray(fallbacks) ||
    !fallbacks.every((f: unknown) => typeof (f as { backend?: unknown })?.backend === 'string' && typeof (f as { reason?: unknown }).reason === 'string')
  )
    throw new Error(`"fallbacks" must be a list of {backend, reason}`);
  if (!Array.isArray(b.rows)) throw new Error(`"rows" must be a list of {key, ms, samples}, got ${preview(b.rows)}`);
  const wanted = new Set(keys);
  const byKey = new Map<string, OperatorTableRow>();
  b.rows.forEach((r: unknown, i: number) => {
    const row = r as Partial<Record<'key' | 'ms' | 'samples', unknown>> | null;
    const at = `rows[${i}]`;
    if (typeof row !== 'object' || row === null || typeof row.key !== 'string') throw new Error(`${at} has no operator "key"`);
    if (!wanted.has(row.key)) throw new Error(`${at} is "${preview(row.key)}", which was not asked for`);
    if (byKey.has(row.key)) throw new Error(`${at}: "${row.key}" appears twice`);
    if (typeof row.ms !== 'number' || !Number.isFinite(row.ms) || row.ms < 0)
      throw new Error(`${at} ("${row.key}"): "ms" must be a finite number ≥ 0, got ${preview(row.ms)}`);
    if (!isCount(row.samples) || row.samples < 1) throw new Error(`${at} ("${row.key}"): "samples" must be a whole number ≥ 1, got ${preview(row.samples)}`);
    byKey.set(row.key, { key: row.key, ms: row.ms, samples: row.samples });
  });
  const missing = keys.filter((k) => !byKey.has(k));
  if (missing.length) throw new Error(`${missing.length} of the ${keys.length} requested operators have no row, e.g. "${missing[0]}"`);
  return {
    rows: keys.map((k) => byKey.get(k)!),
    backend: b.backend as BrowserBackendName,
    description: b.description as string,
    fallbacks: (fallbacks as { backend: string; reason: string }[]).map((f) => ({ backend: f.backend.slice(0, 40), reason: f.reason.slice(0, 500) })),
    userAgent: b.userAgent as string,
    timerResolutionMs: tick,
  };
}
