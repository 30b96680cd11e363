import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isNasxError, type Architecture } from '@nasx/contracts';
import { spearman } from '@nasx/stats';
import { optionsFor, testDeps } from '@nasx/testing';
import { Nb201SearchSpace } from '@nasx/search-space-nb201';
import { learnedLatencyModel, type LearnedLatencyModel } from './learned.latency-model';
import { LearnedLatencyPredictor, fitAdaptation, memberSeed, type LearnedTraining } from './learned-latency';
import { HELP_NB201_TABLE } from './latency-table';
import type { LearnedOptions } from './learned.schema';

// A synthetic data directory: 400 NB201 cells in HELP's layout on three made-up devices whose
// latency is a known function of the cell's ops. `fast` and `slow` weigh the ops differently;
// `mixed` is a blend of the two in log space, so it is learnable from a few samples once the
// model knows `fast` and `slow` (the few-shot setting in miniature).
const space = new Nb201SearchSpace({});
const OPS_MS: Record<string, [number, number]> = {
  none: [0, 0],
  skip_connect: [0.1, 0.05],
  nor_conv_1x1: [0.6, 0.3],
  nor_conv_3x3: [1.5, 2.5],
  avg_pool_3x3: [0.4, 1.2],
};
const CELLS = [...space.enumerate()].filter((_, i) => i % 39 === 0).slice(0, 400);
const cellString = (a: Architecture): string => space.format(a);
function synthetic(a: Architecture): { fast: number; slow: number; mixed: number } {
  const ops = cellString(a)
    .split('|')
    .filter((t) => t.includes('~'))
    .map((t) => t.split('~')[0]!);
  const fast = 2 + ops.reduce((s, o) => s + OPS_MS[o]![0], 0);
  const slow = 5 + ops.reduce((s, o) => s + OPS_MS[o]![1], 0);
  return { fast, slow, mixed: Math.exp(0.3 * Math.log(fast) + 0.7 * Math.log(slow) + 0.5) };
}

let dataDir: string;
let workDir: string;
beforeAll(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-learned-data-'));
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-learned-work-'));
  const lines = ['index,arch_str,fast,slow,mixed', ...CELLS.map((a, i) => [i, cellString(a), ...Object.values(synthetic(a))].join(','))];
  fs.mkdirSync(path.join(dataDir, 'hw-latency-help'));
  fs.writeFileSync(path.join(dataDir, HELP_NB201_TABLE), zlib.gzipSync(lines.join('\n')));
});
afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.rmSync(workDir, { recursive: true, force: true });
});

const SMALL = { hidden: 32, epochs: 40, batchSize: 32, learningRate: 0.01 } as const;
type Input = Omit<Partial<LearnedOptions>, 'train' | 'adapt'> & {
  train?: Partial<LearnedOptions['train']>;
  adapt?: Partial<NonNullable<LearnedOptions['adapt']>>;
};

async function create(options: Input, extra: { stateDir?: string; dataDir?: string | null; logs?: string[] } = {}): Promise<LearnedLatencyModel> {
  const logger = { debug() {}, info: (m: string) => extra.logs?.push(m), warn() {}, error() {} };
  return (await learnedLatencyModel.create(optionsFor(learnedLatencyModel, { ...SMALL, ...options } as never), {
    ...testDeps(0, { configDir: workDir, logger }),
    space,
    ...(extra.dataDir === null ? {} : { dataDir: extra.dataDir ?? dataDir }),
    ...(extra.stateDir ? { stateDir: extra.stateDir } : {}),
  } as never)) as LearnedLatencyModel;
}

async function failure(f: () => unknown): Promise<{ kind: string; text: string }> {
  try {
    await f();
  } catch (e) {
    if (!isNasxError(e)) throw e;
    return { kind: e.kind, text: `${e.message} ${e.fix ?? ''}` };
  }
  throw new Error('expected a NasxError');
}

const withinTenPercent = (pred: readonly number[], truth: readonly number[]): number =>
  pred.filter((p, i) => Math.abs(p / truth[i]! - 1) <= 0.1).length / pred.length;

