import { randomBytes, timingSafeEqual } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type Architecture, type ArchGraph } from '@nasx/contracts';
import { paretoFrontIndices } from '@nasx/stats';
import { ExperimentStore, type TrialQuery } from '@nasx/store';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { cellSpec, compareSpec, frontSpec, trajectorySpec } from './charts';

export const UI_PACKAGE = '@nasx/ui';

/** Options of {@link startUiServer}. */
export interface UiServerOptions {
  readonly runsDir: string;
  /** Address to bind; default the loopback address. */
  readonly host?: string;
  /** Port; 0 picks a free one. Default 8080. */
  readonly port?: number;
  /**
   * Access token. Required (and made up when absent) when bound to an address other than
   * loopback; optional on loopback. Given as `?token=` once (then a cookie) or `Authorization: Bearer`.
   */
  readonly token?: string;
  /** How often a live page's run is synced from its journal, ms (default 1000). */
  readonly pollMs?: number;
  /** The op graph of an architecture of a run (the run's own space draws its cell); absent: no drawing. */
  readonly cellGraph?: (runDir: string, arch: Architecture) => Promise<ArchGraph>;
}

/** A running web view. */
export interface UiServer {
  /** The address to open (with `?token=` when a token is needed). */
  readonly url: string;
  readonly token?: string;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** The browser builds of the charting libraries, served from the installed packages. */
function assetFiles(): Record<string, string> {
  // The package folder as Node finds it (their `exports` do not all expose package.json).
  const resolveFrom = (pkg: string, rel: string): string => {
    for (const dir of require.resolve.paths(pkg) ?? []) {
      if (fs.existsSync(path.join(dir, pkg, 'package.json'))) return path.join(dir, pkg, rel);
    }
    return path.join(pkg, rel);
  };
  return {
    'vega.min.js': resolveFrom('vega', 'build/vega.min.js'),
    'vega-lite.min.js': resolveFrom('vega-lite', 'build/vega-lite.min.js'),
    'vega-embed.min.js': resolveFrom('vega-embed', 'build/vega-embed.min.js'),
    'app.js': path.resolve(__dirname, '..', 'assets', 'app.js'),
    'app.css': path.resolve(__dirname, '..', 'assets', 'app.css'),
  };
}

function page(title: string, body: string, script: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · nasx</title>
<link rel="stylesheet" href="/assets/app.css">
<script src="/assets/vega.min.js"></script><script src="/assets/vega-lite.min.js"></script><script src="/assets/vega-embed.min.js"></script>
<script src="/assets/app.js"></script>
</head><body><header><a href="/">nasx</a> <span>${escapeHtml(title)}</span></header><main>${body}</main>
<script>${script}</script></body></html>`;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/**
 * Starts the web view of a runs directory: a page listing the runs, a page per run (live
 * best-so-far trajectory, sortable and filterable trials table, Pareto front of multi-objective
 * runs, the best cell drawn), and a comparison of runs; charts are Vega-Lite specs rendered by
 * vega-embed in the browser. Data comes from the experiment store, synced from the journals on
 * each request and, for live pages, every `pollMs` (server-sent events).
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = LOOPBACK.has(host);
  const token = options.token ?? (loopback ? undefined : randomBytes(18).toString('base64url'));
  const store = ExperimentStore.open(options.runsDir);
  store.sync();
  const assets = assetFiles();
  for (const [name, file] of Object.entries(assets)) {
    if (!fs.existsSync(file)) throw new NasxError('run', `the web view's asset ${name} is missing (${file})`, { pkg: UI_PACKAGE, fix: 'reinstall @nasx/ui' });
  }
  const app: FastifyInstance = Fastify({ logger: false });
  const sync = (): void => {
    store.sync();
  };

