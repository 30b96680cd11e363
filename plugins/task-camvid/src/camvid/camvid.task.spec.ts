import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Architecture, Batch } from '@nasx/contracts';
import { meanIoU } from '@nasx/stats';
import { buildNetwork, initTensorBackend, predictNetwork, trainNetwork } from '@nasx/tensor';
import { catchNasxError, describeWithSharedData, testDeps, validatedOptions } from '@nasx/testing';
import schema from './camvid.schema.json';
import { CAMVID_VOID, camvidTask, type CamvidTask } from './camvid.task';

const create = (options: Record<string, unknown>, dataDir: string): CamvidTask =>
  camvidTask.create(validatedOptions(schema, options) as never, testDeps(0, { dataDir }) as never) as CamvidTask;

async function firstBatch(task: CamvidTask, split: 'train' | 'validation', batchSize: number, rng?: ReturnType<typeof testDeps>['rng']): Promise<Batch> {
  for await (const b of task.splits[split].batches({ batchSize, ...(rng ? { rng } : {}) })) return b;
  throw new Error('empty split');
}

describe('camvid task: bad input', () => {
  it('a folder without the files: one message naming the header, the folder and the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-camvid-'));
    const e = catchNasxError(() => create({}, dir));
    expect(e.message).toContain(`no camvid_header.json in the data directory ${dir}`);
    expect(e.fix).toMatch(/camvid-small files/);
  });
});

describeWithSharedData('camvid task on the real sample (shared/data/camvid-small)', 'camvid-small', (dataRoot) => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  it('reads 233 training (SegNet test), 50 validation and 51 test images of 3×90×120 with 11-class masks; inputs normalised by the training statistics', async () => {
    const t = create({}, dataRoot);
    expect([t.splits.train.size, t.splits.validation.size, t.splits.test.size]).toEqual([233, 50, 51]);
    expect([t.inputShape, t.outputShape, t.numClasses, t.loss, t.metric.name]).toEqual([[3, 90, 120], [11, 90, 120], 11, 'pixel-cross-entropy', 'val_miou']);
    // Channel means on [0, 1] of the SegNet test images (the header: 0.380, 0.390, 0.396).
    t.normalization.mean.forEach((m, c) => expect(m).toBeCloseTo([0.38, 0.39, 0.396][c]!, 2));
    const b = await firstBatch(t, 'validation', 50);
    expect(b.x.shape).toEqual([50, 3, 90, 120]);
    expect(b.y.shape).toEqual([50, 1, 90, 120]);
    const x = b.x.data as Float32Array;
    const mean = x.reduce((s, v) => s + v, 0) / x.length;
    expect(Math.abs(mean)).toBeLessThan(0.5);
    const labels = b.y.data as Float32Array;
    expect(labels.reduce((m, v) => Math.max(m, v), 0)).toBe(CAMVID_VOID);
    const voidShare = labels.filter((v) => v === CAMVID_VOID).length / labels.length;
    expect(voidShare).toBeGreaterThan(0.005);
    expect(voidShare).toBeLessThan(0.05);
    const limited = create({ limit: 40, validationSize: 20 }, dataRoot);
    expect([limited.splits.train.size, limited.splits.validation.size, limited.splits.test.size]).toEqual([40, 20, 81]);
    expect(catchNasxError(() => create({ validationSize: 101 }, dataRoot)).message).toMatch(/leaves no test images of the 101/);
  });

  it('a flipped training image comes with its flipped mask', async () => {
    const t = create({ augment: true }, dataRoot);
    const plain = create({ augment: false }, dataRoot);
    const rng = testDeps(3).rng;
    const flipped = await firstBatch(t, 'train', 8, rng);
    const rng2 = testDeps(3).rng;
    const same = await firstBatch(plain, 'train', 8, rng2);
    const [px, py] = [flipped.x.data as Float32Array, flipped.y.data as Float32Array];
    const [sx, sy] = [same.x.data as Float32Array, same.y.data as Float32Array];
    let mirrored = 0;
    for (let k = 0; k < 8; k++) {
      expect(flipped.indices![k]).toBe(same.indices![k]);
      // Row 25 of the mask and of the first channel: as stored, or both mirrored.
      const row = (a: Float32Array, at: number, mirror: boolean) => Array.from({ length: 120 }, (_, q) => a[at + (mirror ? 119 - q : q)]);
      const maskMirrored = JSON.stringify(row(py, k * 10800 + 3000, false)) === JSON.stringify(row(sy, k * 10800 + 3000, true));
      const maskSame = JSON.stringify(row(py, k * 10800 + 3000, false)) === JSON.stringify(row(sy, k * 10800 + 3000, false));
      const imageMirrored = JSON.stringify(row(px, k * 32400 + 3000, false)) === JSON.stringify(row(sx, k * 32400 + 3000, true));
      const imageSame = JSON.stringify(row(px, k * 32400 + 3000, false)) === JSON.stringify(row(sx, k * 32400 + 3000, false));
      expect(imageSame || imageMirrored).toBe(true);
      if (!imageSame) {
        expect(maskMirrored).toBe(true);
        mirrored++;
      } else expect(maskSame).toBe(true);
    }
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(8);
  });

  it('mean IoU: the masks themselves score 100, a constant "road" prediction scores its own IoU; a small NB201 network trains with pixel cross-entropy and is scored', async () => {
    const t = create({ validationSize: 10 }, dataRoot);
    const b = await firstBatch(t, 'validation', 10);
    const labels = b.y.data as Float32Array;
    const pixels = 90 * 120;
    const perfect = new Float32Array(10 * 11 * pixels);
    labels.forEach((l, i) => {
      if (l < 11) perfect[Math.floor(i / pixels) * 11 * pixels + l * pixels + (i % pixels)] = 1;
    });
    expect(t.score({ outputs: perfect, outputSize: 11 * pixels, targets: labels, samples: 10 })).toBe(100);
    const road = new Float32Array(10 * 11 * pixels);
    for (let s = 0; s < 10; s++) road.fill(1, s * 11 * pixels + 3 * pixels, s * 11 * pixels + 4 * pixels);
    const scored = t.score({ outputs: road, outputSize: 11 * pixels, targets: labels, samples: 10 });
    expect(scored).toBeCloseTo(meanIoU(labels, new Int32Array(labels.length).fill(3), { classes: 11 }), 10);

    const arch: Architecture = { space: 'nb201', key: 'camvid-spec', genotype: { ops: [3, 1, 3, 1, 1, 3] } };
    const net = buildNetwork(arch, { numClasses: 11, inputShape: t.inputShape, outputShape: t.outputShape, seed: 0, macro: { channels: 4, cellsPerStage: 1 } });
    try {
      const r = await trainNetwork(net, t.splits.train, { steps: 2, batchSize: 4, loss: 'pixel-cross-entropy', learningRate: 0.05, rng: testDeps(1).rng });
      // Pixel cross-entropy of 11 classes starts near ln 11 = 2.40.
      expect(r.loss).toBeGreaterThan(0.5);
      expect(r.loss).toBeLessThan(4);
      const p = await predictNetwork(net, t.splits.validation, { loss: 'pixel-cross-entropy', batchSize: 10 });
      expect([p.samples, p.outputSize, p.targets.length]).toEqual([10, 11 * pixels, 10 * pixels]);
      const miou = t.score(p);
      expect(miou).toBeGreaterThanOrEqual(0);
      expect(miou).toBeLessThanOrEqual(100);
    } finally {
      net.dispose();
    }
  });
});
