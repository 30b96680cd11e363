import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRng } from '@nasx/kernel';
import { describeWithSharedData } from '@nasx/testing';
import { readPlanetoid, readPlanetoidRaw } from './planetoid-files';
import { citeseerTask, coraTask, pubmedTask, type PlanetoidTask } from './planetoid.task';

const RAW = path.join(__dirname, '..', '__fixtures__', 'planetoid-raw');

function counts(mask: Uint8Array): number {
  return mask.reduce((s, m) => s + m, 0);
}

describe('Planetoid release files (ind.<name>.*)', () => {
  it("are assembled as Kipf & Welling's load_data does (test rows reordered, missing test ids zero and unlabelled)", async () => {
    // expected.json is load_data's output on the same files (tools/scripts/planetoid-fixtures.py).
    const want = JSON.parse(fs.readFileSync(path.join(RAW, 'expected.json'), 'utf8')) as {
      num_nodes: number;
      indptr: number[];
      indices: number[];
      labels: number[];
      edges: [number, number][];
      train: number[];
      val: number[];
      test: number[];
    };
    const g = await readPlanetoidRaw(RAW, 'citeseer');
    expect(g.layout).toBe('planetoid');
    expect(g.numNodes).toBe(want.num_nodes);
    expect(g.numFeatures).toBe(8);
    expect(g.numClasses).toBe(3);
    if (g.features.kind !== 'csr') throw new Error('expected CSR features');
    expect(Array.from(g.features.indptr)).toEqual(want.indptr);
    expect(Array.from(g.features.indices)).toEqual(want.indices);
    expect(g.features.values).toBeUndefined(); // binary: every stored value is 1
    expect(Array.from(g.labels)).toEqual(want.labels);
    const e = g.edges.length / 2;
    const edges = Array.from({ length: e }, (_, i) => [g.edges[i]!, g.edges[e + i]!]).sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
    expect(edges).toEqual(want.edges);
    const ids = (m: Uint8Array) => Array.from(m.keys()).filter((i) => m[i]);
    expect(ids(g.masks.train)).toEqual(want.train);
    expect(ids(g.masks.validation)).toEqual(want.val);
    expect(ids(g.masks.test)).toEqual(want.test);
  });

  it('a folder with some of the files names the missing ones; an empty one says what to download and where', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-planetoid-'));
    try {
      await expect(readPlanetoid(dir, 'cora')).rejects.toThrow(/no cora graph in the data directory .*ind\.cora\.x … ind\.cora\.test\.index/);
      await expect(readPlanetoid(dir, 'cora')).rejects.toMatchObject({ fix: expect.stringMatching(/kimiyoung\/planetoid/) });
      for (const f of ['x', 'y', 'graph']) fs.copyFileSync(path.join(RAW, `ind.citeseer.${f}`), path.join(dir, `ind.citeseer.${f}`));
      await expect(readPlanetoid(dir, 'citeseer')).rejects.toThrow(
        /but not ind\.citeseer\.tx, ind\.citeseer\.ty, ind\.citeseer\.allx, ind\.citeseer\.ally, ind\.citeseer\.test\.index/,
      );
      // PyTorch Geometric's layout: <root>/CiteSeer/raw/.
      const raw = path.join(dir, 'CiteSeer', 'raw');
      fs.mkdirSync(raw, { recursive: true });
      for (const f of fs.readdirSync(RAW)) fs.copyFileSync(path.join(RAW, f), path.join(raw, f));
      fs.rmSync(path.join(dir, 'ind.citeseer.x'));
      fs.rmSync(path.join(dir, 'ind.citeseer.y'));
      fs.rmSync(path.join(dir, 'ind.citeseer.graph'));
      expect((await readPlanetoid(dir, 'citeseer')).files[0]).toBe(path.join(raw, 'ind.citeseer.x'));
      fs.writeFileSync(path.join(raw, 'ind.citeseer.tx'), 'not a pickle');
      await expect(readPlanetoid(dir, 'citeseer')).rejects.toThrow(/ind\.citeseer\.tx: is not a readable pickle/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describeWithSharedData('Planetoid graphs of the shared data', 'planetoid', (dataDir) => {
  const create = async (def: typeof coraTask, options: object = {}): Promise<PlanetoidTask> =>
    (await def.create(options as never, { dataDir, rng: createRng(0) } as never)) as PlanetoidTask;

  it('cora: 2,708 nodes, 1,433 features, 5,278 edges, 7 classes with the published counts, split 140/500/1,000', async () => {
    const t = await create(coraTask);
    const g = t.graph;
    expect([g.numNodes, g.numFeatures, g.edges.length / 2, g.numClasses]).toEqual([2708, 1433, 5278, 7]);
    const byClass = new Array<number>(7).fill(0);
    g.labels.forEach((l) => byClass[l]!++);
    expect(byClass).toEqual([351, 217, 418, 818, 426, 298, 180]);
    expect([counts(g.masks.train), counts(g.masks.validation), counts(g.masks.test)]).toEqual([140, 500, 1000]);
    expect([t.splits.train.size, t.splits.validation.size, t.splits.test!.size]).toEqual([140, 500, 1000]);
    expect(t.inputShape).toEqual([1433]);
    // Row-normalised by default (each row sums to 1).
    if (g.features.kind !== 'csr') throw new Error('expected CSR features');
    const row0 = g.features.values!.slice(g.features.indptr[0], g.features.indptr[1]);
    expect(row0.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const raw = await create(coraTask, { normalizeFeatures: false });
    expect(raw.graph.features.kind === 'csr' && raw.graph.features.values).toBe(undefined);
  });

  it('citeseer: 3,327 nodes, 4,552 edges, 15 unlabelled nodes outside every split; pubmed without features is the feature-free variant', async () => {
    const c = (await create(citeseerTask)).graph;
    expect([c.numNodes, c.numFeatures, c.edges.length / 2, c.numClasses]).toEqual([3327, 3703, 4552, 6]);
    expect(Array.from(c.labels).filter((l) => l < 0)).toHaveLength(15);
    expect([counts(c.masks.train), counts(c.masks.validation), counts(c.masks.test)]).toEqual([120, 500, 1000]);
    const p = await create(pubmedTask);
    expect(p.featureless).toBe(true);
    expect(p.graph.features.kind).toBe('identity');
    expect([p.graph.numNodes, p.graph.numFeatures, p.graph.edges.length / 2, p.graph.numClasses]).toEqual([19717, 19717, 44324, 3]);
    expect((await create(citeseerTask, { features: 'none' })).graph.features.kind).toBe('identity');
  });

  it('a split iterates its nodes in batches: feature rows, labels and node ids', async () => {
    const t = await create(coraTask, { normalizeFeatures: false });
    const f = t.graph.features;
    if (f.kind !== 'csr') throw new Error('expected CSR features');
    const seen: number[] = [];
    for await (const b of t.splits.train.batches({ batchSize: 64 })) {
      const ids = Array.from(b.indices!);
      expect(b.x.shape).toEqual([ids.length, 1433]);
      ids.forEach((id, k) => {
        expect(b.y.data[k]).toBe(t.graph.labels[id]);
        const row = Array.from(b.x.data.subarray(k * 1433, (k + 1) * 1433));
        expect(row.reduce((s, v) => s + v, 0)).toBe(f.indptr[id + 1]! - f.indptr[id]!);
        expect(row[f.indices[f.indptr[id]!]!]).toBe(1);
      });
      seen.push(...ids);
    }
    expect(seen).toHaveLength(140);
    expect(new Set(seen).size).toBe(140);
  });
});