describe('learned latency model on a synthetic device', () => {
  const models: LearnedLatencyModel[] = [];
  afterAll(() => models.forEach((m) => m.dispose()));
  const keep = (m: LearnedLatencyModel): LearnedLatencyModel => (models.push(m), m);

  it('trained on 200 cells of one device, predicts its other cells within ±10 %, batched and one by one alike', async () => {
    const m = keep(await create({ device: 'fast', train: { cells: 200 } }));
    expect(m.devices[0]).toBe('fast');
    expect(m.provenance).toMatch(/200 cells of fast/);
    const pred = m.predictMany!(CELLS, 'fast') as number[];
    const truth = CELLS.map((a) => synthetic(a).fast);
    expect(withinTenPercent(pred, truth)).toBeGreaterThanOrEqual(0.9);
    expect(spearman(pred, truth)).toBeGreaterThan(0.9);
    expect(m.predict(CELLS[7]!, 'fast')).toBeCloseTo(pred[7]!, 4);
    expect(m.predict(space.toGraph(CELLS[7]!), 'fast')).toBeCloseTo(pred[7]!, 4);
  });

  it('is deterministic for a seed', async () => {
    const a = keep(await create({ device: 'slow', train: { cells: 100 }, epochs: 10, seed: 3 }));
    const b = keep(await create({ device: 'slow', train: { cells: 100 }, epochs: 10, seed: 3 }));
    const c = keep(await create({ device: 'slow', train: { cells: 100 }, epochs: 10, seed: 4 }));
    const sample = CELLS.slice(0, 50);
    expect(b.predictMany!(sample, 'slow')).toEqual(a.predictMany!(sample, 'slow'));
    expect(c.predictMany!(sample, 'slow')).not.toEqual(a.predictMany!(sample, 'slow'));
  });

  it('adapts to a device it was not trained on from 10 of its measurements', async () => {
    const m = keep(await create({ device: 'mixed', train: { devices: ['fast', 'slow'], cells: 200 }, adapt: { samples: 10 } }));
    expect(m.devices).toEqual(['mixed', 'fast', 'slow']);
    expect(m.provenance).toMatch(/mixed adapted from 10 measurements/);
    const pred = m.predictMany!(CELLS, 'mixed') as number[];
    expect(
      spearman(
        pred,
        CELLS.map((a) => synthetic(a).mixed),
      ),
    ).toBeGreaterThan(0.9);
    // The training devices keep their own outputs.
    expect(
      spearman(
        m.predictMany!(CELLS, 'slow') as number[],
        CELLS.map((a) => synthetic(a).slow),
      ),
    ).toBeGreaterThan(0.9);
  });

  it('adapts from a file of measurements of a device no table has', async () => {
    const file = path.join(workDir, 'my-phone.csv');
    const measured = CELLS.slice(0, 12);
    fs.writeFileSync(file, ['arch,latency_ms', ...measured.map((a) => `${cellString(a)},${synthetic(a).mixed}`)].join('\n'));
    const m = keep(await create({ device: 'my-phone', train: { devices: ['fast', 'slow'], cells: 150 }, adapt: { file: 'my-phone.csv' } }));
    expect(m.provenance).toContain('my-phone.csv');
    expect(
      spearman(
        m.predictMany!(CELLS, 'my-phone') as number[],
        CELLS.map((a) => synthetic(a).mixed),
      ),
    ).toBeGreaterThan(0.85);
  });

  it('saves the fitted model in the state folder and reloads it instead of fitting again', async () => {
    const stateDir = path.join(workDir, 'state');
    const logs: string[] = [];
    const first = keep(await create({ device: 'fast', train: { cells: 60 }, epochs: 5 }, { stateDir, logs }));
    expect(fs.readdirSync(path.join(stateDir, 'predictors'))).toHaveLength(1);
    const second = keep(await create({ device: 'fast', train: { cells: 60 }, epochs: 5 }, { stateDir, logs }));
    expect(logs.filter((l) => l.includes('reloaded'))).toHaveLength(1);
    expect(second.provenance).toBe(first.provenance);
    expect(second.predictMany!(CELLS.slice(0, 20), 'fast')).toEqual(first.predictMany!(CELLS.slice(0, 20), 'fast'));
    // A damaged state file is refused with its name, not taken for a model.
    const saved = path.join(stateDir, 'predictors', fs.readdirSync(path.join(stateDir, 'predictors'))[0]!);
    const text = fs.readFileSync(saved, 'utf8');
    fs.writeFileSync(saved, text.slice(0, 100));
    const damaged = await failure(() => create({ device: 'fast', train: { cells: 60 }, epochs: 5 }, { stateDir }));
    expect(damaged).toMatchObject({ kind: 'data' });
    expect(damaged.text).toContain(saved);
    fs.writeFileSync(saved, text);
    // Other options, another file.
    keep(await create({ device: 'fast', train: { cells: 60 }, epochs: 6 }, { stateDir, logs }));
    expect(fs.readdirSync(path.join(stateDir, 'predictors'))).toHaveLength(2);
  });

  it('saves when the kernel hands it the folder of a new run after creating it, and a resumed run reloads that', async () => {
    const stateDir = path.join(workDir, 'later');
    const logs: string[] = [];
    const first = keep(await create({ device: 'fast', train: { cells: 60 }, epochs: 5, seed: 9 }, { logs }));
    expect(fs.existsSync(stateDir)).toBe(false);
    first.save(stateDir);
    const resumed = keep(await create({ device: 'fast', train: { cells: 60 }, epochs: 5, seed: 9 }, { stateDir, logs }));
    expect(logs.filter((l) => l.includes('reloaded'))).toHaveLength(1);
    expect(resumed.predictMany!(CELLS.slice(0, 20), 'fast')).toEqual(first.predictMany!(CELLS.slice(0, 20), 'fast'));
  });

  it('an ensemble predicts the geometric mean of its networks, each the network its member seed trains alone', async () => {
    const graphs = CELLS.slice(0, 120).map((a) => space.toGraph(a));
    const measured = [{ device: 'slow', latencies: CELLS.slice(0, 120).map((a) => synthetic(a).slow) }];
    const training: LearnedTraining = { ...SMALL, epochs: 8, loss: 'l1', seed: 5, ensemble: 2 };
    const both = await LearnedLatencyPredictor.fit(graphs, measured, training);
    const alone = await Promise.all([0, 1].map((m) => LearnedLatencyPredictor.fit(graphs, measured, { ...training, seed: memberSeed(5, m), ensemble: 1 })));
    const restored = LearnedLatencyPredictor.restore(JSON.parse(JSON.stringify(both.toState())));
    try {
      const sample = CELLS.slice(200, 240).map((a) => space.toGraph(a));
      const [a, b] = alone.map((p) => p.predict(sample, 'slow'));
      const ens = both.predict(sample, 'slow');
      ens.forEach((v, i) => expect(Math.log(v)).toBeCloseTo((Math.log(a![i]!) + Math.log(b![i]!)) / 2, 4));
      // The two networks differ (else the average says nothing), and the saved state keeps both.
      expect(a!.some((v, i) => Math.abs(v / b![i]! - 1) > 1e-3)).toBe(true);
      expect(restored.predict(sample, 'slow')).toEqual(ens);
    } finally {
      [both, restored, ...alone].forEach((p) => p.dispose());
    }
  });

  it('Huber adaptation is not tilted by one wild measurement, where plain ridge is', () => {
    // y = 1 + 0.5·x1 − 0.3·x2 on 12 points, one of them 3 units (×20 in ms) too slow.
    const X = Array.from({ length: 12 }, (_, i) => Float64Array.from([Math.sin(i * 1.7) * 2, Math.cos(i * 0.9) * 2]));
    const y = X.map((x) => 1 + 0.5 * x[0]! - 0.3 * x[1]!);
    y[4]! += 3;
    const huber = fitAdaptation(X, y, { lambda: 0, loss: 'huber' });
    const l2 = fitAdaptation(X, y, { lambda: 0, loss: 'l2' });
    const error = (f: { w: Float64Array; b: number }): number => Math.abs(f.b - 1) + Math.abs(f.w[0]! - 0.5) + Math.abs(f.w[1]! + 0.3);
    expect(error(huber)).toBeLessThan(0.05);
    expect(error(l2)).toBeGreaterThan(0.2);
    // Without the wild point both recover the line; the ridge penalty shrinks the weights.
    y[4]! -= 3;
    expect(error(fitAdaptation(X, y, { lambda: 0, loss: 'huber' }))).toBeLessThan(1e-6);
    expect(Math.abs(fitAdaptation(X, y, { lambda: 50, loss: 'l2' }).w[0]!)).toBeLessThan(0.4);
  });

  it('adapts from a file with one wild measurement better with the Huber loss than with plain ridge', async () => {
    const file = path.join(workDir, 'wild.csv');
    const measured = CELLS.slice(0, 15);
    fs.writeFileSync(file, ['arch,latency_ms', ...measured.map((a, i) => `${cellString(a)},${synthetic(a).mixed * (i === 3 ? 4 : 1)}`)].join('\n'));
    const error = async (loss: 'huber' | 'l2'): Promise<number> => {
      const m = keep(await create({ device: 'wild', train: { devices: ['fast', 'slow'], cells: 150 }, adapt: { file: 'wild.csv', loss } }));
      const pred = m.predictMany!(CELLS, 'wild') as number[];
      return pred.reduce((s, p, i) => s + Math.abs(Math.log(p / synthetic(CELLS[i]!).mixed)), 0) / pred.length;
    };
    const [huber, l2] = [await error('huber'), await error('l2')];
    expect(huber).toBeLessThan(0.75 * l2);
  });
});

