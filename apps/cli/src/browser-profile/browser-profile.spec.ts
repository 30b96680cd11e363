import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { operatorKey, parseOperatorTable, type ArchGraphNode } from '@nasx/contracts';
import { describeWithChromium } from '@nasx/testing';
import { chromium, type Browser } from 'playwright-core';
import { tempDir } from '../cli-test-helpers';
import type { CliIO } from '../io';
import { browserProfileCommand } from '../commands/latency-browser.command';
import { checkResult, startBrowserProfileServer, type BrowserProfileServerOptions } from './browser-profile.server';

/** A small operator set of the kinds a MnasNet network has, one duplicate and an input node. */
const NODES: ArchGraphNode[] = [
  { id: 'in', op: 'input', shape: [3, 16, 16] },
  { id: 'stem', op: 'conv', attrs: { input: [3, 16, 16], cout: 8, kernel: 3, stride: 2 } },
  { id: 'b1', op: 'mbconv', attrs: { input: [8, 8, 8], cout: 8, kernel: 3, stride: 1, expansion: 3, se: 0, skip: 'identity' } },
  { id: 'b2', op: 'sep_conv', attrs: { input: [8, 8, 8], cout: 16, kernel: 5, stride: 2 } },
  { id: 'b3', op: 'mbconv', attrs: { input: [8, 8, 8], cout: 8, kernel: 3, stride: 1, expansion: 3, se: 0, skip: 'identity' } },
  { id: 'pool', op: 'global_pool', attrs: { input: [16, 4, 4] } },
  { id: 'fc', op: 'dense', attrs: { input: [16], cout: 10 } },
];
const KEYS = [...new Set(NODES.filter((n) => n.op !== 'input').map((n) => operatorKey(n)))];

function bufferIO(cwd: string): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (t) => stdout.push(t), err: (t) => stderr.push(t), errIsTTY: false, cwd, env: {} };
}

