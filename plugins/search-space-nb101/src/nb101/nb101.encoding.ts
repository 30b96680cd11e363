import { edgeBit, NB101_EDGE_SPOTS, NB101_MAX_VERTICES, NB101_OP_SPOTS, NB101_OPS, type Nb101Cell } from './nb101.genotype';

/** Length of the adjacency encoding: 21 upper-triangle bits of the 7×7 matrix + 5 × 3 one-hot ops. */
export const NB101_ADJACENCY_LENGTH = NB101_EDGE_SPOTS + NB101_OP_SPOTS * NB101_OPS.length;
/** Length of the path encoding: one indicator per op sequence of length 0..5, 3^0 + … + 3^5. */
export const NB101_PATH_LENGTH = 364;

/** Position of each vertex of an n-vertex cell in the padded 7-vertex layout (output → 6). */
export function paddedPosition(n: number, v: number): number {
  return v === n - 1 ? NB101_MAX_VERTICES - 1 : v;
}

/** Row-major index of edge i → j in the 7×7 upper triangle ((0,1), (0,2), …, (5,6)). */
function rowMajor(i: number, j: number): number {
  return (i * (2 * NB101_MAX_VERTICES - i - 1)) / 2 + (j - i - 1);
}

/**
 * The adjacency encoding (as in NASLib's / BANANAS' NB101 `encode_adj`): the upper triangle of
 * the 7×7 matrix, row by row (21 values), then for interior vertices 1..5 a one-hot of
 * [conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3] (15 values). A pruned cell with n < 7 vertices is
 * padded: interior vertices keep their index, the output moves to index 6, and the missing
 * vertices are isolated with an all-zero op block. It depends on the vertex order, so isomorphic
 * cells may encode differently.
 */
export function encodeAdjacency(cell: Nb101Cell, out = new Float32Array(NB101_ADJACENCY_LENGTH)): Float32Array {
  const { n, bits, labels } = cell;
  for (let j = 1; j < n; j++) {
    for (let i = 0; i < j; i++) {
      if ((bits >>> edgeBit(i, j)) & 1) out[rowMajor(paddedPosition(n, i), paddedPosition(n, j))] = 1;
    }
  }
  for (let t = 0; t < n - 2; t++) out[NB101_EDGE_SPOTS + 3 * t + labels[t]!] = 1;
  return out;
}

/**
 * The path encoding of BANANAS (White et al., AAAI 2021, §4; naszilla/bananas `Cell.encode_paths`):
 * one indicator per input → output path, identified by its sequence of interior ops
 * o_0 … o_{L−1} (L = 0..5) through index Σ_i 3^i · (o_i + 1) with o = 0 conv3x3, 1 conv1x1,
 * 2 maxpool (a bijective base-3 numeral, so indices 0..363 are distinct). Isomorphism-invariant.
 */
export function encodePaths(cell: Nb101Cell, out = new Float32Array(NB101_PATH_LENGTH)): Float32Array {
  const { n, bits, labels } = cell;
  // paths[v]: (index, length) of every input → v path, not counting v's own op.
  const index: number[][] = [[0]];
  const length: number[][] = [[0]];
  for (let j = 1; j < n; j++) {
    const ix: number[] = [];
    const len: number[] = [];
    for (let i = 0; i < j; i++) {
      if (!((bits >>> edgeBit(i, j)) & 1)) continue;
      if (i === 0) {
        ix.push(0);
        len.push(0);
        continue;
      }
      const digit = labels[i - 1]! + 1;
      const from = index[i]!;
      const fromLen = length[i]!;
      for (let p = 0; p < from.length; p++) {
        ix.push(from[p]! + 3 ** fromLen[p]! * digit);
        len.push(fromLen[p]! + 1);
      }
    }
    index.push(ix);
    length.push(len);
  }
  for (const i of index[n - 1]!) out[i] = 1;
  return out;
}
