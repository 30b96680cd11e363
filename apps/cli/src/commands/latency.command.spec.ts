import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseOperatorTable } from '@nasx/contracts';
import { describeWithSharedData, readCsvFile } from '@nasx/testing';
import { nasx, nasxInProcess, tempDir } from '../cli-test-helpers';

// nasx latency devices / predict / profile, end to end through the built CLI.

const TINY = path.resolve(__dirname, '..', '__fixtures__', 'tiny-net-plugin');
const A_CELL = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const EMPTY = '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|';

/** A config of the tiny network-level fixture space, with `latency` lines appended. */
function tinyConfig(dir: string, latency = ''): string {
  const file = path.join(dir, 'tiny.yaml');
  fs.writeFileSync(file, `plugins: [${JSON.stringify(TINY)}]\nspace: tiny-net\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 1 }\n${latency}`);
  return file;
}

describeWithSharedData('nasx latency devices and predict on the published tables', 'hw-latency-help', (dataDir) => {
  const help = readCsvFile(path.join(dataDir, 'hw-latency-help', 'nb201_latency_ms_help.csv.gz'));
  const pi5 = readCsvFile(path.join(dataDir, 'hw-nas-bench-360', 'nb201_pi5_pixel_latency_energy.csv.gz'));

  it('devices lists every latency model with its devices and the options that select them', async () => {
    const r = await nasxInProcess(['latency', 'devices', '--data-dir', dataDir, '--json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const { devices } = JSON.parse(r.stdout) as { devices: { model: string; device: string; options: Record<string, string>; source: string }[] };
    const of = (model: string) => devices.filter((d) => d.model === model);
    expect(of('lut').map((d) => d.options)).toEqual(
      expect.arrayContaining([
        { table: 'tfnas', device: 'gpu' },
        { table: 'tfnas', device: 'cpu' },
        { table: 'proxylessnas', device: 'pixel1' },
      ]),
    );
    expect(of('table').map((d) => d.device)).toEqual(expect.arrayContaining(['pixel3', 'raspi4', 'gold_6226', 'pi5_litert_cifar100']));
    expect(of('table')).toHaveLength(27 + 12);
    expect(of('table').find((d) => d.device === 'pi5_litert_cifar100')!.source).toMatch(/with energy/);
    const text = await nasxInProcess(['latency', 'devices', '--data-dir', dataDir]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^lut\s+pixel1\s+table: proxylessnas/m);
  });

  it('predict gives the published latency, and energy where the table has it, as a table or JSON lines', async () => {
    const i = help.findIndex((r) => r['arch_str'] === A_CELL);
    const r = await nasxInProcess([
      'latency',
      'predict',
      '--model',
      'table',
      '--device',
      'pi5_litert_cifar100',
      '--data-dir',
      dataDir,
      '--json',
      A_CELL,
      EMPTY,
    ]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { arch: string; metrics: Record<string, number>; devices: Record<string, string> });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      arch: A_CELL,
      metrics: { latency_ms: Number(pi5[i]!['pi5_litert_cifar100_lat_ms_median']), energy_mj: Number(pi5[i]!['pi5_litert_cifar100_energy_mj']) },
      devices: { latency_ms: 'pi5_litert_cifar100' },
    });
    const table = await nasxInProcess(['latency', 'predict', '--model', 'table', '--device', 'pixel3', '--data-dir', dataDir, A_CELL]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/latency_ms \(pixel3\)/);
    expect(table.stdout).toContain(String(Number(help[i]!['pixel3']).toFixed(4)).replace(/0+$/, ''));
    expect(table.stdout).not.toMatch(/energy/);
  });

  it('predict with a config reports every latency entry by device', async () => {
    const dir = tempDir({
      'c.yaml': `space: nb201\nestimator: synthetic\nsearcher: random\nbudget: { evaluations: 1 }\nlatency: [{ use: table, options: { device: pixel3 } }, { use: table, options: { device: raspi4 } }]\n`,
    });
    try {
      const r = await nasxInProcess(['latency', 'predict', '--config', path.join(dir, 'c.yaml'), '--data-dir', dataDir, '--json', A_CELL]);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const row = help.find((x) => x['arch_str'] === A_CELL)!;
      expect(JSON.parse(r.stdout).metrics).toEqual({ 'latency_ms:pixel3': Number(row['pixel3']), 'latency_ms:raspi4': Number(row['raspi4']) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('nasx latency profile, then lut on the table it wrote', () => {
  let dir: string;
  beforeAll(async () => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('profiles every operator of a network-level space into an operator table that lut then sums', async () => {
    const out = path.join(dir, 'local.csv');
    // A process of its own: the backend (NASX_BACKEND=cpu) is chosen once per process.
    const r = nasx(
      ['latency', 'profile', '--config', tinyConfig(dir), '-o', out, '--repeats', '2', '--warmup', '1', '--statistic', 'min', '--device', 'this-box'],
      {
        env: { NASX_BACKEND: 'cpu' },
      },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/profiling 5 operator\(s\) of tiny-net on cpu \(batch 1, min of 2\)/);
    expect(r.stderr).toMatch(/ 5\/5 .* ms {2}dense in=8 out=10/);
    expect(r.stderr).toMatch(/use it: latency: \[\{ use: lut, options: \{ table: /);
    const { meta, rows } = parseOperatorTable(fs.readFileSync(out, 'utf8'), out);
    expect(meta).toMatchObject({ device: 'this-box', batch: 1, space: 'tiny-net', repeats: 2, warmup: 1, statistic: 'min' });
    expect(String(meta.backend)).toMatch(/^tfjs .* cpu/);
    expect(rows.map((x) => x.key)).toEqual([
      'conv in=3x8x8 out=8 k=3 s=1 act=relu',
      'mbconv in=8x8x8 out=8 k=3 s=1 e=3 se=0 skip=identity act=relu',
      'mbconv in=8x8x8 out=8 k=5 s=1 e=3 se=0 skip=identity act=relu',
      'global_pool in=8x8x8',
      'dense in=8 out=10',
    ]);
    for (const row of rows) expect(row.ms).toBeGreaterThan(0);

    // The table serves as that device's lut: the sum of the network's rows.
    const p = await nasxInProcess([
      'latency',
      'predict',
      '--config',
      tinyConfig(dir, `latency: [{ use: lut, options: { table: local.csv } }]\n`),
      '--json',
      'k3-k5',
      'k5-k5',
    ]);
    expect(p).toMatchObject({ code: 0, stderr: '' });
    const ms = Object.fromEntries(rows.map((x) => [x.key.split(' ')[0] + (x.key.includes('k=5') ? '5' : ''), x.ms]));
    const [a, b] = p.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { metrics: { latency_ms: number }; devices: { latency_ms: string } });
    expect(a!.metrics.latency_ms).toBeCloseTo(ms['conv']! + ms['mbconv']! + ms['mbconv5']! + ms['global_pool']! + ms['dense']!, 9);
    expect(b!.metrics.latency_ms).toBeCloseTo(ms['conv']! + 2 * ms['mbconv5']! + ms['global_pool']! + ms['dense']!, 9);
    expect(a!.devices.latency_ms).toBe('this-box');

    // It is listed among the devices when it sits in the data directory.
    const listed = await nasxInProcess(['latency', 'devices', '--data-dir', dir, '--json']);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).devices).toContainEqual(
      expect.objectContaining({ model: 'lut', device: 'this-box', options: { table: 'local.csv', device: 'this-box' } }),
    );
  }, 60_000);
});
