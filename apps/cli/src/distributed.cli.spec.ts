import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadJournal } from '@nasx/kernel';
import { describeWithRedis, freePort, startRedisServer, type RedisServer } from '@nasx/testing';
import { nasx, nasxChild, tempDir } from './cli-test-helpers';

// Distributed evaluation as users run it: a real redis-server on the loopback address, `nasx
// worker` processes, and `nasx run` with executor: bullmq, against the same run in-process.

const STACK = /\n\s+at |node:internal|internal error|\.[jt]s:\d+:\d+\)/;
const SLOW_PLUGIN = path.resolve(__dirname, '__fixtures__', 'slow-plugin');

/** Regularised evolution over NB201 scored by the slow-hash fixture (`delayMs` per estimate). */
function config(name: string, extra: string): string {
  return `name: ${name}
seed: 7
plugins: [${JSON.stringify(SLOW_PLUGIN)}]
space: nb201
estimator: { use: slow-hash, options: { delayMs: 15 } }
searcher: { use: regularized-evolution, options: { population: 20, sampleSize: 5 } }
objective: score
concurrency: 16
dedup: false
budget: { evaluations: 400 }
${extra}`;
}

/** The evaluated trials of a run, as (trial, architecture key, objective) in journal order. */
function evaluated(runDir: string): string[] {
  const { events } = loadJournal(path.join(runDir, 'events.ndjson'));
  return events.flatMap((e) => (e.type === 'evaluated' ? [`${e.trial} ${e.arch.key} ${JSON.stringify(e.objective)}`] : []));
}

function onlyRun(runs: string): string {
  const [id] = fs.readdirSync(runs);
  return path.join(runs, id!);
}

describeWithRedis('distributed evaluation (bullmq executor, nasx worker)', () => {
  let redis: RedisServer;
  let dir: string;
  const workers: ChildProcess[] = [];
  const startWorker = (): ChildProcess => {
    const w = nasxChild(['worker', '--redis', redis.url, '--plugins', SLOW_PLUGIN, '--lease', '1', '--state-dir', path.join(dir, 'worker-state'), '-q']);
    w.stderr!.on('data', () => undefined);
    workers.push(w);
    return w;
  };
  beforeAll(async () => {
    redis = await startRedisServer({ persist: true });
    dir = tempDir();
  });
  afterAll(async () => {
    for (const w of workers) w.kill('SIGKILL');
    await redis?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('4 workers, one killed with SIGKILL and Redis restarted mid-run: the trials, the best and the count equal the in-process run', async () => {
    for (let k = 0; k < 4; k++) startWorker();
    fs.writeFileSync(path.join(dir, 'local.yaml'), config('local', ''));
    fs.writeFileSync(path.join(dir, 'remote.yaml'), config('remote', `executor: { use: bullmq, options: { redis: "${redis.url}", batchSize: 2 } }`));
    const local = nasx(['run', path.join(dir, 'local.yaml'), '--runs-dir', path.join(dir, 'runs-local'), '-q'], { timeoutMs: 120_000 });
    expect(local.code).toBe(0);

    const run = nasxChild(['run', path.join(dir, 'remote.yaml'), '--runs-dir', path.join(dir, 'runs-remote'), '-q']);
    let err = '';
    run.stdout!.on('data', () => undefined);
    run.stderr!.on('data', (b: Buffer) => (err += b.toString()));
    const exited = new Promise<number>((r) => run.once('exit', (code) => r(code ?? -1)));
    const count = (): number => {
      const runs = path.join(dir, 'runs-remote');
      if (!fs.existsSync(runs) || fs.readdirSync(runs).length === 0) return 0;
      const journal = path.join(onlyRun(runs), 'events.ndjson');
      return fs.existsSync(journal) ? (fs.readFileSync(journal, 'utf8').match(/"type":"evaluated"/g) ?? []).length : 0;
    };
    const until = async (n: number) => {
      const deadline = Date.now() + 60_000;
      while (count() < n) {
        if (Date.now() > deadline) throw new Error(`the distributed run did not reach ${n} evaluations: ${err}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    await until(80);
    workers[0]!.kill('SIGKILL');
    const atKill = count();
    await until(160);
    await redis.restart();
    const atRestart = count();
    // Both happened while the run went on.
    expect(atKill).toBeLessThan(400);
    expect(atRestart).toBeLessThan(400);
    const code = await exited;
    expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });

    const remoteDir = onlyRun(path.join(dir, 'runs-remote'));
    const localDir = onlyRun(path.join(dir, 'runs-local'));
    const a = evaluated(localDir);
    const b = evaluated(remoteDir);
    expect(b.length).toBe(400);
    expect(new Set(b.map((l) => l.split(' ')[0])).size).toBe(400); // no trial twice
    expect(b).toEqual(a);
    const summary = (d: string) =>
      JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8')) as { status: string; evaluations: number; failures: number; best: unknown };
    const [sa, sb] = [summary(localDir), summary(remoteDir)];
    expect([sb.status, sb.evaluations, sb.failures]).toEqual([sa.status, 400, 0]);
    expect(sb.best).toEqual(sa.best);
  }, 180_000);

  it('bad input: unreachable Redis, no worker for the estimator, an unknown estimator or executor for a worker', async () => {
    const closed = await freePort();
    fs.writeFileSync(
      path.join(dir, 'down.yaml'),
      config('down', `executor: { use: bullmq, options: { redis: "redis://127.0.0.1:${closed}", connectSeconds: 1 } }`),
    );
    const down = nasx(['run', path.join(dir, 'down.yaml'), '--runs-dir', path.join(dir, 'runs-bad')], { timeoutMs: 60_000 });
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${closed}`));
    expect(down.stderr).toMatch(/down\.yaml/);
    expect(down.stderr).toMatch(/redis-server/);
    expect(down.stderr).not.toMatch(STACK);

    // A queue nobody serves.
    fs.writeFileSync(
      path.join(dir, 'lonely.yaml'),
      config('lonely', `executor: { use: bullmq, options: { redis: "${redis.url}", queue: nobody, workerWaitSeconds: 1 } }`),
    );
    const lonely = nasx(['run', path.join(dir, 'lonely.yaml'), '--runs-dir', path.join(dir, 'runs-bad')], { timeoutMs: 60_000 });
    expect(lonely.code).not.toBe(0);
    expect(lonely.stderr).toMatch(/no nasx worker able to run estimator slow-hash answered on queue nobody/);
    expect(lonely.stderr).toMatch(/nasx worker --redis redis:\/\/127\.0\.0\.1:\d+ --queue nobody/);
    expect(lonely.stderr).not.toMatch(STACK);
    expect(fs.existsSync(path.join(dir, 'runs-bad')) ? fs.readdirSync(path.join(dir, 'runs-bad')) : []).toEqual([]);

    const unknown = nasx(['worker', '--redis', redis.url, '--estimators', 'tabulr'], { timeoutMs: 30_000 });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/serve estimator tabulr, which no installed plugin provides/);
    expect(unknown.stderr).not.toMatch(STACK);

    const executor = nasx(['worker', '--executor', 'bullmx'], { timeoutMs: 30_000 });
    expect(executor.code).toBe(2);
    expect(executor.stderr).toMatch(/no installed plugin provides executor "bullmx".*did you mean bullmq/s);

    const workerDown = nasx(['worker', '--redis', `redis://127.0.0.1:${closed}`], { timeoutMs: 30_000 });
    expect(workerDown.code).not.toBe(0);
    expect(workerDown.stderr).toMatch(/cannot reach Redis/);
    expect(workerDown.stderr).not.toMatch(STACK);
  }, 120_000);
});
