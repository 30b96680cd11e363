import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseCsv } from '@nasx/data';
import { writeSyntheticNb201 } from '../../testing/nb201-benchmark.writer';
import { PyDict, PyObject } from '@nasx/data';
import { loadTorchFile, type TorchStorageRef } from '../torch/torch-file.reader';
import { NB201_TABLES, convertNb201 } from './nb201.converter';

/**
 * The torch-made fixtures (`__fixtures__/make-fixtures.py`: NB201 v1.1 structure, seeded random
 * values) and the values the official API semantics give for them, computed in Python.
 */
const FIXTURES = path.join(__dirname, '__fixtures__');
type Row = { [column: string]: string | number | null };
const EXPECTED: { [file: string]: Row[] } = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const NAME = 'NAS-Bench-201-v1_1-096897.pth';

function readTable(file: string, columns: readonly string[]): Row[] {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  const spec: { [c: string]: 'number' | 'string' } = {};
  for (const c of columns) spec[c] = c === 'arch_str' || c === 'nats_unique_str' ? 'string' : 'number';
  const csv = parseCsv(text, file, spec);
  expect(csv.header).toEqual(columns);
  return Array.from({ length: csv.rows }, (_, r) => {
    const row: Row = {};
    for (const c of columns) {
      if (spec[c] === 'string') row[c] = csv.strings.get(c)![r]!;
      else {
        const v = csv.numbers.get(c)![r]!;
        row[c] = Number.isNaN(v) ? null : v;
      }
    }
    return row;
  });
}

describe('convertNb201', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb201-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const format of ['zip', 'legacy'] as const) {
    it(`writes the values the official API gives, from a torch.save file in the ${format} format`, async () => {
      const outputs: { [f: string]: string } = {};
      for (const f of Object.keys(NB201_TABLES)) outputs[f] = path.join(dir, f);
      const progress: number[] = [];
      await convertNb201(path.join(FIXTURES, format, NAME), outputs, { signal: new AbortController().signal, progress: (d) => progress.push(d) });
      for (const [file, rows] of Object.entries(EXPECTED)) {
        // Exact equality: the tables must hold the API's float64 means bit for bit.
        expect(readTable(outputs[file]!, NB201_TABLES[file]!.columns)).toEqual(rows);
      }
      // The fixture has a setting with no records (empty cells) and one with a single seed.
      expect(EXPECTED['nb201_test_acc_200ep_nats.csv.gz']!.some((r) => r['imagenet16_120_test_acc'] === null)).toBe(true);
      expect(progress.length).toBeGreaterThan(0);
    });

    it(`reads tensors of the ${format} format as storage references (their data are not needed)`, async () => {
      const { format: found, object } = await loadTorchFile(path.join(FIXTURES, format, NAME));
      expect(found).toBe(format);
      const full = ((object as PyDict).get('arch2infos') as PyDict).get(0) as PyDict;
      const results = (full.get('full') as PyDict).get('all_results') as PyDict;
      const withNet = [...results.values()].map((r) => (r as PyDict).get('net_state_dict')).find((n) => n !== null) as PyDict;
      const tensor = withNet.get('classifier.weight') as PyObject;
      expect(tensor.name).toBe('_rebuild_tensor_v2');
      const storage = tensor.args[0] as TorchStorageRef;
      expect(storage).toMatchObject({ kind: 'torch-storage', dtype: 'FloatStorage', location: 'cpu', numel: 6 });
      expect(tensor.args[2]).toEqual([2, 3]); // shape
    });
  }

  it('converts a file with more memo entries than one block (released blocks sealed, shared keys read back), every value right', async () => {
    const file = path.join(dir, NAME);
    const rows = writeSyntheticNb201(file, { archs: 1200 });
    const outputs: { [f: string]: string } = {};
    for (const f of Object.keys(NB201_TABLES)) outputs[f] = path.join(dir, f);
    await convertNb201(file, outputs, { signal: new AbortController().signal, progress: () => undefined });
    const nats = readTable(outputs['nb201_test_acc_200ep_nats.csv.gz']!, NB201_TABLES['nb201_test_acc_200ep_nats.csv.gz']!.columns);
    const mini = readTable(outputs['nb201_acc_12ep_minibench.csv.gz']!, NB201_TABLES['nb201_acc_12ep_minibench.csv.gz']!.columns);
    const naswot = readTable(outputs['nb201_cifar10_naswot.csv.gz']!, NB201_TABLES['nb201_cifar10_naswot.csv.gz']!.columns);
    expect(nats).toHaveLength(1200);
    rows.forEach((r, i) => {
      expect(nats[i]).toMatchObject({
        index: i,
        arch_str: r.archStr,
        cifar10_test_acc: r.full['cifar10|ori-test'],
        cifar100_test_acc: r.full['cifar100|x-test'],
      });
      expect(mini[i]).toMatchObject({ cifar10_valid_val_acc: r.less['cifar10-valid|x-valid'], imagenet16_120_val_acc: r.less['ImageNet16-120|x-valid'] });
      expect(naswot[i]).toMatchObject({ params_mb: r.params, cifar10_valid_test_acc: r.full['cifar10-valid|ori-test'], naswot_v1_score: null });
    });
  });

  it('refuses a file that is not a torch.save file, naming it', async () => {
    const bad = path.join(dir, NAME);
    fs.writeFileSync(bad, '<html>quota exceeded</html>');
    await expect(convertNb201(bad, { x: path.join(dir, 'x') }, { signal: new AbortController().signal, progress: () => undefined })).rejects.toThrow(
      /not a torch\.save file/,
    );
  });

  it('stops when its signal aborts', async () => {
    const c = new AbortController();
    c.abort(new Error('stopped'));
    const outputs = { 'nb201_cifar10_naswot.csv.gz': path.join(dir, 'n.csv.gz') };
    await expect(convertNb201(path.join(FIXTURES, 'legacy', NAME), outputs, { signal: c.signal, progress: () => undefined })).rejects.toThrow(/stopped|abort/i);
  });
});
