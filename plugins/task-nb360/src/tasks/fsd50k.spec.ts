import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CommonDeps } from '@nasx/contracts';
import { encodeWav as wav, fsd50kFeatures } from '@nasx/data';
import { meanAveragePrecision } from '@nasx/stats';
import { catchNasxErrorAsync, testDeps, validatedOptions } from '@nasx/testing';
import schema from '../common/nb360.schema.json';
import { isStreamed, type Nb360Options, type Nb360Task } from '../common/nb360-task';
import { FSD50K_CLASSES, clipMeanAveragePrecision, fitFrames, fsd50kTask, specAugment } from './fsd50k';

async function create(options: Partial<Nb360Options>, deps: Partial<CommonDeps> = {}): Promise<Nb360Task> {
  return (await fsd50kTask.create(validatedOptions(schema, options) as never, testDeps(0, deps) as never)) as Nb360Task;
}

const tone = (hz: number, n = 22050) => Float32Array.from({ length: n }, (_, i) => 0.4 * Math.sin((2 * Math.PI * hz * i) / 22050));
const q = (s: string) => `"${s}"`;

describe('FSD50K (audio.zip layout)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-fsd50k-'));
    const chunks = path.join(dir, 'data', 'chunks');
    for (const part of ['train', 'val', 'eval']) fs.mkdirSync(path.join(chunks, part), { recursive: true });
    fs.mkdirSync(path.join(dir, 'data', 'noise_22050'));
    const labels = Array.from({ length: FSD50K_CLASSES }, (_, i) => `Class_${i}`);
    fs.writeFileSync(path.join(chunks, 'lbl_map.json'), JSON.stringify(Object.fromEntries(labels.map((l, i) => [l, i]))));
    // train: 3 clips (clip a: 2 chunks), the manifest naming chunks by the folder they were written in
    const rows = (part: string, items: [string, string, string, number][]) => {
      const lines = ['files,labels,ext'];
      for (const [file, lbls, clip, hz] of items) {
        fs.writeFileSync(path.join(chunks, part, file), wav(tone(hz)));
        lines.push(`/prep/fsd50k/chunks/${part}/${file},${q(lbls)},${clip}`);
      }
      return lines.join('\n') + '\n';
    };
    fs.writeFileSync(
      path.join(chunks, 'tr.csv'),
      rows('train', [
        ['a_0.wav', 'Class_1,Class_7', 'a', 300],
        ['a_1.wav', 'Class_1,Class_7', 'a', 310],
        ['b_0.wav', 'Class_2', 'b', 900],
        ['c_0.wav', 'Class_199', 'c', 2000],
      ]),
    );
    fs.writeFileSync(
      path.join(chunks, 'val.csv'),
      rows('val', [
        ['v_0.wav', 'Class_1', 'v', 300],
        ['v_1.wav', 'Class_1', 'v', 320],
        ['w_0.wav', 'Class_2', 'w', 900],
      ]),
    );
    fs.writeFileSync(path.join(chunks, 'eval.csv'), rows('eval', [['e_0.wav', 'Class_7', 'e', 500]]));
    fs.writeFileSync(path.join(dir, 'data', 'noise_22050', 'n.wav'), wav(tone(60, 44100)));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('parses the manifests (quoted label lists) and streams clips and chunks: features [1, 96, 101], multi-hot targets', async () => {
    const t = await create({ source: 'full' }, { dataDir: dir });
    expect(t.inputShape).toEqual([1, 96, 101]);
    const { train, validation, test } = t.data;
    if (!isStreamed(train) || !isStreamed(validation) || !isStreamed(test)) throw new Error('expected streamed splits');
    expect([train.size, validation.size, test.size]).toEqual([3, 3, 1]); // clips for training, chunks for evaluation
    expect(Array.from(validation.groups!)).toEqual([0, 0, 1]);
    const y = await train.contents.targets.read(0, 1);
    expect([...y].flatMap((v, i) => (v ? [i] : []))).toEqual([1, 7]);
    // an evaluation chunk's input is the features of its WAV (as decoded from 16-bit PCM)
    const x = await test.contents.inputs.read(0, 1);
    const pcm = Float32Array.from(tone(500), (v) => Math.round(v * 32768) / 32768);
    const expected = fsd50kFeatures(pcm);
    expect(expected.frames).toBe(101);
    expect(Math.max(...Array.from(x, (v, i) => Math.abs(v - expected.data[i]!)))).toBeLessThan(1e-5);
  });

  it('a training epoch yields one sample per clip, in order and shuffled', async () => {
    const t = await create({ source: 'full' }, { dataDir: dir });
    const plain: Float32Array[] = [];
    for await (const b of t.splits.train.batches({ batchSize: 3 })) plain.push(b.x.data as Float32Array);
    let n = 0;
    for await (const b of t.splits.train.batches({ batchSize: 2, rng: testDeps(5).rng })) n += b.x.shape[0]!;
    expect(n).toBe(3);
    expect(plain[0]!.length).toBe(3 * 96 * 101);
  });

  it('scores clips: chunk logits averaged per clip, sigmoid, macro AP over the 200 classes', async () => {
    // 2 clips (chunks 0-1, chunk 2), 3 classes for the hand check
    const split = { size: 3, groups: Int32Array.from([0, 0, 1]) };
    const targets = Float32Array.from([1, 0, 0, 1, 0, 0, 0, 1, 1]);
    const outputs = Float32Array.from([2, -1, 0, -4, -1, 0, 0, 3, -2]);
    // clip 0: mean logits [-1, -1, 0]; clip 1: [0, 3, -2]
    const sig = (v: number) => 1 / (1 + Math.exp(-v));
    const want = meanAveragePrecision(Float32Array.from([1, 0, 0, 0, 1, 1]), [-1, -1, 0, 0, 3, -2].map(sig), 2, 3);
    expect(clipMeanAveragePrecision({ outputs, outputSize: 3, targets, samples: 3 }, split)).toBeCloseTo(want, 12);
    const t = await create({ source: 'full' }, { dataDir: dir });
    expect(t.paperForm(0.25)).toBe(0.75);
  });

  it('fits frames (PadToSize with the minimum, centred) and SpecAugment masks with the minimum', () => {
    const spec = Float32Array.from({ length: 96 * 99 }, (_, i) => (i % 99) + 1);
    const fitted = fitFrames(spec, 99);
    expect([fitted[0], fitted[1], fitted[100]]).toEqual([1, 1, 1]); // offset 1 left, 1 right, filled with the min
    expect(fitted[2]).toBe(2);
    const x = Float32Array.from({ length: 96 * 101 }, (_, i) => i);
    specAugment(x, 0, testDeps(2).rng);
    expect(x.filter((v) => v === 0).length).toBeGreaterThan(1);
  });

  it('synthetic clips have the task shapes and label structure; a missing manifest names it and the download', async () => {
    const t = await create({ source: 'synthetic', syntheticSize: 8 });
    expect(t.metric.description).toMatch(/SYNTHETIC/);
    const data = t.data.validation;
    if (isStreamed(data)) throw new Error('expected in memory');
    expect(data.groups!.length).toBe(data.size);
    const e = await catchNasxErrorAsync(() => create({ source: 'full' }, { dataDir: os.tmpdir() }));
    expect(e.message).toContain('data/chunks/tr.csv');
    expect(e.fix).toContain('audio.zip');
  });
});
