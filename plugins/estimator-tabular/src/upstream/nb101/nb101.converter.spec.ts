import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { isNasxError, type NasxError } from '@nasx/contracts';
import { encodeTfRecord } from '@nasx/data';
import { cellOfSpec, nb101Hash } from '@nasx/search-space-nb101';
import { parseCsv } from '@nasx/data';
import { convertNb101, type Nb101ConvertProgress } from './nb101.converter';
import { NB101_COLUMNS, NB101_OPS_SEPARATOR } from './nb101.release';

/** The fixtures written by `__fixtures__/make-fixtures.py` (seeded random metrics on real NB101 cells). */
const FIXTURES = path.join(__dirname, '__fixtures__');
interface Expected {
  file: string;
  records: number;
  bytes: number;
  epochs: number[];
  models: {
    [hash: string]: {
      adjacency: string;
      operations: string;
      trainable_params: number;
      budgets: { [epochs: string]: { repeats: number; val_acc: number; test_acc: number; train_time_s: number } };
    };
  };
}
const expectedOf = (name: string): Expected => JSON.parse(fs.readFileSync(path.join(FIXTURES, `${name}.expected.json`), 'utf8')) as Expected;
const FULL = 'nb101-full.fixture';
const ONLY108 = 'nb101-only108.fixture';

interface Table {
  header: readonly string[];
  rows: { [column: string]: string }[];
}

function readTable(file: string): Table {
  const text = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8');
  const [head, ...lines] = text.trimEnd().split('\n');
  const header = head!.split(',');
  return { header, rows: lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v]))) };
}

/** Exact comparison of a converted table with the fixture's expected values (parsed back as the estimator parses them). */
function expectTableMatches(file: string, expected: Expected): void {
  const t = readTable(file);
  const cols: string[] = [NB101_COLUMNS.hash, NB101_COLUMNS.adjacency, NB101_COLUMNS.operations, NB101_COLUMNS.params];
  for (const e of expected.epochs) cols.push(`val_acc_${e}ep`, `test_acc_${e}ep`, `train_time_${e}ep_s`, `repeats_${e}ep`);
  expect(t.header).toEqual(cols);
  const hashes = Object.keys(expected.models).sort();
  expect(t.rows.map((r) => r['module_hash'])).toEqual(hashes); // ascending, one row per hash
  const csv = parseCsv(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8'), file, Object.fromEntries(cols.slice(3).map((c) => [c, 'number'])));
  t.rows.forEach((row, i) => {
    const m = expected.models[row['module_hash']!]!;
    expect(row['module_adjacency']).toBe(m.adjacency);
    expect(row['module_operations']).toBe(m.operations.split(',').join(NB101_OPS_SEPARATOR));
    expect(csv.numbers.get('trainable_params')![i]).toBe(m.trainable_params);
    for (const e of expected.epochs) {
      const b = m.budgets[String(e)]!;
      expect([e, csv.numbers.get(`val_acc_${e}ep`)![i], csv.numbers.get(`test_acc_${e}ep`)![i], csv.numbers.get(`train_time_${e}ep_s`)![i]]).toEqual([
        e,
        b.val_acc,
        b.test_acc,
        b.train_time_s,
      ]);
      expect(csv.numbers.get(`repeats_${e}ep`)![i]).toBe(b.repeats);
    }
  });
}

async function* chunks(data: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function failure(p: Promise<unknown>): Promise<NasxError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNasxError(e)) throw new Error(`expected a NasxError, got ${String(e)}`);
  return e;
}

