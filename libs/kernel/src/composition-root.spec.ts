import * as path from 'node:path';
import {
  Estimator,
  LatencyModel,
  Searcher,
  defineEstimator,
  defineLatencyModel,
  definePlugin,
  defineSearcher,
  defineService,
  defineTask,
  formatNasxError,
  isNasxError,
  type AskTellSearcher,
  type JsonObject,
  type Task,
} from '@nasx/contracts';
import { startTestKernel, type TestKernel } from '@nasx/testing';
import { composeEstimation, composeRun, composeSpaceAndTask, createRunLogger } from './composition-root';

/** What the fixtures' factories did, in order. */
let log: string[] = [];
const noOptions = { type: 'object', additionalProperties: false, properties: {} } as const;

const recordingEstimator = (id: string, inject?: Record<string, string>) =>
  defineEstimator({
    id,
    description: 'Records its creation, what it was given, and its disposal.',
    optionsSchema: noOptions,
    ...(inject ? { inject } : {}),
    create(_o, deps) {
      const d = deps as typeof deps & Record<string, unknown>;
      const services = Object.keys(inject ?? {}).map((n) => `${n}=${JSON.stringify(d[n])}`);
      log.push(
        `estimator ${id} (sees: ${Object.keys(deps.estimators).join(',') || '-'}; task: ${deps.task ? 'yes' : 'no'}; latency: ${deps.latencyModels.length}${services.length ? `; ${services.join(' ')}` : ''})`,
      );
      return {
        id,
        metrics: [{ name: `${id}-score`, direction: 'maximize' }],
        estimate: async () => ({ metrics: { [`${id}-score`]: 1 }, cost: { seconds: 0 } }),
        dispose: () => void log.push(`dispose ${id}`),
      };
    },
  });

const service = (id: string, token: string, inject?: Record<string, string>) =>
  defineService({
    id,
    token,
    description: 'A service that records its creation.',
    ...(inject ? { inject } : {}),
    create(_o, deps) {
      const d = deps as typeof deps & Record<string, unknown>;
      log.push(`service ${token}`);
      return { token, uses: Object.keys(inject ?? {}).map((n) => d[n]) };
    },
    dispose: () => void log.push(`dispose ${token}`),
  });

const fixtures = definePlugin({
  contributions: [
    defineTask({
      id: 'recording-task',
      description: 'A task that records its creation and loading.',
      optionsSchema: noOptions,
      create() {
        log.push('task');
        return { id: 'recording-task', load: async () => void log.push('task loaded') } as unknown as Task;
      },
    }),
    defineLatencyModel({
      id: 'recording-latency',
      description: 'A latency model that records its creation.',
      optionsSchema: noOptions,
      create(_o, { space }) {
        log.push(`latency (space ${space.id})`);
        return { id: 'recording-latency', devices: ['cpu'], predict: () => 1, save: (dir: string) => void log.push(`latency saved in ${dir}`) };
      },
    }),
    recordingEstimator('table'),
    recordingEstimator('proxy', { a: 'di.a' }),
    recordingEstimator('primary'),
    recordingEstimator('needs-nobody', { x: 'di.nobody' }),
    recordingEstimator('needs-c1', { c: 'di.c1' }),
    recordingEstimator('needs-self', { s: 'di.self' }),
    recordingEstimator('needs-twin', { t: 'di.twin' }),
    defineEstimator({
      id: 'dispose-fails',
      description: 'An estimator whose dispose() throws.',
      optionsSchema: noOptions,
      create: () => ({
        id: 'dispose-fails',
        metrics: [{ name: 'x', direction: 'maximize' }],
        estimate: async () => ({ metrics: { x: 1 }, cost: { seconds: 0 } }),
        dispose: () => Promise.reject(new Error('cannot release')),
      }),
    }),
    defineSearcher({
      id: 'recording-searcher',
      description: 'A searcher that records its creation.',
      optionsSchema: noOptions,
      create(_o, deps): AskTellSearcher {
        log.push(`searcher (objective ${deps.objective.label}; estimators: ${Object.keys(deps.estimators).join(',')})`);
        return { id: 'recording-searcher', ask: (n) => Array.from({ length: n }, () => deps.space.sample(deps.rng)), tell: () => undefined };
      },
    }),
    defineSearcher({
      id: 'failing-searcher',
      description: 'A searcher whose factory throws.',
      optionsSchema: noOptions,
      create(): AskTellSearcher {
        throw new Error('no searcher today');
      },
    }),
    service('a', 'di.a', { b: 'di.b' }),
    service('b', 'di.b'),
    service('unused', 'di.unused'),
    service('c1', 'di.c1', { next: 'di.c2' }),
    service('c2', 'di.c2', { back: 'di.c1' }),
    service('self', 'di.self', { me: 'di.self' }),
    service('twin', 'di.twin'),
  ],
});
const twinCopy = definePlugin({ contributions: [service('twin-copy', 'di.twin')] });