/** Resolves with the first URL the command printed. */
async function printedUrl(io: { stdout: string[] }): Promise<string> {
  for (let i = 0; i < 200; i++) {
    const m = /http:\/\/\S+/.exec(io.stdout.join(''));
    if (m) return m[0];
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no URL printed: ${io.stdout.join('')}`);
}

function serve(extra: Partial<BrowserProfileServerOptions> = {}) {
  return startBrowserProfileServer({ nodes: NODES, backend: 'wasm', batch: 1, repeats: 3, warmup: 1, host: '127.0.0.1', port: 0, timeoutMs: 20_000, ...extra });
}

function post(url: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens the event stream as a page would; resolves with the first event's text, and `rest()` with the others once the server ends it. */
function openEvents(url: string): Promise<{ first: string; rest(): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.setEncoding('utf8');
      let text = '';
      const ended = new Promise<string>((done) => res.on('end', () => done(text)).on('close', () => done(text)));
      res.once('data', (first: string) => {
        res.on('data', (chunk: string) => (text += chunk));
        resolve({ first, rest: () => ended, close: () => req.destroy() });
      });
    });
    req.on('error', reject);
  });
}

describeWithChromium('nasx latency profile --browser in headless Chromium', (executablePath) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath, headless: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(['wasm', 'cpu'] as const)('profiles the operators on %s and writes a table whose keys are the requested operators', async (backend) => {
    const dir = tempDir();
    const io = bufferIO(dir);
    const done = browserProfileCommand(
      io,
      { out: 'table.csv', backend, port: 0, repeats: 3, warmup: 1, timeout: 60 },
      { nodes: NODES, meta: { space: 'test', input: '3x16x16' } },
    );
    const page = await browser.newPage();
    await page.goto(await printedUrl(io));
    expect(await done).toBe(0);
    await page.waitForSelector('.done');
    // The page showed its progress to the end.
    expect(await page.evaluate(`[document.getElementById('bar').value, document.getElementById('bar').max]`)).toEqual([KEYS.length, KEYS.length]);
    await page.close();

    const { meta, rows } = parseOperatorTable(fs.readFileSync(path.join(dir, 'table.csv'), 'utf8'), 'table.csv');
    expect(rows.map((r) => r.key)).toEqual(KEYS);
    for (const r of rows) {
      expect(r.ms).toBeGreaterThan(0);
      expect(r.samples).toBe(3);
    }
    expect(meta).toMatchObject({
      device: `linux-headless-chrome-${backend}`,
      batch: 1,
      space: 'test',
      input: '3x16x16',
      repeats: 3,
      warmup: 1,
      statistic: 'median',
    });
    expect(String(meta['backend'])).toMatch(new RegExp(`^tfjs \\d+\\.\\d+\\.\\d+ ${backend}\\b.* in headless-chrome on linux$`));
    expect(String(meta['user_agent'])).toMatch(/HeadlessChrome/);
    // Cross-origin isolated on localhost: Chrome's clock ticks every 5 µs instead of 100 µs.
    expect(Number(meta['timer_resolution_ms'])).toBeLessThanOrEqual(0.01);
    expect(io.stderr.join('')).toMatch(new RegExp(`${KEYS.length}/${KEYS.length} `));
  });

  it('falls back from WebGL when the browser has none, and the table says so', async () => {
    const dir = tempDir();
    const io = bufferIO(dir);
    const done = browserProfileCommand(io, { out: 'table.csv', port: 0, repeats: 1, warmup: 0, timeout: 60 }, { nodes: NODES, meta: {} });
    const page = await browser.newPage();
    try {
      // A browser without WebGL: every canvas refuses a webgl context.
      await page.addInitScript({
        content: `for (const C of [HTMLCanvasElement, OffscreenCanvas]) {
          const original = C.prototype.getContext;
          C.prototype.getContext = function (type, ...rest) { return /webgl/.test(type) ? null : original.call(this, type, ...rest); };
        }`,
      });
      await page.goto(await printedUrl(io));
      expect(await done).toBe(0);
    } finally {
      await page.close();
    }
    const { meta, rows } = parseOperatorTable(fs.readFileSync(path.join(dir, 'table.csv'), 'utf8'), 'table.csv');
    expect(rows.map((r) => r.key)).toEqual(KEYS);
    expect(meta['device']).toBe('linux-headless-chrome-wasm');
    expect(String(meta['backend'])).toMatch(/^tfjs \S+ wasm.* in headless-chrome on linux; instead of webgl \(.+\)$/);
    expect(io.stdout.join('')).toMatch(/wasm \(webgl did not initialise\)/);
  });

  it('fails with "closed" when the page goes away mid-way', async () => {
    const server = await serve({ reconnectGraceMs: 300 });
    const page = await browser.newPage();
    // The first progress message the route sees is held and the page closed meanwhile: the page
    // never gets to send its result (it waits for its progress messages first), so the close always
    // comes before the table is written. How many operators the server counted varies: later
    // progress messages can still reach it while the first is held, up to all 5 on a busy machine.
    const closed = new Promise<void>((resolve) => {
      void page.route('**/progress?**', () => void page.close().then(resolve));
    });
    await page.goto(server.localUrl);
    await closed;
    await expect(server.result).rejects.toMatchObject({
      kind: 'run',
      message: expect.stringMatching(/page in headless-chrome on linux was closed or lost its connection after [0-5] of 5 operators/),
    });
  });
});

describe('the profiling server without a browser', () => {
  it('prints this computer and every LAN address when listening on 0.0.0.0', async () => {
    const server = await serve({ host: '0.0.0.0' });
    const lan = Object.values(os.networkInterfaces())
      .flat()
      .filter((a) => a && a.family === 'IPv4' && !a.internal)
      .map((a) => a!.address);
    const port = new URL(server.localUrl).port;
    expect(server.urls.map((u) => new URL(u).hostname)).toEqual(['localhost', ...new Set(lan)]);
    expect(server.urls.every((u) => new URL(u).port === port && u.endsWith(new URL(server.localUrl).pathname))).toBe(true);
    await server.close();
  });

  it('fails with the address to open when no page comes before the timeout', async () => {
    const server = await serve({ timeoutMs: 200 });
    await expect(server.result).rejects.toMatchObject({
      kind: 'run',
      message: expect.stringMatching(/no profile came back within 0.2 s \(no page opened http:\/\/localhost:\d+\/[0-9a-f]{8}\)/),
    });
    await expect(server.result).rejects.toMatchObject({ fix: expect.stringContaining('--host 0.0.0.0') });
  });

  it('says the port is taken', async () => {
    const first = await serve();
    const port = Number(new URL(first.localUrl).port);
    await expect(serve({ port })).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/port is in use/),
      fix: expect.stringMatching(/--port 0/),
    });
    await first.close();
  });

  it('refuses a malformed result and ends with a clear error, which the page is told', async () => {
    const server = await serve();
    const events = await openEvents(`${server.localUrl}/events?session=s1`);
    expect(events.first).toMatch(/^event: job\ndata: \{"nodes":/);
    expect(await post(`${server.localUrl}/result?session=s1`, '{"rows": [')).toBe(400);
    await expect(server.result).rejects.toMatchObject({ kind: 'run', message: expect.stringMatching(/sent a malformed result message: the body is not JSON/) });
    expect(await events.rest()).toMatch(/event: end\ndata: \{"message":"the page in a browser sent a malformed result message: the body is not JSON/);
  });

  it('ignores requests without the code and posts from a page that does not hold the job', async () => {
    const server = await serve({ timeoutMs: 5000 });
    const base = new URL(server.localUrl);
    expect(await post(`${base.origin}/result`, '{}')).toBe(404);
    expect(await post(`${server.localUrl}/result?session=nobody`, '{}')).toBe(409);
    const events = await openEvents(`${server.localUrl}/events?session=first`);
    const second = await openEvents(`${server.localUrl}/events?session=second`);
    expect(second.first).toMatch(/^event: busy/);
    second.close();
    events.close();
    await server.close();
    await expect(server.result).rejects.toThrow(/stopped/);
  });
});

describe('checkResult', () => {
  const row = (key: string) => ({ key, ms: 1.5, samples: 3 });
  const good = { rows: KEYS.map(row), backend: 'wasm', description: 'tfjs 4.22.0 wasm', fallbacks: [], userAgent: 'x', timerResolutionMs: 0.1 };
  const backends = ['webgl', 'wasm', 'cpu'] as const;

  it('accepts every requested operator once and orders the rows as requested', () => {
    expect(checkResult({ ...good, rows: [...good.rows].reverse() }, KEYS, backends).rows.map((r) => r.key)).toEqual(KEYS);
  });

  it.each([
    [{ ...good, rows: good.rows.slice(1) }, /1 of the 5 requested operators have no row/],
    [{ ...good, rows: [...good.rows, row(KEYS[0]!)] }, /appears twice/],
    [{ ...good, rows: [...good.rows, row('conv in=1x1x1')] }, /was not asked for/],
    [{ ...good, rows: [{ ...row(KEYS[0]!), ms: -1 }, ...good.rows.slice(1)] }, /"ms" must be a finite number ≥ 0/],
    [{ ...good, rows: [{ ...row(KEYS[0]!), samples: 0 }, ...good.rows.slice(1)] }, /"samples" must be a whole number ≥ 1/],
    [{ ...good, backend: 'metal' }, /"backend" must be one of webgl, wasm, cpu/],
    [{ ...good, timerResolutionMs: 0 }, /timerResolutionMs/],
    [[1, 2], /expected an object/],
  ])('refuses %#', (body, message) => {
    expect(() => checkResult(body, KEYS, backends)).toThrow(message);
  });
});