  if (token) {
    const expected = Buffer.from(token);
    const ok = (given: string | undefined): boolean => given !== undefined && given.length === token.length && timingSafeEqual(Buffer.from(given), expected);
    app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
      const q = (req.query as Record<string, string | undefined>)['token'];
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const cookie = /(?:^|;\s*)nasx_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (ok(q)) {
        reply.header('set-cookie', `nasx_token=${token}; HttpOnly; SameSite=Strict; Path=/`);
        return;
      }
      if (ok(bearer) || ok(cookie)) return;
      await reply.code(401).type('text/plain').send('nasx ui: this view needs its token: open the address nasx ui printed (…?token=…)');
    });
  }

  app.get('/assets/:name', async (req, reply) => {
    const name = (req.params as { name: string }).name;
    const file = assets[name];
    if (!file) return reply.code(404).send('not found');
    reply.type(name.endsWith('.css') ? 'text/css' : 'application/javascript').header('cache-control', 'max-age=3600');
    return reply.send(fs.createReadStream(file));
  });

  // Pages: the data comes from the API, so pages stay small and live pages update in place.
  app.get('/', async (_req, reply) =>
    reply
      .type('text/html')
      .send(
        page(
          'runs',
          `<section class="filters"><input id="filter" placeholder="filter: id, name, space, searcher, estimator, status" size="50"> <button id="compare" disabled>compare selected</button></section><table id="runs" class="grid"></table>`,
          'nasx.runsPage();',
        ),
      ),
  );
  app.get('/runs/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    sync();
    const run = store.run(id);
    return reply.type('text/html').send(
      page(
        run.id,
        `<section id="summary" class="summary"></section>
<section class="charts"><div><h2>best so far</h2><div id="trajectory" data-points="0"></div></div>${run.multi ? '<div><h2>Pareto front</h2><div id="front"></div></div>' : ''}<div><h2>best cell</h2><div id="cell"></div></div></section>
<section><h2>trials</h2><div class="filters"><input id="arch-filter" placeholder="architecture contains"> <select id="status-filter"><option value="">all</option><option>evaluated</option><option>failed</option></select></div><table id="trials" class="grid"></table></section>`,
        `nasx.runPage(${JSON.stringify(run.id)});`,
      ),
    );
  });
  app.get('/compare', async (req, reply) => {
    const ids = String((req.query as { ids?: string }).ids ?? '')
      .split(',')
      .filter(Boolean);
    return reply
      .type('text/html')
      .send(
        page(
          `compare ${ids.length} runs`,
          `<table id="compare-table" class="grid"></table><h2>best so far</h2><div id="compare-chart"></div>`,
          `nasx.comparePage(${JSON.stringify(ids)});`,
        ),
      );
  });

  // The API.
  app.get('/api/runs', async () => {
    sync();
    return store.listRuns();
  });
  app.get('/api/runs/:id', async (req) => {
    sync();
    return store.run((req.params as { id: string }).id);
  });
  app.get('/api/runs/:id/trials', async (req) => {
    const q = req.query as Record<string, string | undefined>;
    const query: TrialQuery = {
      ...(q['sort'] === 'value' || q['sort'] === 'seconds' || q['sort'] === 'trial' ? { sort: q['sort'] } : {}),
      ...(q['order'] === 'desc' || q['order'] === 'asc' ? { order: q['order'] } : {}),
      ...(q['status'] === 'evaluated' || q['status'] === 'failed' ? { status: q['status'] } : {}),
      ...(q['arch'] ? { arch: q['arch'] } : {}),
      limit: Math.min(Number(q['limit'] ?? 200) || 200, 5000),
      offset: Number(q['offset'] ?? 0) || 0,
    };
    return store.trials((req.params as { id: string }).id, query);
  });
  app.get('/api/runs/:id/trajectory', async (req) => {
    const id = (req.params as { id: string }).id;
    return { spec: trajectorySpec(store.run(id)), points: store.trajectory(id) };
  });
  app.get('/api/runs/:id/front', async (req) => {
    const id = (req.params as { id: string }).id;
    const run = store.run(id);
    const trials = store.trials(id, { status: 'evaluated' }).filter((t) => Array.isArray(t.objective));
    const points = trials.map((t) => t.objective as readonly number[]);
    const onFront = new Set(paretoFrontIndices(points));
    const rows = trials.map((t, i) => ({ trial: t.trial, arch: t.arch?.key ?? '', a: points[i]![0], b: points[i]![1], front: onFront.has(i) }));
    return { spec: frontSpec(run), points: rows };
  });
  app.get('/api/runs/:id/cell', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const run = store.run(id);
    const q = req.query as { trial?: string };
    const trial = q.trial !== undefined ? store.trials(id).find((t) => t.trial === Number(q.trial)) : undefined;
    const arch = trial?.arch ?? run.best?.arch;
    if (!arch || !options.cellGraph) return reply.code(404).send({ error: arch ? 'no drawing of this space' : 'no architecture yet' });
    const graph = await options.cellGraph(path.join(store.runsDir, id), arch);
    return { arch: arch.key, spec: cellSpec(graph) };
  });
  app.get('/api/compare', async (req) => {
    sync();
    const ids = String((req.query as { ids?: string }).ids ?? '')
      .split(',')
      .filter(Boolean);
    const c = store.compare(ids);
    const curves = ids.map((id) => ({ id, points: store.trajectory(id) }));
    return { ...c, spec: compareSpec(curves) };
  });
  // Live: what a run gained, every pollMs, as server-sent events.
  app.get('/api/runs/:id/live', (req, reply) => {
    const id = (req.params as { id: string }).id;
    sync();
    store.run(id);
    let after = Number((req.query as { after?: string }).after ?? -1);
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const push = (): void => {
      try {
        sync();
        const run = store.run(id);
        const points = store.trajectory(id, { afterSeq: after });
        const trials = store.trials(id, { afterSeq: after, limit: 500 });
        if (points.length || trials.length || run.lastSeq > after) {
          reply.raw.write(`data: ${JSON.stringify({ run, points, trials })}\n\n`);
          after = run.lastSeq;
        }
      } catch {
        // the run folder went away; the page keeps what it has
      }
    };
    push();
    const timer = setInterval(push, options.pollMs ?? 1000);
    req.raw.on('close', () => clearInterval(timer));
  });

  app.setErrorHandler(async (error: unknown, _req, reply) => {
    const nasx = error instanceof NasxError ? error : undefined;
    const message = error instanceof Error ? error.message : String(error);
    await reply.code(nasx?.kind === 'usage' ? 404 : 500).send({ error: message, ...(nasx?.fix ? { fix: nasx.fix } : {}) });
  });

  try {
    await app.listen({ host, port: options.port ?? 8080 });
  } catch (e) {
    store.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new NasxError(
      'usage',
      `nasx ui cannot listen on ${host}:${options.port ?? 8080}: ${code === 'EADDRINUSE' ? 'the port is in use' : (e as Error).message}`,
      {
        pkg: UI_PACKAGE,
        fix: code === 'EADDRINUSE' ? 'choose another with --port (0 picks a free one)' : 'check --host and --port',
      },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const shown = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${port}/${token ? `?token=${token}` : ''}`,
    ...(token ? { token } : {}),
    async close() {
      await app.close();
      store.close();
    },
  };
}