describe('composition root: the run container is the wiring', () => {
  let tk: TestKernel;
  beforeAll(() => {
    tk = startTestKernel({
      plugins: [
        { name: 'di-fixtures', definition: fixtures },
        { name: 'di-twin-copy', definition: twinCopy },
      ],
    });
  });
  afterAll(() => tk.cleanup());
  beforeEach(() => {
    log = [];
  });

  const config = (over: JsonObject = {}) =>
    tk.kernel.loadConfigObject({
      space: 'toy',
      task: 'recording-task',
      latency: ['recording-latency'],
      estimators: { table: 'table', proxy: 'proxy' },
      estimator: 'primary',
      searcher: 'recording-searcher',
      budget: { evaluations: 1 },
      workers: 0,
      ...over,
    });
  const compose = (over: JsonObject = {}) => composeRun(tk.kernel.registry, config(over), { logger: createRunLogger().logger });

  it('hands a latency model the folder of a new run once the folder exists (it was created before), so it can keep what it fitted', async () => {
    const run = await tk.run({
      space: 'toy',
      task: 'recording-task',
      latency: ['recording-latency'],
      estimators: { table: 'table', proxy: 'proxy' },
      estimator: 'primary',
      searcher: 'recording-searcher',
      budget: { evaluations: 1 },
      workers: 0,
    });
    expect(log.filter((l) => l.startsWith('latency'))).toEqual(['latency (space toy)', `latency saved in ${path.join(run.runDir!, 'state')}`]);
  });

  it('creates each part after what it needs: services before their injectors, estimators before the objective and the searcher', async () => {
    const run = await compose();
    expect(log).toEqual([
      'task',
      'task loaded',
      'latency (space toy)',
      'estimator table (sees: -; task: yes; latency: 1)',
      'service di.b',
      'service di.a',
      'estimator proxy (sees: table; task: yes; latency: 1; a={"token":"di.a","uses":[{"token":"di.b","uses":[]}]})',
      'estimator primary (sees: table,proxy; task: yes; latency: 1)',
      'searcher (objective maximize primary-score; estimators: table,proxy)',
    ]);
    // The space is created first (nothing records it): the latency model got it.
    expect(run.created[0]).toBe('search-space "toy" (/space)');
    expect(run.created).not.toContain('service "di.unused" (di-fixtures)');
    await run.dispose();
    // Dependents are released before what they depend on.
    expect(log.slice(-5)).toEqual(['dispose primary', 'dispose proxy', 'dispose di.a', 'dispose di.b', 'dispose table']);
  });

  it('resolves the loop parts from the container: its providers hold the same instances', async () => {
    const run = await compose();
    expect(await run.container.resolve(Searcher as never)).toBe(run.parts.searcher);
    expect(await run.container.resolve(Estimator as never)).toBe(run.parts.estimator);
    expect(await Promise.all(run.container.resolveAll(LatencyModel as never))).toEqual(run.parts.latencyModels.map((l) => l.model));
    expect(await run.container.resolve('di.a' as never)).toMatchObject({ token: 'di.a' });
    // Each run has its own child container and instances.
    const other = await compose();
    expect(other.container).not.toBe(run.container);
    expect(other.parts.searcher).not.toBe(run.parts.searcher);
    await run.dispose();
    await other.dispose();
  });

  it('composes estimation without the searcher or the objective', async () => {
    const est = await composeEstimation(tk.kernel.registry, config(), { logger: createRunLogger().logger });
    expect(est.estimator.id).toBe('primary');
    expect(Object.keys(est.estimators)).toEqual(['table', 'proxy']);
    expect(log.some((l) => l.startsWith('searcher'))).toBe(false);
    await est.dispose();
  });

  it('creates only the space and the task for tools outside a run (nasx export), loading the data only on request', async () => {
    const parts = await tk.kernel.createSpaceAndTask(config());
    expect([parts.space.id, parts.task?.id]).toEqual(['toy', 'recording-task']);
    expect(log).toEqual(['task']);
    await parts.dispose();
    log = [];
    const loaded = await composeSpaceAndTask(tk.kernel.registry, config(), { logger: createRunLogger().logger, loadTask: true });
    expect(log).toEqual(['task', 'task loaded']);
    await loaded.dispose();
  });

  it('refuses a missing provider before creating anything, naming the contribution, the token and the fix', async () => {
    const e = await compose({ estimator: 'needs-nobody' }).catch((x: unknown) => x);
    expect(isNasxError(e)).toBe(true);
    const err = e as import('@nasx/contracts').NasxError;
    expect(err.message).toBe('estimator "needs-nobody" of di-fixtures injects service "di.nobody" (as deps.x), but no installed plugin provides it');
    expect(err.where).toMatchObject({ pointer: '/estimator', contribution: 'needs-nobody', pkg: 'di-fixtures' });
    expect(err.fix).toMatch(/install the package that provides "di.nobody"/);
    expect(log).toEqual([]);
  });

  it.each([
    [
      'two services that inject each other',
      'needs-c1',
      /cycle: service "di.c1" \(di-fixtures\) → service "di.c2" \(di-fixtures\) → service "di.c1" \(di-fixtures\), reached from estimator "needs-c1" \(\/estimator\)$/,
    ],
    [
      'a service that injects itself',
      'needs-self',
      /cycle: service "di.self" \(di-fixtures\) → service "di.self" \(di-fixtures\), reached from estimator "needs-self" \(\/estimator\)$/,
    ],
  ])('refuses a cycle (%s) before creating anything, naming the contributions', async (_, estimator, message) => {
    const e = await compose({ estimator }).catch((x: unknown) => x);
    expect(isNasxError(e)).toBe(true);
    expect((e as Error).message).toMatch(message);
    expect(formatNasxError(e as import('@nasx/contracts').NasxError)).toMatch(
      /<inline config>:?\d*, at \/estimator, package di-fixtures, contribution "needs-.*Fix: a contribution cannot depend on itself/,
    );
    expect(log).toEqual([]);
  });

  it('refuses a token provided by two packages, naming both', async () => {
    const e = await compose({ estimator: 'needs-twin' }).catch((x: unknown) => x);
    expect(isNasxError(e)).toBe(true);
    expect((e as Error).message).toBe(
      'estimator "needs-twin" of di-fixtures injects service "di.twin", which is provided by 2 packages: di-fixtures and di-twin-copy; a token must have one provider',
    );
    expect((e as import('@nasx/contracts').NasxError).fix).toMatch(/all but one of di-fixtures, di-twin-copy/);
    expect(log).toEqual([]);
  });

  it('releases what it created when a later part fails to start', async () => {
    const e = await compose({ searcher: 'failing-searcher' }).catch((x: unknown) => x);
    expect((e as Error).message).toMatch(/searcher "failing-searcher" failed to start: no searcher today/);
    expect(log.filter((l) => l.startsWith('dispose'))).toEqual(['dispose primary', 'dispose proxy', 'dispose di.a', 'dispose di.b', 'dispose table']);
  });

  it('releases every part even when one release fails, then reports that failure', async () => {
    const run = await compose({ estimators: { table: 'table', broken: 'dispose-fails' } });
    await expect(run.dispose()).rejects.toThrow('cannot release');
    expect(log.filter((l) => l.startsWith('dispose'))).toEqual(['dispose primary', 'dispose table']);
    // A second dispose (the run's finalize after an explicit one) releases nothing twice.
    await run.dispose();
    expect(log.filter((l) => l.startsWith('dispose'))).toEqual(['dispose primary', 'dispose table']);
  });

  it('runs through the kernel with an injected service', async () => {
    const run = await tk.run({
      space: 'toy',
      estimators: { proxy: 'proxy' },
      estimator: 'toy-score',
      searcher: 'toy-hill-climber',
      budget: { evaluations: 3 },
    });
    expect(run.report.evaluations).toBe(3);
    expect(log.filter((l) => l.startsWith('service'))).toEqual(['service di.b', 'service di.a']);
  });
});
