import { catchNasxError } from '@nasx/testing';
import { cellOfGenotype, cellOfSpec, edgeBit, formatNb101, genotypeOf, matrixOf, NB101_EXAMPLE, parseNb101Text, popcount, pruneBits } from './nb101.genotype';

const C3 = 'conv3x3-bn-relu';
const C1 = 'conv1x1-bn-relu';
const MP = 'maxpool3x3';

describe('nb101 pruning and validity (NB101 ModelSpec + _check_spec)', () => {
  // Cases of nasbench/tests/model_spec_test.py (test_prune_*) and the colab's is_valid semantics.
  it('prunes vertices not on an input → output path, renumbering the rest in order', () => {
    // Vertex 2 is only reachable from the input (no way out): pruned.
    expect(
      cellOfSpec(
        [
          [0, 1, 1, 0],
          [0, 0, 0, 1],
          [0, 0, 0, 0],
          [0, 0, 0, 0],
        ],
        ['input', C3, MP, 'output'],
      ),
    ).toEqual({
      n: 3,
      bits: (1 << edgeBit(0, 1)) | (1 << edgeBit(1, 2)),
      labels: [0],
    });
    // Vertex 1 has no in-edge: pruned with its edge 1 → 3.
    expect(
      cellOfSpec(
        [
          [0, 0, 1, 0],
          [0, 0, 0, 1],
          [0, 0, 0, 1],
          [0, 0, 0, 0],
        ],
        ['input', C1, MP, 'output'],
      ),
    ).toEqual({
      n: 3,
      bits: (1 << edgeBit(0, 1)) | (1 << edgeBit(1, 2)),
      labels: [2],
    });
    // Nothing to prune: unchanged.
    const diamond = [
      [0, 1, 1, 0],
      [0, 0, 0, 1],
      [0, 0, 0, 1],
      [0, 0, 0, 0],
    ];
    expect(matrixOf(4, cellOfSpec(diamond, ['input', C3, C1, 'output']).bits)).toEqual(diamond);
    // Pruned-away vertices may carry any label (NB101 checks ops after pruning).
    expect(
      cellOfSpec(
        [
          [0, 1, 1],
          [0, 0, 0],
          [0, 0, 0],
        ],
        ['input', 'not-an-op', 'output'],
      ).n,
    ).toBe(2);
  });

  it('prunes on the bit form exactly like the matrix form (all 2^15 six-vertex matrices)', () => {
    const bad: number[] = [];
    for (let bits = 0; bits < 1 << 15; bits++) {
      const p = pruneBits(6, bits);
      const matrix = matrixOf(6, bits);
      let viaMatrix: ReturnType<typeof cellOfSpec> | undefined;
      try {
        viaMatrix = cellOfSpec(matrix, ['input', C3, C3, C3, C3, 'output']);
      } catch {
        viaMatrix = undefined;
      }
      const ok =
        p === undefined
          ? viaMatrix === undefined || popcount(bits) > 9
          : viaMatrix === undefined
            ? popcount(p.bits) > 9
            : p.bits === viaMatrix.bits && p.n === viaMatrix.n;
      if (!ok) bad.push(bits);
    }
    expect(bad).toEqual([]);
  });

  it('rejects a cell whose input does not reach the output', () => {
    const e = catchNasxError(() =>
      cellOfSpec(
        [
          [0, 1, 0],
          [0, 0, 0],
          [0, 0, 0],
        ],
        ['input', C3, 'output'],
      ),
    );
    expect(e.kind).toBe('architecture');
    expect(e.message).toMatch(/disconnected: no path leads from the input \(vertex 0\) to the output \(vertex 2\)/);
    expect(catchNasxError(() => cellOfSpec([[0]], ['input'])).message).toMatch(/disconnected/);
  });

  it('checks the vertex count after pruning: an 8-vertex spec with a dangling vertex is valid', () => {
    // Chain 0 → 1 → 2 → 3 → 4 → 5 → 7, plus 0 → 6 where vertex 6 leads nowhere: pruned to 7 vertices.
    const m = Array.from({ length: 8 }, () => new Array<number>(8).fill(0));
    for (let i = 0; i < 5; i++) m[i]![i + 1] = 1;
    m[5]![7] = 1;
    m[0]![6] = 1;
    const c = cellOfSpec(m, ['input', C3, C3, C3, C3, C1, MP, 'output']);
    expect(c.n).toBe(7);
    expect(popcount(c.bits)).toBe(6);
    expect(c.labels).toEqual([0, 0, 0, 0, 1]);
  });

  it('rejects 8 vertices and 10 edges after pruning, naming the count and the limit', () => {
    const chain = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (j === i + 1 ? 1 : 0)));
    const e8 = catchNasxError(() => cellOfSpec(chain(8), ['input', C3, C3, C3, C3, C3, C3, 'output']));
    expect(e8.message).toMatch(/has 8 vertices after pruning; NB101 allows at most 7/);
    // A 7-vertex chain plus 4 skip edges from the input: 10 edges.
    const m = chain(7);
    for (const j of [2, 3, 4, 5]) m[0]![j] = 1;
    const e10 = catchNasxError(() => cellOfSpec(m, ['input', C3, C3, C3, C3, C3, 'output']));
    expect(e10.message).toMatch(/has 10 edges after pruning; NB101 allows at most 9/);
    expect(e10.fix).toMatch(/remove edges/);
    m[0]![5] = 0;
    expect(cellOfSpec(m, ['input', C3, C3, C3, C3, C3, 'output']).n).toBe(7);
  });

  it('rejects malformed genotypes, naming the problem', () => {
    const msg = (g: unknown): string => catchNasxError(() => cellOfGenotype(g)).message;
    expect(msg(null)).toMatch(/must be an object \{ matrix, ops \}/);
    expect(
      msg({
        matrix: [
          [0, 1],
          [0, 0],
        ],
      }),
    ).toMatch(/ops must be an array of 2 labels/);
    expect(msg({ matrix: [[0, 1], [0]], ops: ['input', 'output'] })).toMatch(/must be square \(2×2\); row 1/);
    expect(
      msg({
        matrix: [
          [0, 1],
          [0, 0],
        ],
        ops: ['input'],
      }),
    ).toMatch(/2 vertices but 1 ops/);
    expect(
      msg({
        matrix: [
          [0, 2],
          [0, 0],
        ],
        ops: ['input', 'output'],
      }),
    ).toMatch(/matrix\[0\]\[1\] is 2; entries must be 0 or 1/);
    expect(
      msg({
        matrix: [
          [0, 1],
          [1, 0],
        ],
        ops: ['input', 'output'],
      }),
    ).toMatch(/not upper-triangular: matrix\[1\]\[0\] = 1 is below the diagonal/);
    expect(
      msg({
        matrix: [
          [1, 1],
          [0, 0],
        ],
        ops: ['input', 'output'],
      }),
    ).toMatch(/matrix\[0\]\[0\] = 1 is on the diagonal/);
    expect(
      msg({
        matrix: [
          [0, 1],
          [0, 0],
        ],
        ops: ['output', 'output'],
      }),
    ).toMatch(/first operation should be 'input'/);
    expect(
      msg({
        matrix: [
          [0, 1],
          [0, 0],
        ],
        ops: ['input', 'input'],
      }),
    ).toMatch(/last operation should be 'output'/);
    const op = catchNasxError(() =>
      cellOfSpec(
        [
          [0, 1, 0],
          [0, 0, 1],
          [0, 0, 0],
        ],
        ['input', 'conv5x5', 'output'],
      ),
    );
    expect(op.message).toMatch(/vertex 1 has unsupported op "conv5x5" \(available ops = conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3\)/);
    expect(op.fix).toMatch(/use one of conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3/);
  });
});

