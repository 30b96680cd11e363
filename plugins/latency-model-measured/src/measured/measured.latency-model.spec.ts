import { isNasxError, type NasxError, type SearchSpace } from '@nasx/contracts';
import { createRng } from '@nasx/kernel';
import mnas, { MNAS_A1 } from '@nasx/search-space-mnas';
import nb101 from '@nasx/search-space-nb101';
import nb201 from '@nasx/search-space-nb201';
import { optionsFor, testDeps } from '@nasx/testing';
import { measuredLatencyModel, type MeasuredLatencyModel } from './measured.latency-model';

const spaceOf = async (plugin: typeof nb201, options: object = {}): Promise<SearchSpace> =>
  (await plugin.contributions[0]!.create(optionsFor(plugin.contributions[0]! as never, options as never), testDeps() as never)) as SearchSpace;
const create = async (space: SearchSpace, options: object = {}): Promise<MeasuredLatencyModel> =>
  (await measuredLatencyModel.create(optionsFor(measuredLatencyModel, { backend: 'wasm', warmup: 1, repeats: 3, ...options }), {
    ...testDeps(),
    space,
  })) as MeasuredLatencyModel;

async function errorOf(fn: () => unknown): Promise<NasxError> {
  try {
    await fn();
  } catch (e) {
    if (isNasxError(e)) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

describe('measured latency model', () => {
  it('names its device after the backend and records how it measured', async () => {
    const model = await create(await spaceOf(nb201));
    expect(model.devices).toEqual(['local-wasm']);
    expect(model.provenance).toMatch(/^tfjs \d+\.\d+\.\d+ wasm, 1 thread, (simd|no simd); batch 1; median of 3 timed passes after 1 warm-up$/);
    expect((await create(await spaceOf(nb201), { statistic: 'min', batch: 2 })).provenance).toMatch(/; batch 2; min of 3 timed passes after 1 warm-up$/);
  });

  it('measures NAS-Bench-201 cells at CIFAR-10 shapes, caching per architecture key', async () => {
    const space = await spaceOf(nb201);
    const model = await create(space);
    expect(model.shapesFor(space.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'))).toMatchObject({
      inputShape: [3, 32, 32],
      numClasses: 10,
    });
    const a = space.parse('|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|');
    const ms = await model.predict(a, 'local-wasm');
    expect(ms).toBeGreaterThan(0);
    expect(Number.isFinite(ms)).toBe(true);
    // Measured once: the same float again (a second measurement would differ in the last digits).
    expect(await model.predict(a, 'local-wasm')).toBe(ms);
  });

  it('measures MnasNet networks at the space’s graph shapes, from the architecture or its network-level graph', async () => {
    const space = await spaceOf(mnas as never, { inputShape: [3, 32, 32], numClasses: 10 });
    const model = await create(space);
    const a1 = space.parse(MNAS_A1);
    expect(model.shapesFor(a1)).toMatchObject({ inputShape: [3, 32, 32], numClasses: 10 });
    const fromArch = await model.predict(a1, 'local-wasm');
    const fromGraph = await model.predict(space.toGraph(a1), 'local-wasm');
    expect(fromArch).toBeGreaterThan(0);
    expect(fromGraph).toBeGreaterThan(0);
    // Options override the graph's shapes.
    const small = await create(space, { inputShape: [1, 28, 28], numClasses: 10 });
    expect(small.shapesFor(a1)).toMatchObject({ inputShape: [1, 28, 28] });
    expect(await small.predict(space.sample(createRng(1)), 'local-wasm')).toBeGreaterThan(0);
  });

  it('refuses an unknown device, a cell-level graph, a foreign architecture, and a space without shapes', async () => {
    const space = await spaceOf(nb201);
    const model = await create(space);
    const a = space.sample(createRng(2));
    const e = await errorOf(() => model.predict(a, 'pixel3'));
    expect([e.kind, e.message, e.fix]).toEqual(['config', 'latency model "measured": unknown device "pixel3"', expect.stringContaining('local-wasm')]);
    expect((await errorOf(() => create(space, { device: 'pixel3' }))).message).toMatch(/unknown device "pixel3"/);
    expect((await errorOf(() => model.predict(space.toGraph(a), 'local-wasm'))).message).toMatch(/cannot build a network from a cell-level graph/);
    expect((await errorOf(() => model.predict({ space: 'mnas', genotype: null, key: 'x' }, 'local-wasm'))).kind).toBe('architecture');
    const nb101Space = await spaceOf(nb101 as never);
    const e101 = await errorOf(async () => (await create(nb101Space)).predict(nb101Space.sample(createRng(3)), 'local-wasm'));
    expect([e101.kind, e101.fix]).toEqual(['config', 'set the inputShape ([channels, height, width]) and numClasses options']);
  });
});
