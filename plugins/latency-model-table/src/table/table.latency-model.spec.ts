import { isNasxError } from '@nasx/contracts';
import { describeWithSharedData, readCsvFile, startTestKernel, testDeps, validatedOptions } from '@nasx/testing';
import nb201Plugin, { nb201SearchSpace } from '@nasx/search-space-nb201';
import tabularPlugin from '@nasx/estimator-tabular';
import randomPlugin from '@nasx/searcher-random';
import * as path from 'node:path';
import tablePlugin, { tableLatencyModel, type TableOptions } from '../index';

const space = () =>
  nb201SearchSpace.create(validatedOptions(nb201SearchSpace.optionsSchema, {}), testDeps()) as ReturnType<typeof nb201SearchSpace.create> & {
    parse(s: string): never;
    format(a: never): string;
  };

async function model(dataDir: string, options: Partial<TableOptions> = {}) {
  return tableLatencyModel.create(validatedOptions(tableLatencyModel.optionsSchema, options), { ...testDeps(), space: await space(), dataDir } as never);
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

describeWithSharedData('table latency model on the published tables', 'hw-latency-help', (dataDir) => {
  const help = readCsvFile(path.join(dataDir, 'hw-latency-help', 'nb201_latency_ms_help.csv.gz'));

  it('knows the 27 HELP device settings and the HW-NAS-Bench-360 runtimes', async () => {
    const m = await model(dataDir);
    expect(m.devices).toEqual(expect.arrayContaining(['pixel3', 'raspi4', 'eyeriss', 'fpga', 'gold_6226', '1080ti_1', 'titan_rtx_256', 'samsung_a50']));
    expect(m.devices.filter((d) => !d.startsWith('pi5_') && !d.startsWith('pixel_'))).toHaveLength(27);
    expect(m.devices).toEqual(expect.arrayContaining(['pi5_litert_cifar100', 'pi5_onnx_ninapro', 'pixel_litert_darcy']));
    // Listed without creating a model, with the file each comes from and whether it has energy.
    const listed = await tableLatencyModel.listDevices!({ ...testDeps(), dataDir });
    expect(listed.map((d) => d.device)).toEqual(m.devices);
    expect(listed.find((d) => d.device === 'pixel3')).toEqual({
      device: 'pixel3',
      options: { device: 'pixel3' },
      source: expect.stringMatching(/^HELP .*nb201_latency_ms_help/),
    });
    expect(listed.find((d) => d.device === 'pi5_onnx_darcy')!.source).toMatch(/with energy$/);
    expect(listed.find((d) => d.device === 'pixel_litert_darcy')!.source).not.toMatch(/with energy/);
  });

  it('returns the published value of every cell (HW-NAS-Bench README: idx 0 is 3.60585 ms on pixel3, 10.48 ms on raspi4)', async () => {
    const s = await space();
    for (const device of ['pixel3', 'raspi4', 'gold_6226']) {
      const m = await model(dataDir, { device });
      for (const row of help.filter((_, i) => i % 97 === 0)) expect(m.predict(s.parse(row['arch_str']!), device)).toBe(Number(row[device]));
    }
    // Every cell, through the numeric index of genotypes (the fast path), equals the published value.
    const pixel3 = await model(dataDir, { device: 'pixel3' });
    for (const row of help) expect(pixel3.predict(s.parse(row['arch_str']!), 'pixel3')).toBe(Number(row['pixel3']));
    // A genotype the index does not hold goes the checked way: format, then the table.
    expect((await failure(() => pixel3.predict({ space: 'nb201', genotype: { ops: [9, 0, 0, 0, 0, 0] }, key: 'x' } as never, 'pixel3'))).kind).toBe(
      'architecture',
    );
    const first = s.parse(help[0]!['arch_str']!);
    expect((await model(dataDir, { device: 'pixel3' })).predict(first, 'pixel3')).toBeCloseTo(3.60585, 10);
    expect((await model(dataDir, { device: 'raspi4' })).predict(first, 'raspi4')).toBeCloseTo(10.481976820010459, 12);
  });

  it('reads HW-NAS-Bench-360 rows by NB201 index through the cells strings of another table', async () => {
    const s = await space();
    const pi5 = readCsvFile(path.join(dataDir, 'hw-nas-bench-360', 'nb201_pi5_pixel_latency_energy.csv.gz'));
    const m = await model(dataDir, { device: 'pi5_litert_cifar100' });
    for (const i of [0, 1, 777, 15_624])
      expect(m.predict(s.parse(help[i]!['arch_str']!), 'pi5_litert_cifar100')).toBe(Number(pi5[i]!['pi5_litert_cifar100_lat_ms_median']));
  });

  it('knows the energy of the devices whose table has it (HW-NAS-Bench-360 Pi 5), and only those', async () => {
    const s = await space();
    const pi5 = readCsvFile(path.join(dataDir, 'hw-nas-bench-360', 'nb201_pi5_pixel_latency_energy.csv.gz'));
    const m = await model(dataDir, { device: 'pi5_onnx_darcy' });
    expect(m.energy).toBeDefined();
    for (const i of [0, 1, 4242, 15_624]) expect(m.energy!(s.parse(help[i]!['arch_str']!), 'pi5_onnx_darcy')).toBe(Number(pi5[i]!['pi5_onnx_darcy_energy_mj']));
    // HW-NAS-Bench-360 has no energy for the Pixel, HELP none at all.
    expect((await model(dataDir, { device: 'pixel_litert_cifar100' })).energy).toBeUndefined();
    expect((await model(dataDir, { device: 'pixel3' })).energy).toBeUndefined();
    expect(await failure(() => m.energy!(s.parse(help[0]!['arch_str']!), 'pi5_litert_darcy'))).toMatchObject({ kind: 'config' });
  });

  it('refuses an unknown device with the known ones, and architectures of another space', async () => {
    const unknown = await failure(() => model(dataDir, { device: 'pixel9' }));
    expect(unknown).toMatchObject({ kind: 'config' });
    expect(unknown.text).toMatch(/unknown device "pixel9".*pixel3, raspi4/s);
    const m = await model(dataDir);
    expect(await failure(() => m.predict({ space: 'nb101', genotype: {}, key: 'x' } as never, 'pixel3'))).toMatchObject({ kind: 'architecture' });
  });

  it('feeds the MnasNet objective in a run: accuracy from the tabular estimator, latency from the table', async () => {
    const k = startTestKernel({
      plugins: [
        { name: '@nasx/search-space-nb201', definition: nb201Plugin },
        { name: '@nasx/estimator-tabular', definition: tabularPlugin },
        { name: '@nasx/latency-model-table', definition: tablePlugin },
        { name: '@nasx/searcher-random', definition: randomPlugin },
      ],
    });
    const run = await k.run({
      seed: 1,
      dataDir,
      space: 'nb201',
      estimator: { use: 'tabular', options: { benchmark: 'nb201', dataset: 'cifar10', metric: 'test_acc', epochs: 200 } },
      latency: [{ use: 'table', options: { device: 'pixel3' } }],
      searcher: 'random',
      objective: { type: 'mnas', accuracy: 'test_acc@200', latency: 'latency_ms', target: 10 },
      budget: { evaluations: 30 },
    });
    const evaluated = run.of('evaluated');
    expect(evaluated).toHaveLength(30);
    const s = await space();
    for (const e of evaluated) {
      const row = help.find((r) => r['arch_str'] === s.format(e.arch as never))!;
      expect(e.estimate.metrics['latency_ms']).toBe(Number(row['pixel3']));
      const acc = e.estimate.metrics['test_acc@200']!;
      const lat = Number(row['pixel3']);
      // MnasNet's soft constraint: ACC·(LAT/T)^w, w = -0.07 on both sides of T.
      expect(e.objective as number).toBeCloseTo(acc * Math.pow(lat / 10, -0.07), 9);
    }
  });
});

describeWithSharedData('table latency model energy in a run', 'hw-nas-bench-360', (dataDir) => {
  it('reports energy_mj beside latency_ms for every trial on a Raspberry Pi 5 device, and can minimise it', async () => {
    const help = readCsvFile(path.join(dataDir, 'hw-latency-help', 'nb201_latency_ms_help.csv.gz'));
    const pi5 = readCsvFile(path.join(dataDir, 'hw-nas-bench-360', 'nb201_pi5_pixel_latency_energy.csv.gz'));
    const k = startTestKernel({
      plugins: [
        { name: '@nasx/search-space-nb201', definition: nb201Plugin },
        { name: '@nasx/estimator-tabular', definition: tabularPlugin },
        { name: '@nasx/latency-model-table', definition: tablePlugin },
        { name: '@nasx/searcher-random', definition: randomPlugin },
      ],
    });
    const run = await k.run({
      seed: 2,
      dataDir,
      space: 'nb201',
      estimator: { use: 'tabular', options: { benchmark: 'nb201', dataset: 'cifar10', metric: 'test_acc', epochs: 200 } },
      latency: [{ use: 'table', options: { device: 'pi5_litert_cifar100' } }],
      searcher: 'random',
      objective: { type: 'metric', metric: 'energy_mj', direction: 'minimize' },
      budget: { evaluations: 20 },
    });
    const evaluated = run.of('evaluated');
    // A repeated cell is answered from the run's cache and not counted again.
    expect(evaluated.at(-1)!.evaluations).toBe(20);
    const s = await space();
    for (const e of evaluated) {
      const i = help.findIndex((r) => r['arch_str'] === s.format(e.arch as never));
      expect(e.estimate.metrics['latency_ms']).toBe(Number(pi5[i]!['pi5_litert_cifar100_lat_ms_median']));
      expect(e.estimate.metrics['energy_mj']).toBe(Number(pi5[i]!['pi5_litert_cifar100_energy_mj']));
      // Energy is a metric like any other: here the objective.
      expect(Math.abs(e.objective as number)).toBe(Number(pi5[i]!['pi5_litert_cifar100_energy_mj']));
    }
  });
});

describe('table latency model without data', () => {
  it('says which files it reads when the data directory has none', async () => {
    const f = await failure(() => model(path.join(__dirname, 'no-such-folder')));
    expect(f.kind).toBe('data');
    expect(f.text).toMatch(/hw-latency-help\/nb201_latency_ms_help\.csv\.gz/);
  });
});