describe('convertNb101', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-nb101-convert-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('converts the full-release fixture (4 budgets, shuffled records, one repeat missing) to the exact means over repeats', async () => {
    const expected = expectedOf(FULL);
    const output = path.join(tmp, 'full.csv.gz');
    const seen: Nb101ConvertProgress[] = [];
    const result = await convertNb101({ source: path.join(FIXTURES, expected.file), output, onProgress: (p) => seen.push(p) });
    expect(result).toMatchObject({
      output,
      records: expected.records,
      models: 12,
      epochs: [4, 12, 36, 108],
      repeats: { 4: { min: 2, max: 3 }, 12: { min: 3, max: 3 }, 36: { min: 3, max: 3 }, 108: { min: 3, max: 3 } },
      hashesAdjacent: false,
      inconsistent: 0,
      missingValues: 0,
      bytes: expected.bytes,
    });
    expectTableMatches(output, expected);
    expect(fs.existsSync(`${output}.partial`)).toBe(false);
    expect(seen.map((p) => p.phase)).toEqual(['write', 'write']);
    expect(seen.at(-1)).toEqual({ phase: 'write', bytes: expected.bytes, totalBytes: expected.bytes, records: expected.records, models: 12, rows: 12 });
  });

  it('converts the 108-epoch fixture from a byte stream in odd-sized chunks', async () => {
    const expected = expectedOf(ONLY108);
    const output = path.join(tmp, 'sub', 'only108.csv.gz');
    const data = fs.readFileSync(path.join(FIXTURES, expected.file));
    const result = await convertNb101({ source: chunks(data, 777), sourceName: 'download', output });
    expect(result).toMatchObject({ records: 150, models: 50, epochs: [108], repeats: { 108: { min: 3, max: 3 } }, hashesAdjacent: true });
    expectTableMatches(output, expected);
  });

  it("writes hashes that @nasx/search-space-nb101 computes from the row's own adjacency and ops", async () => {
    const output = path.join(tmp, 'hash.csv.gz');
    await convertNb101({ source: path.join(FIXTURES, `${ONLY108}.tfrecord`), output });
    const rows = readTable(output).rows;
    expect(rows).toHaveLength(50);
    for (const r of rows) {
      const adj = r['module_adjacency']!;
      const n = Math.sqrt(adj.length);
      const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => Number(adj[i * n + j])));
      const ops = r['module_operations']!.split(NB101_OPS_SEPARATOR);
      expect(nb101Hash(cellOfSpec(matrix, ops))).toBe(r['module_hash']);
    }
    // The input → output cell and the Inception-like cell of the nasbench README are among them.
    expect(rows.map((r) => r['module_hash'])).toEqual(expect.arrayContaining(['043721b9c7fe8c5fad811d47d83132ec', '28cfc7874f6d200472e1a9dcd8650aa0']));
  });

  it('fails on a corrupted CRC, naming the file and byte offset, and leaves no output', async () => {
    const data = fs.readFileSync(path.join(FIXTURES, `${FULL}.tfrecord`));
    const bad = path.join(tmp, 'bad-crc.tfrecord');
    const copy = Buffer.from(data);
    const len0 = copy.readUInt32LE(0);
    const second = 16 + len0; // header of record 1
    copy[second + 12 + 5]! ^= 0x01; // a byte of record 1's JSON
    fs.writeFileSync(bad, copy);
    const output = path.join(tmp, 'bad.csv.gz');
    const e = await failure(convertNb101({ source: bad, output }));
    expect(e.kind).toBe('data');
    expect(e.message).toBe(
      `${bad}: corrupt at byte offset ${second + 12}: the data CRC of record 1 (header at byte offset ${second}, ${copy.readUInt32LE(second)} bytes) does not match (stored 0x${copy
        .readUInt32LE(second + 12 + copy.readUInt32LE(second))
        .toString(16)
        .padStart(8, '0')}, computed ${e.message.match(/computed (0x[0-9a-f]{8})/)![1]})`,
    );
    expect(e.where.file).toBe(bad);
    expect(e.fix).toMatch(/download the file again and compare its SHA-256/);
    expect(fs.existsSync(output) || fs.existsSync(`${output}.partial`)).toBe(false);
  });

  it('fails on a truncated file, naming where it ends', async () => {
    const data = fs.readFileSync(path.join(FIXTURES, `${ONLY108}.tfrecord`));
    const cut = path.join(tmp, 'cut.tfrecord');
    fs.writeFileSync(cut, data.subarray(0, data.length - 100));
    const e = await failure(convertNb101({ source: cut, output: path.join(tmp, 'cut.csv.gz') }));
    expect(e.message).toMatch(
      new RegExp(
        `^${cut.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: truncated: the stream ends at byte offset ${data.length - 100}, inside record 149 \\(which starts at byte offset \\d+;`,
      ),
    );
    expect(fs.existsSync(path.join(tmp, 'cut.csv.gz'))).toBe(false);
  });

  it('names the record and offset of a row that is not an NB101 record', async () => {
    const record = (row: unknown): Uint8Array => encodeTfRecord(new TextEncoder().encode(JSON.stringify(row)));
    const ok = fs.readFileSync(path.join(FIXTURES, `${ONLY108}.tfrecord`)).subarray(0, 2000);
    const first = ok.subarray(0, 16 + ok.readUInt32LE(0));
    const h = 'f'.repeat(32);
    const cases: [unknown, RegExp][] = [
      [{ a: 1 }, /is not a JSON list \[module_hash, epochs, raw_adjacency, raw_operations, raw_metrics\]/],
      [['XYZ', 108, '0100', 'input,output', ''], /module_hash "XYZ" is not 32 lower-case hex digits/],
      [[h, 108, '0110', 'input,output', ''], /raw_adjacency has an edge 1 → 0; NB101 matrices are upper-triangular/],
      [[h, 108, '0100', 'input,conv5x5,output', ''], /raw_operations has 3 labels for 2 vertices/],
      [[h, 108, '010001000', 'input,conv5x5,output', ''], /unknown op "conv5x5"/],
      [[h, 108, '0100', 'input,output', Buffer.from([0x0a, 0x05, 0x09]).toString('base64')], /raw_metrics is not a ModelMetrics protobuf: .*runs past the end/],
      [[h, 108, '0100', 'input,output', ''], /ModelMetrics has 0 evaluations; NAS-Bench-101 records have 3/],
    ];
    for (const [row, message] of cases) {
      const bytes = Buffer.concat([first, record(row)]);
      const e = await failure(convertNb101({ source: chunks(bytes, 4096), sourceName: 'x.tfrecord', output: path.join(tmp, 'x.csv.gz') }));
      expect(e.message).toMatch(new RegExp(`^x\\.tfrecord: record 1 \\(byte offset ${first.length}\\): `));
      expect(e.message).toMatch(message);
      expect(e.fix).toMatch(/not an intact NAS-Bench-101 release file/);
    }
  });

  it('stops on abort and removes the partial output', async () => {
    const data = fs.readFileSync(path.join(FIXTURES, `${FULL}.tfrecord`));
    const ac = new AbortController();
    async function* aborting(): AsyncGenerator<Uint8Array> {
      yield data.subarray(0, 10_000);
      ac.abort(new Error('user cancelled'));
      yield data.subarray(10_000);
    }
    const output = path.join(tmp, 'aborted.csv.gz');
    await expect(convertNb101({ source: aborting(), output, signal: ac.signal })).rejects.toThrow('user cancelled');
    expect(fs.existsSync(output) || fs.existsSync(`${output}.partial`)).toBe(false);
  });

  it('fails with the fix when the source file does not exist', async () => {
    const e = await failure(convertNb101({ source: path.join(tmp, 'absent.tfrecord'), output: path.join(tmp, 'y.csv.gz') }));
    expect(e.message).toMatch(/cannot read the NAS-Bench-101 file .*absent\.tfrecord/);
    expect(e.fix).toMatch(/nasbench_full\.tfrecord or nasbench_only108\.tfrecord/);
  });
});
