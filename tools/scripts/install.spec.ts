// The real install: every package packed with `npm pack`, served by a registry on the loopback
// address (tools/scripts/local-registry.cjs; nothing reaches the internet), and installed the way
// users install nasx, in a temporary folder outside the workspace:
//   npm install -g @nasx/cli          → run the synthetic example (also on nasx worker processes
//                                       through Redis), a tabular NB201 search, a score
//   npm create @nasx/plugin …         → a third-party searcher that builds, passes its contract
//                                       suites and runs in a search
//   nasx new plugin … --role task     → a task that the shipped train and naswot estimators use
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeWithRedis, describeWithSharedData, startRedisServer } from '@nasx/testing';

interface PackedPackage {
  name: string;
  version: string;
  file: string;
  files: string[];
}
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { packAll } = require('./pack.cjs') as { packAll(o: { out: string; build?: boolean }): PackedPackage[] };
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS tool scripts
const { startLocalRegistry } = require('./local-registry.cjs') as {
  startLocalRegistry(o: {
    packed: PackedPackage[];
  }): Promise<{ url: string; proxy: string; prebuildEnv: Record<string, string>; missing: Set<string>; served: Set<string>; close(): Promise<void> }>;
};

const WORKSPACE = path.resolve(__dirname, '..', '..');
const STANDARD_PLUGINS = fs
  .readdirSync(path.join(WORKSPACE, 'plugins'))
  .map((d) => JSON.parse(fs.readFileSync(path.join(WORKSPACE, 'plugins', d, 'package.json'), 'utf8')).name as string);

let tmp: string;
let registry: Awaited<ReturnType<typeof startLocalRegistry>>;
let packed: PackedPackage[];
let env: NodeJS.ProcessEnv;
let nasxBin: string;

/** The environment of a user's shell: no npm variables of the `npm test` around this test. */
function userEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NASX_DATA') out[k] = v;
  return out;
}

/**
 * Runs a command to completion. Asynchronous on purpose: the registry answers from this process,
 * so a synchronous spawn would block it and npm would wait forever.
 */
