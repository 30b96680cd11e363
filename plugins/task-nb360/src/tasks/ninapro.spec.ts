import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { saveNpy } from '@nasx/data';
import { catchNasxErrorAsync, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type Nb360Options, type Nb360Task } from '../common/nb360-task';
import { NINAPRO_CLASSES, ninaproTask } from './ninapro';

async function create(options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await ninaproTask.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}

/** Stored value of window i at time t, electrode e (the release's [N, 52, 16] layout). */
const v = (i: number, t: number, e: number) => i * 1000 + t * 16 + e;

describe('NinaPro DB5', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-ninapro-'));
    for (const [part, n] of [
      ['train', 10],
      ['val', 4],
      ['test', 5],
    ] as const) {
      saveNpy(
        path.join(dir, `ninapro_${part}.npy`),
        'f8',
        [n, 52, 16],
        Float64Array.from({ length: n * 52 * 16 }, (_, k) => v(Math.floor(k / 832), Math.floor((k % 832) / 16), k % 16)),
      );
      saveNpy(
        path.join(dir, `label_${part}.npy`),
        'i8',
        [n],
        Float64Array.from({ length: n }, (_, i) => (i * 5) % NINAPRO_CLASSES),
      );
    }
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the release: [N, 52, 16] windows transposed to [1, 16, 52], the release splits, labels as stored', async () => {
    const t = await create({ source: 'full' }, { dataDir: dir });
    expect(t.inputShape).toEqual([1, 16, 52]);
    const test = t.data.test;
    if (isStreamed(test)) throw new Error('expected in memory');
    expect([t.splits.train.size, t.splits.validation.size, test.size]).toEqual([10, 4, 5]);
    // input [i, 0, e, t] = stored [i, t, e]
    expect(test.x[3 * 832 + 7 * 52 + 20]).toBe(v(3, 20, 7));
    expect(test.x[1 * 832 + 15 * 52 + 51]).toBe(v(1, 51, 15));
    expect(Array.from(test.labels!)).toEqual([0, 5, 10, 15, 2]);
    // 0-1 error: the true class scores highest → 0 %; always class 0 → 80 %
    const onehot = new Float32Array(5 * NINAPRO_CLASSES);
    test.labels!.forEach((c, i) => (onehot[i * NINAPRO_CLASSES + c] = 1));
    expect(t.scoreSplit({ outputs: onehot, outputSize: NINAPRO_CLASSES, targets: test.labels!, samples: 5 }, 'test')).toBe(0);
    expect(t.scoreSplit({ outputs: new Float32Array(5 * NINAPRO_CLASSES), outputSize: NINAPRO_CLASSES, targets: test.labels!, samples: 5 }, 'test')).toBe(80);
  });

  it('synthetic data has the shapes and 18 classes, labelled SYNTHETIC; a missing file names it and the download', async () => {
    const t = await create({ source: 'synthetic', syntheticSize: 36 });
    expect(t.metric.description).toMatch(/SYNTHETIC/);
    expect(new Set(await t.targetsOf('train')).size).toBe(NINAPRO_CLASSES);
    const e = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: os.tmpdir() }));
    expect(e.message).toContain('ninapro_train.npy');
    expect(e.fix).toContain('https://pde-xd.s3.amazonaws.com/ninapro/');
  });
});