describe('nb101 text form', () => {
  it('formats the pruned cell as compact matrix JSON | ops, and parses it back', () => {
    const c = cellOfSpec(
      [
        [0, 1, 1],
        [0, 0, 1],
        [0, 0, 0],
      ],
      ['input', C3, 'output'],
    );
    expect(formatNb101(c)).toBe('[[0,1,1],[0,0,1],[0,0,0]]|input,conv3x3-bn-relu,output');
    const spec = parseNb101Text(' [[0, 1, 1], [0, 0, 1], [0, 0, 0]] | input, conv3x3-bn-relu ,output ');
    expect(cellOfSpec(spec.matrix, spec.ops)).toEqual(c);
    const ex = parseNb101Text(NB101_EXAMPLE);
    expect(formatNb101(cellOfSpec(ex.matrix, ex.ops))).toBe(NB101_EXAMPLE);
  });

  it('parses a JSON object {"matrix", "ops"}', () => {
    const c = cellOfSpec(
      [
        [0, 1],
        [0, 0],
      ],
      ['input', 'output'],
    );
    const spec = parseNb101Text(JSON.stringify(genotypeOf(c)));
    expect(cellOfSpec(spec.matrix, spec.ops)).toEqual(c);
  });

  it('says what is wrong with malformed text', () => {
    const msg = (s: string): string => catchNasxError(() => parseNb101Text(s)).message;
    expect(msg('input,output')).toMatch(/expected the matrix as JSON/);
    expect(msg('[[0,1],[0,0]]')).toMatch(/missing "\|"/);
    expect(msg('[[0,1],[0,0|input,output')).toMatch(/is not valid JSON/);
    expect(msg('[[0,1],[0,0]]|input,,output')).toMatch(/an op is empty/);
    expect(msg('{"matrix": [[0]], "ops": [], "x": 1}')).toMatch(/unexpected key "x"/);
    expect(msg('{nope')).toMatch(/not valid JSON/);
    expect(catchNasxError(() => parseNb101Text('x')).fix).toMatch(/\[\[0,1,1\],\[0,0,1\],\[0,0,0\]\]\|input,conv3x3-bn-relu,output/);
  });
});