function run(cmd: string, args: string[], cwd: string, timeoutMs = 240_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

async function ok(cmd: string, args: string[], cwd: string): Promise<string> {
  const r = await run(cmd, args, cwd);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.out.slice(-4000)}`);
  return r.out;
}

const nasx = (args: string[], cwd: string) => run(nasxBin, args, cwd);

/** Writes a config into the project folder, runs it with --json and returns its events. */
async function runConfig(name: string, lines: string[]): Promise<{ type: string; evaluations?: number; estimate?: { metrics: Record<string, number> } }[]> {
  fs.writeFileSync(path.join(tmp, 'project', `${name}.yaml`), [...lines, ''].join('\n'));
  const r = await nasx(['run', `${name}.yaml`, '--json', '--quiet'], path.join(tmp, 'project'));
  if (r.code !== 0) throw new Error(`nasx run ${name}.yaml exited ${r.code}:\n${r.out.slice(-4000)}`);
  return r.out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-install-'));
  packed = packAll({ out: path.join(tmp, 'packs') });
  registry = await startLocalRegistry({ packed });
  env = {
    ...userEnv(),
    npm_config_registry: registry.url,
    npm_config_cache: path.join(tmp, 'npm-cache'),
    npm_config_prefix: path.join(tmp, 'global'),
    // Only the loopback registry: any other host goes through the registry's proxy, which refuses it.
    npm_config_proxy: registry.proxy,
    npm_config_https_proxy: registry.proxy,
    npm_config_noproxy: '127.0.0.1',
    // Native addons come prebuilt, as from their releases for users (better-sqlite3), not compiled.
    ...registry.prebuildEnv,
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    // npm create / npm exec would ask before installing the kit; a script answers yes.
    npm_config_yes: 'true',
    NASX_DEBUG: '',
  };
  nasxBin = path.join(tmp, 'global', 'bin', 'nasx');
  fs.mkdirSync(path.join(tmp, 'project'));
}, 120_000);

afterAll(async () => {
  await registry?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('packed tarballs', () => {
  it('hold what a published package needs and no build leftovers', async () => {
    expect(packed.map((p) => p.name)).toEqual(
      expect.arrayContaining(['@nasx/cli', '@nasx/create-plugin', '@nasx/contracts', '@nasx/testing', ...STANDARD_PLUGINS]),
    );
    for (const p of packed) {
      // (The plugin kit's templates of specs are content, not specs.)
      const leftovers = p.files.filter((f) => !f.startsWith('templates/') && /(^|\/)\.tsbuildinfo$|\.spec\.|(^|\/)__fixtures__\/|\.tgz$/.test(f));
      expect({ pkg: p.name, leftovers }).toEqual({ pkg: p.name, leftovers: [] });
      expect({ pkg: p.name, readme: p.files.includes('README.md'), license: p.files.includes('LICENSE') }).toEqual({
        pkg: p.name,
        readme: true,
        license: true,
      });
    }
  });
});

describe('npm install -g @nasx/cli from the tarballs, used outside the workspace', () => {
  let installOutput = '';

  // The three installs are independent enough to overlap (they share npm's cache, which is safe
  // for concurrent use): the CLI, the searcher project of `npm create @nasx/plugin`, and — once
  // the CLI is there — the task project of `nasx new plugin`.
  beforeAll(async () => {
    const searcher = (async () => {
      await ok('npm', ['create', '@nasx/plugin', 'hill-climb', '--', '--role', 'searcher', '--scope', '@acme'], tmp);
      await ok('npm', ['install'], path.join(tmp, 'searcher-hill-climb'));
      await ok('npm', ['run', 'build'], path.join(tmp, 'searcher-hill-climb'));
    })();
    const task = (async () => {
      installOutput = await ok('npm', ['install', '-g', '@nasx/cli'], tmp);
      const made = await nasx(['new', 'plugin', 'blobs', '--role', 'task'], tmp);
      if (made.code !== 0) throw new Error(`nasx new plugin failed: ${made.out}`);
      await ok('npm', ['install'], path.join(tmp, 'task-blobs'));
      await ok('npm', ['run', 'build'], path.join(tmp, 'task-blobs'));
    })();
    await Promise.all([searcher, task]);
  }, 480_000);

  it('installs with no engine warnings (every dependency supports the Node versions nasx does)', () => {
    expect(installOutput).toMatch(/added \d+ packages/);
    expect(installOutput).not.toMatch(/EBADENGINE/);
  });

  it('finds every standard plugin from any working directory', async () => {
    const r = await nasx(['plugins', '--json'], path.join(tmp, 'project'));
    expect(r.code).toBe(0);
    const listed = (JSON.parse(r.out) as { plugins: { name: string; source: string }[] }).plugins.map((p) => p.name);
    expect(listed).toEqual(expect.arrayContaining(STANDARD_PLUGINS));
  });

  it('lists the datasets nasx data fetch gets, from the installed plugins', async () => {
    const r = await nasx(['data', 'list', '--json'], path.join(tmp, 'project'));
    expect(r.code).toBe(0);
    const ids = (JSON.parse(r.out) as { datasets: { id: string }[] }).datasets.map((d) => d.id);
    expect(ids).toEqual(expect.arrayContaining(['nb201', 'nb101', 'cifar10']));
  });

  it('runs the synthetic example', async () => {
    fs.copyFileSync(path.join(WORKSPACE, 'examples', 'synthetic.yaml'), path.join(tmp, 'project', 'synthetic.yaml'));
    const r = await nasx(['run', 'synthetic.yaml', '--quiet'], path.join(tmp, 'project'));
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/best/i);
    expect(fs.readdirSync(path.join(tmp, 'project', 'runs')).some((d) => d.startsWith('synthetic-'))).toBe(true);
  });

  describeWithRedis('distributed evaluation', () => {
    it('runs the synthetic example on 2 nasx worker processes through a real Redis (bullmq executor), with the in-process result', async () => {
      const project = path.join(tmp, 'project');
      const redis = await startRedisServer();
      const workers = [0, 1].map(() => spawn(nasxBin, ['worker', '--redis', redis.url, '-q'], { cwd: project, env, stdio: 'ignore' }));
      try {
        const base = fs.readFileSync(path.join(WORKSPACE, 'examples', 'synthetic.yaml'), 'utf8').replace('name: synthetic', 'name: distributed');
        const lines = [base.trimEnd(), 'concurrency: 8', `executor: { use: bullmq, options: { redis: "${redis.url}", batchSize: 4 } }`];
        const events = await runConfig('distributed', lines);
        const local = await runConfig('distributed-local', [base.replace('name: distributed', 'name: distributed-local').trimEnd(), 'concurrency: 8']);
        const trials = (ev: typeof events) => ev.filter((e) => e.type === 'evaluated').map((e) => JSON.stringify(e.estimate!.metrics));
        // The budget counts evaluations; re-proposals answered from the cache come on top.
        expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ evaluations: 300 });
        expect(trials(events).length).toBeGreaterThanOrEqual(300);
        expect(trials(events)).toEqual(trials(local));
      } finally {
        for (const w of workers) w.kill('SIGKILL');
        await redis.dispose();
      }
    });
  });

  it('lists the runs from the experiment store (better-sqlite3 installed prebuilt) and serves them in the web view', async () => {
    const project = path.join(tmp, 'project');
    const runs = await nasx(['runs', '--json'], project);
    expect(runs.code).toBe(0);
    const listed = runs.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { id: string; status: string });
    expect(listed.some((r) => r.id.startsWith('synthetic-') && r.status === 'finished')).toBe(true);
    const ui = spawn(nasxBin, ['ui', '--port', '0'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        ui.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /http:\/\/127\.0\.0\.1:\d+\//.exec(out);
          if (m) resolve(m[0]);
        });
        ui.once('exit', (code) => reject(new Error(`nasx ui exited ${code}`)));
      });
      const api = (await (await fetch(`${url}api/runs`)).json()) as { id: string }[];
      expect(api.map((r) => r.id).sort()).toEqual(listed.map((r) => r.id).sort());
      const page = await fetch(url);
      expect(await page.text()).toContain('/assets/vega-embed.min.js');
      expect((await fetch(`${url}assets/vega-lite.min.js`)).status).toBe(200);
    } finally {
      ui.kill('SIGTERM');
    }
  });

  it('plots the run (vega-lite and resvg from the installed tree) and exports its best cell as a TensorFlow.js model', async () => {
    const project = path.join(tmp, 'project');
    const runDir = path.join(
      'runs',
      fs.readdirSync(path.join(project, 'runs')).find((d) => d.startsWith('synthetic-'))!,
    );
    const plotted = await nasx(['report', runDir, '--svg', 'trajectory.svg', '--png', 'trajectory.png'], project);
    expect(plotted.code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'trajectory.svg'), 'utf8')).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    expect(fs.readFileSync(path.join(project, 'trajectory.png')).subarray(1, 4).toString()).toBe('PNG');
    const exported = await nasx(['export', runDir, '--task', 'mnist', '-o', 'exported'], project);
    expect(exported.code).toBe(0);
    const model = JSON.parse(fs.readFileSync(path.join(project, 'exported', 'model.json'), 'utf8'));
    expect(model.format).toBe('layers-model');
    expect(model.userDefinedMetadata.nasx.space).toBe('nb201');
  });

  it('runs the quick start (AREA: NASWOT ranking, then training on MNIST from the mnist package), shortened', async () => {
    fs.copyFileSync(path.join(WORKSPACE, 'examples', 'quickstart.yaml'), path.join(tmp, 'project', 'quickstart.yaml'));
    const r = await nasx(
      [
        'run',
        'quickstart.yaml',
        '--json',
        '--quiet',
        '--set',
        'searcher.options.samples=6',
        '--set',
        'searcher.options.population=2',
        '--set',
        'budget.evaluations=2',
        '--set',
        'estimator.options.steps=10',
        '--set',
        'task.options.limit=500',
      ],
      path.join(tmp, 'project'),
    );
    expect(r.code).toBe(0);
    const events = r.out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { type: string; estimate?: { metrics: Record<string, number> } });
    expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ evaluations: 2 });
    for (const e of events.filter((x) => x.type === 'evaluated')) {
      expect(e.estimate!.metrics['val_acc']).toBeGreaterThan(0);
      expect(Number.isFinite(e.estimate!.metrics['naswot'])).toBe(true);
    }
  });

  it('scores architectures with a zero-cost proxy on MNIST (data from the mnist package)', async () => {
    const archs = [
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      '|avg_pool_3x3~0|+|none~0|skip_connect~1|+|none~0|none~1|skip_connect~2|',
    ];
    const r = await nasx(['score', '--estimator', 'synflow', '--task', 'mnist', '--space', 'nb201', ...archs, '-o', 'scores.csv'], path.join(tmp, 'project'));
    expect(r.code).toBe(0);
    const rows = fs
      .readFileSync(path.join(tmp, 'project', 'scores.csv'), 'utf8')
      .trim()
      .split('\n');
    expect(rows).toHaveLength(3);
    const header = rows[0]!.split(',');
    const scores = rows.slice(1).map((row) => Number(row.split(',')[header.indexOf('score')]));
    // The all-convolution cell has more parameter paths than a mostly cut one: a larger synflow.
    expect(scores.every((s) => !Number.isNaN(s))).toBe(true);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
  });

  it('searches graph neural networks with AGNN on a Planetoid graph in the release layout (sparse message passing, parameter sharing)', async () => {
    // The user's data folder: a tiny graph in Planetoid's release layout (tools/scripts/planetoid-fixtures.py).
    const graph = path.join(tmp, 'project', 'graph');
    fs.cpSync(path.resolve(__dirname, '..', '..', 'plugins', 'task-planetoid', 'src', '__fixtures__', 'planetoid-raw'), graph, { recursive: true });
    const events = await runConfig('gnn', [
      'task: { use: citeseer, options: { dataDir: graph } }',
      'space: gnn',
      'estimator: { use: train-graph, options: { epochs: 4, inheritEpochs: 2 } }',
      'searcher: { use: agnn, options: { initial: 2 } }',
      'budget: { evaluations: 5 }',
    ]);
    const evaluated = events.filter((e) => e.type === 'evaluated');
    expect(evaluated).toHaveLength(5);
    for (const e of evaluated) expect(e.estimate!.metrics['val_acc']).toBeGreaterThanOrEqual(0);
  });

  it('meta-trains GHN-2 on generated networks and estimates unseen ones with predicted parameters (MNIST from the mnist package)', async () => {
    const events = await runConfig('ghn', [
      'task: { use: mnist, options: { limit: 400 } }',
      'space: { use: deepnets, options: { channels: [4], layers: [1, 2], nodes: [1, 2], stem: [1] } }',
      'estimator:',
      '  use: ghn',
      '  options:',
      '    baseline: true',
      '    valLimit: 64',
      '    evalBatchSize: 32',
      '    ghn: { hidden: 8, maxShape: [8, 8, 3, 3], virtualEdges: 3 }',
      '    train: { count: 4, epochs: 1, metaBatch: 2, batchSize: 16, trainLimit: 64, deepnets: { channels: [4], layers: [1, 2], nodes: [1, 2], stem: [1] } }',
      'searcher: random',
      'budget: { evaluations: 3 }',
    ]);
    const evaluated = events.filter((e) => e.type === 'evaluated');
    expect(evaluated).toHaveLength(3);
    for (const e of evaluated) {
      expect(e.estimate!.metrics['ghn_acc']).toBeGreaterThanOrEqual(0);
      expect(e.estimate!.metrics['init_acc']).toBeGreaterThanOrEqual(0);
    }
  });

  it('trains weight-sharing supernets on MNIST (one thread and 2 data-parallel replicas from the installed build) and scores with them', async () => {
    const cells = [
      '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|',
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
    ];
    const tiny = ['--set', 'task.options.limit=300', '--set', 'estimator.options.epochs=1', '--set', 'estimator.options.macro.channels=4'];
    for (const [estimator, extra] of [
      ['one-shot', ['--set', 'estimator.options.dataParallel=2', '--workers', '0']],
      ['rlnas', []],
    ] as const) {
      const r = await nasx(
        ['score', '--estimator', estimator, '--task', 'mnist', ...tiny, ...extra, ...cells, '-o', `${estimator}.csv`],
        path.join(tmp, 'project'),
      );
      expect([estimator, r.code]).toEqual([estimator, 0]);
      const rows = fs
        .readFileSync(path.join(tmp, 'project', `${estimator}.csv`), 'utf8')
        .trim()
        .split('\n');
      expect(rows).toHaveLength(3);
      const metric = estimator === 'rlnas' ? 'angle' : 'supernet_acc';
      const col = rows[0]!.split(',').indexOf(metric);
      const values = rows.slice(1).map((row) => Number(row.split(',')[col]));
      expect(values.every(Number.isFinite)).toBe(true);
      if (estimator === 'rlnas') expect(values[1]).toBe(0); // the all-none cell has no path
    }
  });

  describeWithSharedData('a tabular NB201 search', 'nas-bench-201', (dataDir) => {
    it('runs examples/nb201-rea.yaml against the NB201 tables', async () => {
      fs.copyFileSync(path.join(WORKSPACE, 'examples', 'nb201-rea.yaml'), path.join(tmp, 'project', 'nb201-rea.yaml'));
      const r = await nasx(['run', 'nb201-rea.yaml', '--quiet', '--json', '--data-dir', dataDir, '--set', 'budget.evaluations=40'], path.join(tmp, 'project'));
      expect(r.code).toBe(0);
      const events = r.out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { type: string; estimate?: { metrics: Record<string, number> } });
      const evaluated = events.filter((e) => e.type === 'evaluated');
      // The budget counts evaluations; re-proposals of a seen cell come from the cache on top.
      expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted', evaluations: 40 });
      expect(evaluated.length).toBeGreaterThanOrEqual(40);
      // 12-epoch validation accuracies of NB201 cells on CIFAR-10 (percent; the table's maximum is 84.89).
      for (const e of evaluated) expect(e.estimate!.metrics['val_acc@12']).toBeLessThanOrEqual(84.9);
      expect(Math.max(...evaluated.map((e) => e.estimate!.metrics['val_acc@12']!))).toBeGreaterThan(70);
    });
  });

  describe('a third-party searcher made with the plugin kit (npm create @nasx/plugin)', () => {
    const project = () => path.join(tmp, 'searcher-hill-climb');

    it('builds and passes its contract suites as generated', async () => {
      expect(fs.existsSync(path.join(project(), 'dist', 'index.js'))).toBe(true);
      const out = await ok('npm', ['test'], project());
      expect(out).toMatch(/Tests:\s+\d+ passed/);
      expect(out).not.toMatch(/failed|skipped/);
    });

    it('runs in a search of the installed CLI, found through plugins:', async () => {
      const events = await runConfig('hill-climb', [
        'name: hill-climb',
        'seed: 1',
        'space: nb201',
        'estimator: synthetic',
        'searcher: { use: hill-climb }',
        'budget: { evaluations: 25 }',
        'plugins: [../searcher-hill-climb]',
      ]);
      expect(events.find((e) => e.type === 'run-finished')).toMatchObject({ status: 'budget-exhausted', evaluations: 25 });
    });
  });

  describe('a task made with nasx new plugin', () => {
    const project = () => path.join(tmp, 'task-blobs');

    it('passes the task contract suite as generated', async () => {
      expect(fs.existsSync(path.join(project(), 'dist', 'index.js'))).toBe(true);
      const out = await ok('npm', ['test'], project());
      expect(out).toMatch(/task "blobs" \(contract\)|Tests:\s+\d+ passed/);
      expect(out).not.toMatch(/failed/);
    });

    it('feeds the shipped train estimator and the naswot proxy', async () => {
      const events = await runConfig('blobs', [
        'name: blobs',
        'seed: 0',
        'space: nb201',
        'task: { use: blobs, options: { numClasses: 4, trainSize: 256, validationSize: 128, testSize: 0 } }',
        'estimator: { use: train, options: { steps: 8, batchSize: 32, macro: { channels: 4, cellsPerStage: 1 } } }',
        'estimators: { naswot: { use: naswot, options: { batchSize: 16 } } }',
        'report: [naswot]',
        'searcher: random',
        'budget: { evaluations: 2 }',
        'plugins: [../task-blobs]',
      ]);
      const evaluated = events.filter((e) => e.type === 'evaluated');
      expect(evaluated).toHaveLength(2);
      for (const e of evaluated) {
        expect(e.estimate!.metrics['val_acc']).toBeGreaterThanOrEqual(0);
        expect(Number.isFinite(e.estimate!.metrics['naswot'])).toBe(true);
      }
    });
  });
});
