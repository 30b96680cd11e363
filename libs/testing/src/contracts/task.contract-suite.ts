// The conformance suite of the `Task` contract (`describeTaskContract`).
import { isNasxError, metricDirection, type Batch, type CommonDeps, type ContributionDefinition, type DataSplit, type Task } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import { testDeps, validatedOptions } from '../index';

/** Settings of {@link describeTaskContract}. */
export interface TaskContractSettings {
  /** Label for the describe block. */
  readonly name?: string;
  /** Options before validation (defaults are filled in from the schema). */
  readonly options?: object;
  /** Extra factory deps, read when the suite starts (so a `beforeAll` may prepare a data dir). */
  readonly deps?: () => Partial<CommonDeps>;
  /** Batch size for the epoch checks (default 7, so that most splits end with a partial batch). */
  readonly batchSize?: number;
}

// Hot loops below avoid global lookups (`Math.imul`): globals are slow inside jest's vm context.
const imul = Math.imul;

const LOSSES = ['cross-entropy', 'binary-cross-entropy', 'mse', 'l1', 'relative-l2', 'pixel-cross-entropy'];

/** One epoch as one fingerprint per sample (FNV-1a of the target's and the input's bits, strided for large samples), in iteration order. */
export async function epochFingerprints(split: DataSplit, options: Parameters<DataSplit['batches']>[0]): Promise<{ keys: string[]; batches: Batch[] }> {
  const keys: string[] = [];
  const batches: Batch[] = [];
  // Large samples (segmentation images and masks) are hashed at up to 4,096 evenly spaced values:
  // enough to tell samples apart, at a fraction of the cost in jest's vm context.
  const fnv = (bits: Uint32Array | Uint8Array, from: number, to: number): string => {
    const stride = Math.max(1, Math.ceil((to - from) / 4096));
    let h = 0x811c9dc5;
    for (let k = from; k < to; k += stride) h = imul(h ^ bits[k]!, 0x01000193) >>> 0;
    return h.toString(16);
  };
  for await (const b of split.batches(options)) {
    batches.push(b);
    const n = b.x.shape[0]!;
    const len = b.x.data.length / n;
    const ylen = b.y.data.length / n;
    const bits = new Uint32Array(b.x.data.buffer, b.x.data.byteOffset, b.x.data.length);
    const ybits = b.y.data instanceof Uint8Array ? b.y.data : new Uint32Array(b.y.data.buffer, b.y.data.byteOffset, b.y.data.length);
    for (let i = 0; i < n; i++) keys.push(`${ylen === 1 ? b.y.data[i] : fnv(ybits, i * ylen, (i + 1) * ylen)}:${fnv(bits, i * len, (i + 1) * len)}`);
  }
  return { keys, batches };
}

/** The per-sample target shape of a task's batches: none (a class id), a label map for segmentation, else the outputs'. */
function targetShapeOf(task: Task): readonly number[] {
  if (task.loss === 'cross-entropy') return [];
  if (task.loss === 'pixel-cross-entropy') return [1, ...task.outputShape.slice(1)];
  return task.outputShape;
}

/**
 * The checks every task with batches passes (classification, segmentation, dense regression): declaration, `load()`, and for each split the
 * batch shapes and dtypes, exact epoch coverage, fixed order without an RNG, seeded shuffles that
 * are permutations of the same samples, `limit`, `dropLast` and refusal of a bad batch size.
 */
