import { forEachNb101Class } from './nb101.enumerate';
import { edgeBit, matrixOf, NB101_MAX_EDGES, popcount, pruneBits } from './nb101.genotype';
import { Nb101Hasher } from './nb101.hash';
import { Nb101Index, packCell, unpackCell } from './nb101.index';

const hasher = new Nb101Hasher();

/**
 * NB101's own generator (nasbench/scripts/generate_graphs.py) for up to `maxVertices` vertices:
 * every full DAG with ≤ 9 edges, every labelling, deduplicated by hash.
 */
function bruteForceHashes(maxVertices: number): Set<string> {
  const out = new Set<string>();
  for (let n = 2; n <= maxVertices; n++) {
    const spots = (n * (n - 1)) / 2;
    for (let bits = 0; bits < 1 << spots; bits++) {
      if (popcount(bits) > NB101_MAX_EDGES) continue;
      const p = pruneBits(n, bits);
      if (!p || p.n !== n) continue; // is_full_dag ⇔ pruning keeps every vertex
      const labels = new Array<number>(n - 2).fill(0);
      for (let code = 0; code < 3 ** (n - 2); code++) {
        let c = code;
        for (let t = 0; t < n - 2; t++) {
          labels[t] = c % 3;
          c = Math.floor(c / 3);
        }
        out.add(hasher.hex({ n, bits, labels }));
      }
    }
  }
  return out;
}

describe('nb101 enumeration up to isomorphism', () => {
  it('emits exactly the hashes of NB101 generate_graphs.py, each once (up to 5 vertices)', () => {
    const hashes: string[] = [];
    const stats = forEachNb101Class((n, bits, labels) => hashes.push(hasher.hex({ n, bits, labels: Array.from(labels.subarray(0, n - 2)) })), {
      maxVertices: 5,
    });
    const brute = bruteForceHashes(5);
    expect(new Set(hashes).size).toBe(hashes.length); // one per class: no hash twice
    expect([...brute].sort()).toEqual([...hashes].sort());
    // Per vertex count: 1, 6, 84, 2,441 cells; 1, 2, 10, 121 full DAGs; 1, 2, 10, 97 unlabelled classes.
    expect(stats.cells.slice(2)).toEqual([1, 6, 84, 2441]);
    expect(stats.fullDags.slice(2)).toEqual([1, 2, 10, 121]);
    expect(stats.matrixClasses.slice(2)).toEqual([1, 2, 10, 97]);
    expect(stats.total).toBe(2532);
  });

  it('emits only pruned, valid cells, labelled orbit representatives', () => {
    const bad: string[] = [];
    forEachNb101Class(
      (n, bits, labels) => {
        const p = pruneBits(n, bits);
        if (!p || p.n !== n || p.bits !== bits || popcount(bits) > NB101_MAX_EDGES) bad.push(JSON.stringify(matrixOf(n, bits)));
        for (let t = 0; t < n - 2; t++) if (labels[t]! < 0 || labels[t]! > 2) bad.push(`label ${labels[t]}`);
      },
      { maxVertices: 6 },
    );
    expect(bad).toEqual([]);
  });

  it('keeps a symmetric matrix once and its labellings up to the swap (diamond: 6 of 9)', () => {
    const diamond = (1 << edgeBit(0, 1)) | (1 << edgeBit(0, 2)) | (1 << edgeBit(1, 3)) | (1 << edgeBit(2, 3));
    const labellings: string[] = [];
    forEachNb101Class(
      (n, bits, labels) => {
        if (n === 4 && bits === diamond) labellings.push(`${labels[0]}${labels[1]}`);
      },
      { maxVertices: 4 },
    );
    expect(labellings).toEqual(['00', '10', '20', '11', '21', '22']);
  });
});

describe('nb101 index (partial, up to 5 vertices)', () => {
  const index = Nb101Index.build({ maxVertices: 5 });

  it('holds each hash once, sorted, and finds every one (case-insensitive)', () => {
    expect(index.size).toBe(2532);
    expect(index.collisions).toBe(0);
    for (let i = 0; i < index.size; i++) {
      const h = index.hashAt(i);
      if (i > 0) expect(h > index.hashAt(i - 1)).toBe(true);
      expect(index.find(h)).toBe(i);
      expect(hasher.hex(index.cellAt(i))).toBe(h);
    }
    expect(index.find(index.hashAt(7).toUpperCase())).toBe(7);
    expect(index.find('0'.repeat(32))).toBe(-1);
    expect(index.find('xyz')).toBe(-1);
    expect(index.find('g'.repeat(32))).toBe(-1);
  });

  it('packs cells into 32 bits and back', () => {
    for (let i = 0; i < index.size; i += 7) {
      const c = index.cellAt(i);
      expect(unpackCell(packCell(c))).toEqual(c);
      expect(packCell(c)).toBe(index.packedAt(i));
    }
  });

  it('refuses cache bytes that are not a complete index of this format', () => {
    const bytes = index.toBuffer();
    expect(Nb101Index.fromBuffer(bytes)).toBe('2532 cells, expected 423624');
    expect(Nb101Index.fromBuffer(Buffer.from('hello'))).toBe('not an nb101 index file');
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 16);
    expect(Nb101Index.fromBuffer(v2)).toBe('format version 2, expected 1');
    const full = Buffer.from(bytes);
    full.writeUInt32LE(423_624, 20);
    expect(Nb101Index.fromBuffer(full)).toMatch(/^truncated/);
  });
});
