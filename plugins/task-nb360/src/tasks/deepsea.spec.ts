import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { ShardedSplit, writeNpz, type NpzMember } from '@nasx/data';
import { catchNasxErrorAsync, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type Nb360Options, type Nb360Task } from '../common/nb360-task';
import { DEEPSEA_FILE, DEEPSEA_LABELS, DEEPSEA_LENGTH, DEEPSEA_SHARD_ROWS, deepseaTask } from './deepsea';

async function create(options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await deepseaTask.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}

/** Base of sequence `r` at position `t`: a formula the test recomputes. */
const base = (r: number, t: number) => (r * 7 + t * 3 + ((r * t) % 5)) % 4;
const label = (r: number, j: number) => ((r + j) % 3 === 0 ? 1 : 0);

/** Members x_<part> [rows, 1000, 4] one-hot uint8 and y_<part> [rows, 36], as the release stores them. */
function members(parts: Record<string, number>): Record<string, NpzMember> {
  const out: Record<string, NpzMember> = {};
  for (const [part, rows] of Object.entries(parts)) {
    out[`x_${part}`] = {
      dtype: 'u1',
      shape: [rows, DEEPSEA_LENGTH, 4],
      rows: (s, n) => {
        const x = new Uint8Array(n * DEEPSEA_LENGTH * 4);
        for (let r = 0; r < n; r++) for (let t = 0; t < DEEPSEA_LENGTH; t++) x[(r * DEEPSEA_LENGTH + t) * 4 + base(s + r, t)] = 1;
        return x;
      },
    };
    out[`y_${part}`] = {
      dtype: 'u1',
      shape: [rows, DEEPSEA_LABELS],
      rows: (s, n) => Uint8Array.from({ length: n * DEEPSEA_LABELS }, (_, i) => label(s + Math.floor(i / DEEPSEA_LABELS), i % DEEPSEA_LABELS)),
    };
  }
  return out;
}

describe('DeepSEA', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-deepsea-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('synthetic: [4, 1000] one-hot inputs, 36 multi-label targets, labelled SYNTHETIC', async () => {
    const t = await create({ source: 'synthetic', syntheticSize: 16 });
    expect([t.inputShape, t.outputShape, t.loss]).toEqual([[4, DEEPSEA_LENGTH], [DEEPSEA_LABELS], 'binary-cross-entropy']);
    expect(t.metric.description).toMatch(/SYNTHETIC/);
    for await (const b of t.splits.train.batches({ batchSize: 4 })) {
      expect([b.x.shape, b.y.shape]).toEqual([
        [4, 4, DEEPSEA_LENGTH],
        [4, DEEPSEA_LABELS],
      ]);
      const x = b.x.data as Float32Array;
      // one base per position
      for (let t2 = 0; t2 < 5; t2++) expect(x[t2]! + x[DEEPSEA_LENGTH + t2]! + x[2 * DEEPSEA_LENGTH + t2]! + x[3 * DEEPSEA_LENGTH + t2]!).toBe(1);
      break;
    }
    const y = (await t.targetsOf('validation')) as Float32Array;
    const n = y.length / DEEPSEA_LABELS;
    // AUROC averaged over labels: the targets themselves score 1, a constant 0.5.
    expect(t.score({ outputs: y, outputSize: DEEPSEA_LABELS, targets: y, samples: n })).toBe(1);
    expect(t.score({ outputs: new Float32Array(y.length).fill(0.3), outputSize: DEEPSEA_LABELS, targets: y, samples: n })).toBe(0.5);
    expect(t.paperForm(0.75)).toBe(0.25);
  });

  it('full release: deepsea_filtered.npz streamed, each sequence transposed to [4, 1000] as NAS-Bench-360 permutes it', async () => {
    const small = path.join(dir, 'small');
    fs.mkdirSync(small);
    writeNpz(path.join(small, DEEPSEA_FILE), members({ train: 40, val: 8, test: 12 }));
    const t = await create({ source: 'full' }, { dataDir: small });
    expect(t.source).toBe('full');
    expect(isStreamed(t.data.train)).toBe(true);
    expect([t.splits.train.size, t.splits.validation.size, t.splits.test!.size]).toEqual([40, 8, 12]);
    for await (const b of t.splits.test!.batches({ batchSize: 12 })) {
      const x = b.x.data as Float32Array;
      const y = b.y.data as Float32Array;
      for (const r of [0, 5, 11]) {
        for (const tt of [0, 1, 999]) for (let c = 0; c < 4; c++) expect(x[r * 4000 + c * 1000 + tt]).toBe(c === base(r, tt) ? 1 : 0);
        expect(Array.from(y.subarray(r * 36, r * 36 + 4))).toEqual([0, 1, 2, 3].map((j) => label(r, j)));
      }
    }
  });

  it('a missing archive or member is one message naming the file and where to download it', async () => {
    const e = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: dir }));
    expect(e.message).toContain(DEEPSEA_FILE);
    expect(e.fix).toContain('https://pde-xd.s3.amazonaws.com/deepsea/deepsea_filtered.npz');
    const partial = path.join(dir, 'partial');
    fs.mkdirSync(partial);
    writeNpz(path.join(partial, DEEPSEA_FILE), members({ train: 4, val: 2 }));
    const m = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: partial }));
    expect(m.message).toMatch(/has no array "x_test"/);
  });

  it('a release-size archive (≥ 64 MB) streams an epoch holding at most one shard of rows', async () => {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    const rows = 4 * DEEPSEA_SHARD_ROWS + 400; // 67 MB of training inputs
    writeNpz(path.join(big, DEEPSEA_FILE), members({ train: rows, val: 16, test: 16 }), { chunkRows: 1024 });
    expect(fs.statSync(path.join(big, DEEPSEA_FILE)).size).toBeGreaterThan(64 * 2 ** 20);
    const t = await create({ source: 'full' }, { dataDir: big });
    const split = t.splits.train as ShardedSplit;
    let seen = 0;
    let positives = 0;
    for await (const b of split.batches({ batchSize: 512, rng: testDeps(1).rng })) {
      seen += b.x.shape[0]!;
      positives += (b.x.data as Float32Array).reduce((a, v) => a + v, 0);
    }
    expect(seen).toBe(rows);
    expect(positives).toBe(rows * DEEPSEA_LENGTH); // every sequence once, one base per position
    const shardBytes = DEEPSEA_SHARD_ROWS * (DEEPSEA_LENGTH * 4 + DEEPSEA_LABELS);
    expect(split.peakBytesHeld).toBeGreaterThan(0);
    expect(split.peakBytesHeld).toBeLessThanOrEqual(shardBytes);
  });
});