describe('learned latency model: bad input', () => {
  it('refuses an unknown device, listing the known ones', async () => {
    const f = await failure(() => create({ device: 'pixel9' }));
    expect(f.kind).toBe('config');
    expect(f.text).toMatch(/unknown device "pixel9".*fast, slow, mixed/s);
    const t = await failure(() => create({ device: 'fast', train: { devices: ['fast', 'gpu9'] } }));
    expect(t.text).toMatch(/unknown device "gpu9" \(train.devices\).*fast, slow, mixed/s);
  });

  it('says which file it reads when the table is missing, and when no data directory is set', async () => {
    const f = await failure(() => create({ device: 'fast' }, { dataDir: path.join(workDir, 'nowhere') }));
    expect(f.kind).toBe('data');
    expect(f.text).toContain(HELP_NB201_TABLE);
    expect((await failure(() => create({ device: 'fast' }, { dataDir: null }))).text).toMatch(/--data-dir/);
  });

  it('refuses too few cells (schema) and more cells than the table has', async () => {
    expect(() => optionsFor(learnedLatencyModel, { device: 'fast', train: { cells: 5 } } as never)).toThrow(/minimum/);
    const f = await failure(() => create({ device: 'fast', train: { cells: 401 } }));
    expect(f).toMatchObject({ kind: 'config' });
    expect(f.text).toMatch(/has only 400 architectures/);
  });

  it('asks for measurements of a device it was not trained on, and refuses a too short adaptation file', async () => {
    const f = await failure(() => create({ device: 'mixed', train: { devices: ['fast'] } }));
    expect(f.text).toMatch(/not among the training devices.*adapt: \{ samples: 20 \}/s);
    fs.writeFileSync(path.join(workDir, 'short.csv'), `arch,latency_ms\n${cellString(CELLS[0]!)},3.1\n`);
    const s = await failure(() => create({ device: 'x', train: { devices: ['fast'], cells: 100 }, adapt: { file: 'short.csv' } }));
    expect(s).toMatchObject({ kind: 'data' });
    expect(s.text).toMatch(/short\.csv: 1 measurements, fewer than 3/);
    const m = await failure(() => create({ device: 'x', train: { devices: ['fast'], cells: 100 }, adapt: { file: 'missing.csv' } }));
    expect(m.text).toMatch(/missing\.csv: the adaptation file does not exist/);
    fs.writeFileSync(path.join(workDir, 'bad.csv'), `arch,latency_ms\n${cellString(CELLS[0]!)},fast\n`);
    expect((await failure(() => create({ device: 'x', train: { devices: ['fast'], cells: 100 }, adapt: { file: 'bad.csv' } }))).text).toMatch(
      /bad\.csv, line 2/,
    );
  });

  it('refuses a graph of another space', async () => {
    const m = await create({ device: 'fast', train: { cells: 20 }, epochs: 1 });
    try {
      const other = { ...space.toGraph(CELLS[0]!), space: 'nb101' };
      const f = await failure(() => m.predict(other, 'fast'));
      expect(f).toMatchObject({ kind: 'architecture' });
      expect((await failure(() => m.predict(CELLS[0]!, 'slow'))).text).toMatch(/knows no device "slow".*fast/s);
    } finally {
      m.dispose();
    }
  });
});