export function describeTaskContract(def: ContributionDefinition<'task', any>, settings: TaskContractSettings = {}): void {
  describe(`task "${def.id}" (contract${settings.name ? `: ${settings.name}` : ''})`, () => {
    const bs = settings.batchSize ?? 7;
    let task: Task;

    beforeAll(async () => {
      const options = validatedOptions(def.optionsSchema, settings.options ?? {});
      task = await def.create(options, testDeps(0, settings.deps?.() ?? {}));
      await task.load?.();
    });

    it('declares what it is', async () => {
      expect(task.id).toBe(def.id);
      for (const d of [...task.inputShape, ...task.outputShape]) expect(Number.isInteger(d) && d > 0).toBe(true);
      expect(LOSSES).toContain(task.loss);
      if (task.numClasses !== undefined) expect(task.outputShape[0]).toBe(task.numClasses);
      const known = metricDirection(task.metric.name);
      if (known) expect(task.metric.direction).toBe(known);
      if (task.load) await expect(task.load()).resolves.toBeUndefined(); // a second load is a no-op (load is optional)
    });

    for (const name of ['train', 'validation', 'test'] as const) {
      describe(`split ${name}`, () => {
        const split = (): DataSplit | undefined => task.splits[name];

        it('yields batch-first float32 inputs and targets (int32 class ids, or float32 values), every sample once per epoch', async () => {
          const s = split();
          if (!s) {
            expect(name).toBe('test'); // only the test split is optional
            return;
          }
          expect(Number.isInteger(s.size) && s.size >= 1).toBe(true);
          const { keys, batches } = await epochFingerprints(s, { batchSize: bs });
          expect(keys).toHaveLength(s.size);
          expect(batches).toHaveLength(Math.ceil(s.size / bs));
          const sample = task.inputShape.reduce((a, b) => a * b, 1);
          batches.forEach((b, i) => {
            const n = i < batches.length - 1 ? bs : s.size - bs * (batches.length - 1);
            expect(b.x.shape).toEqual([n, ...task.inputShape]);
            expect(b.x.dtype).toBe('float32');
            expect(b.x.data).toBeInstanceOf(Float32Array);
            expect(b.x.data.length).toBe(n * sample);
            expect(b.y.shape).toEqual([n, ...targetShapeOf(task)]);
            expect(b.x.data.every(Number.isFinite)).toBe(true);
            if (task.loss === 'cross-entropy') {
              expect(b.y.dtype).toBe('int32');
              expect(b.y.data).toBeInstanceOf(Int32Array);
              expect(b.y.data.find((y) => !(y >= 0 && y < (task.numClasses ?? Infinity)))).toBeUndefined();
            } else {
              expect(b.y.dtype).toBe('float32');
              expect(b.y.data.every(Number.isFinite)).toBe(true);
              // Segmentation labels are class ids (one beyond the classes: an ignored label such as void).
              if (task.loss === 'pixel-cross-entropy') expect(b.y.data.find((y) => !(Number.isInteger(y) && y >= 0))).toBeUndefined();
            }
          });
        });

        it('keeps a fixed order without an rng, and shuffles the same samples reproducibly with one', async () => {
          const s = split();
          if (!s) return expect(name).toBe('test'); // an absent split must be the optional test split
          const fixed = (await epochFingerprints(s, { batchSize: bs })).keys;
          expect((await epochFingerprints(s, { batchSize: bs + 3 })).keys).toEqual(fixed);
          const a = (await epochFingerprints(s, { batchSize: bs, rng: createRng(1) })).keys;
          const b = (await epochFingerprints(s, { batchSize: bs, rng: createRng(1) })).keys;
          const c = (await epochFingerprints(s, { batchSize: bs, rng: createRng(2) })).keys;
          expect(b).toEqual(a);
          expect([...a].sort()).toEqual([...fixed].sort());
          if (s.size >= 8) expect(c).not.toEqual(a);
        });

        it('honours limit and dropLast', async () => {
          const s = split();
          if (!s) return expect(name).toBe('test'); // an absent split must be the optional test split
          const limited = (await epochFingerprints(s, { batchSize: bs, limit: 2 })).batches;
          expect(limited).toHaveLength(Math.min(2, Math.ceil(s.size / bs)));
          expect((await epochFingerprints(s, { batchSize: bs, limit: 0 })).batches).toHaveLength(0);
          const dropped = (await epochFingerprints(s, { batchSize: bs, dropLast: true })).batches;
          expect(dropped).toHaveLength(Math.floor(s.size / bs));
          for (const d of dropped) expect(d.x.shape[0]).toBe(bs);
        });

        it('refuses a bad batch size with a NasxError', () => {
          const s = split();
          if (!s) return expect(name).toBe('test'); // an absent split must be the optional test split
          for (const batchSize of [0, -1, 1.5, NaN]) {
            let error: unknown;
            try {
              s.batches({ batchSize });
            } catch (e) {
              error = e;
            }
            expect(isNasxError(error)).toBe(true);
          }
        });
      });
    }
  });
}
