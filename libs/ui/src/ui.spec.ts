import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import nb201 from '@nasx/search-space-nb201';
import synthetic from '@nasx/estimator-synthetic';
import rea from '@nasx/searcher-regularized-evolution';
import { describeWithChromium, startTestKernel, type TestKernel } from '@nasx/testing';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startUiServer, type UiServer } from './server';

// The web view in a real browser (headless Chromium): runs list, a run page with its chart,
// sortable/filterable trials and cell drawing, a live page following a journal as it grows, a
// comparison, a Pareto front, and the token off loopback.

const CONFIG = { space: 'nb201', estimator: 'synthetic', searcher: { use: 'regularized-evolution', options: { population: 10, sampleSize: 3 } }, workers: 0 };

/** A multi-objective run's journal, as the kernel writes one (objectives are larger-is-better). */
function writeParetoRun(runsDir: string): string {
  const id = 'pareto-20260101-000000-abcd';
  const dir = path.join(runsDir, id);
  fs.mkdirSync(dir);
  const t = 1_800_000_000_000;
  const lines: unknown[] = [
    {
      type: 'run-started',
      seed: 0,
      resumed: false,
      contributions: { space: 'nb201', estimator: 'synthetic', searcher: 'nsga2' },
      objective: 'maximize [acc, -latency]',
      budget: { evaluations: 6 },
      seq: 0,
      time: t,
    },
  ];
  const objectives = [
    [90, -5],
    [92, -9],
    [88, -3],
    [89, -8],
    [93, -12],
    [85, -4],
  ];
  objectives.forEach((o, i) =>
    lines.push({
      type: 'evaluated',
      seq: i + 1,
      time: t + i,
      trial: i,
      evaluations: i + 1,
      objective: o,
      arch: { space: 'nb201', genotype: { ops: [i % 5, 1, 2, 3, 4, 0] }, key: `nb201:${i % 5}12340` },
      estimate: { metrics: { acc: o[0], latency: -o[1]! }, cost: { seconds: 0 } },
    }),
  );
  lines.push({ type: 'run-finished', status: 'budget-exhausted', reason: 'budget', evaluations: 6, failures: 0, elapsedMs: 6, seq: 7, time: t + 7 });
  fs.writeFileSync(path.join(dir, 'events.ndjson'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  return id;
}

describeWithChromium('nasx ui in a browser', (executablePath) => {
  let tk: TestKernel;
  let server: UiServer;
  let browser: Browser;
  let page: Page;
  let ids: string[];
  let liveSource: string;
  beforeAll(async () => {
    tk = startTestKernel({
      plugins: [
        { name: '@nasx/search-space-nb201', definition: nb201 },
        { name: '@nasx/estimator-synthetic', definition: synthetic },
        { name: '@nasx/searcher-regularized-evolution', definition: rea },
      ],
    });
    const a = await tk.run({ ...CONFIG, name: 'alpha', seed: 1, budget: { evaluations: 80 } });
    const b = await tk.run({ ...CONFIG, name: 'beta', seed: 2, budget: { evaluations: 40 } });
    ids = [a.runId, b.runId];
    liveSource = a.runDir!;
    const kernel = tk.kernel;
    server = await startUiServer({
      runsDir: tk.runsDir,
      port: 0,
      pollMs: 200,
      cellGraph: async (runDir, arch) => (await kernel.createSpaceAndTask(kernel.loadRunConfig(runDir), { loadTask: false })).space.toGraph(arch),
    });
    browser = await chromium.launch({ executablePath, headless: true });
    page = await browser.newPage();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tk?.cleanup();
  });

  it('lists the runs; the filter narrows them, a header click sorts them', async () => {
    await page.goto(server.url);
    await page.waitForSelector('#runs tbody tr');
    const rows = async () => page.$$eval('#runs tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    expect((await rows()).sort()).toEqual([...ids].sort());
    await page.fill('#filter', 'beta');
    expect(await rows()).toEqual([ids[1]]);
    await page.fill('#filter', '');
    await page.click('#runs th[data-key="evaluations"]');
    expect(await rows()).toEqual([ids[0], ids[1]]); // 80 evaluations before 40
    await page.click('#runs th[data-key="evaluations"]');
    expect(await rows()).toEqual([ids[1], ids[0]]);
  }, 60_000);

  it('a run page: summary, the trajectory chart, trials sorted and filtered, the best cell drawn', async () => {
    const run = (await (await page.request.get(`${server.url.replace(/\/$/, '')}/api/runs/${ids[0]}`)).json()) as {
      trials: number;
      evaluations: number;
      best: { value: number; arch: { key: string } };
    };
    await page.goto(`${server.url.replace(/\/$/, '')}/runs/${ids[0]}`);
    // A point per counted evaluation; the trials table also lists the answers from the cache.
    await page.waitForSelector(`#trajectory[data-points="${run.evaluations}"] svg`);
    expect(await page.$$eval('#trajectory svg .mark-symbol path', (p) => p.length)).toBe(run.evaluations);
    expect(await page.textContent('#summary')).toContain('budget-exhausted');
    await page.waitForSelector('#trials tbody tr');
    expect(await page.$$eval('#trials tbody tr', (r) => r.length)).toBe(run.trials);
    await page.click('#trials th[data-key="value"]');
    await page.waitForSelector('#trials[data-sort="value desc"]');
    expect(Number(await page.textContent('#trials tbody tr:first-child td:nth-child(2)'))).toBeCloseTo(run.best.value, 2);
    const key = run.best.arch.key.slice(6, 9);
    await page.fill('#arch-filter', key);
    await page.waitForFunction(
      `[...document.querySelectorAll('#trials tbody tr td:nth-child(6)')].every((td) => td.textContent.includes(${JSON.stringify(key)}))`,
    );
    expect(await page.$$eval('#trials tbody tr', (r) => r.length)).toBeLessThan(run.trials);
    await page.waitForSelector(`#cell[data-arch="${run.best.arch.key}"] svg`);
    expect(await page.$$eval('#cell svg .mark-text text', (t) => t.map((x) => x.textContent))).toEqual(expect.arrayContaining(['input', 'output']));
  }, 60_000);

  it('a live page follows a run as its journal grows', async () => {
    const id = 'live-20260101-000000-beef';
    const dir = path.join(tk.runsDir, id);
    fs.mkdirSync(dir);
    fs.copyFileSync(path.join(liveSource, 'config.json'), path.join(dir, 'config.json'));
    const lines = fs.readFileSync(path.join(liveSource, 'events.ndjson'), 'utf8').trimEnd().split('\n');
    // The trajectory has a point per counted evaluation (answers from the cache count nothing).
    const evaluatedIn = (ls: string[]) => ls.filter((l) => l.includes('"type":"evaluated"') && !l.includes('"cached":true')).length;
    const third = Math.floor(lines.length / 3);
    fs.writeFileSync(path.join(dir, 'events.ndjson'), `${lines.slice(0, third).join('\n')}\n`);
    fs.writeFileSync(path.join(dir, 'lock'), `${process.pid}\n`);
    await page.goto(`${server.url.replace(/\/$/, '')}/runs/${id}`);
    await page.waitForSelector(`#trajectory[data-points="${evaluatedIn(lines.slice(0, third))}"] svg`);
    expect(await page.getAttribute('#summary', 'data-status')).toBe('running');
    fs.appendFileSync(path.join(dir, 'events.ndjson'), `${lines.slice(third).join('\n')}\n`);
    fs.rmSync(path.join(dir, 'lock'));
    await page.waitForSelector(`#trajectory[data-points="${evaluatedIn(lines)}"]`, { timeout: 10_000 });
    await page.waitForSelector('#summary[data-status="finished"]', { timeout: 10_000 });
    expect(await page.textContent('#summary')).toContain('finished (budget-exhausted');
    expect(await page.$$eval('#trajectory svg .mark-symbol path', (p) => p.length)).toBe(evaluatedIn(lines));
  }, 60_000);

  it('compares runs; draws a multi-objective run’s Pareto front', async () => {
    await page.goto(`${server.url.replace(/\/$/, '')}/compare?ids=${ids.join(',')}`);
    await page.waitForSelector('#compare-chart svg');
    const heads = await page.$$eval('#compare-table thead th a', (a) => a.map((x) => x.textContent));
    expect(heads).toEqual(ids);
    expect(await page.$$eval('#compare-chart svg .mark-line path', (p) => p.length)).toBe(2);
    const pareto = writeParetoRun(tk.runsDir);
    await page.goto(`${server.url.replace(/\/$/, '')}/runs/${pareto}`);
    await page.waitForSelector('#front[data-front] svg');
    // (92,−9), (93,−12), (90,−5), (88,−3) are non-dominated; (89,−8) and (85,−4) are not.
    expect(await page.getAttribute('#front', 'data-front')).toBe('4');
  }, 60_000);

  it('off loopback, every request needs the token', async () => {
    const open = await startUiServer({ runsDir: tk.runsDir, host: '0.0.0.0', port: 0 });
    try {
      expect(open.token).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      const base = open.url.replace(/\?token=.*$/, '');
      expect((await fetch(`${base}api/runs`)).status).toBe(401);
      expect((await fetch(`${base}api/runs?token=wrong`)).status).toBe(401);
      const ok = await fetch(`${base}api/runs?token=${open.token}`);
      expect(ok.status).toBe(200);
      const cookie = ok.headers.get('set-cookie')!.split(';')[0]!;
      expect((await fetch(`${base}api/runs`, { headers: { cookie } })).status).toBe(200);
      expect((await fetch(`${base}api/runs`, { headers: { authorization: `Bearer ${open.token}` } })).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});

describe('nasx ui without a browser', () => {
  it('a missing runs directory and a port in use are clear errors', async () => {
    await expect(startUiServer({ runsDir: path.join(os.tmpdir(), 'nasx-no-such-runs'), port: 0 })).rejects.toThrow(/the runs directory .* does not exist/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ui-'));
    const first = await startUiServer({ runsDir: dir, port: 0 });
    try {
      const port = Number(new URL(first.url).port);
      await expect(startUiServer({ runsDir: dir, port })).rejects.toThrow(new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port}: the port is in use`));
    } finally {
      await first.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
