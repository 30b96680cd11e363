import { edgeBit, NB101_MAX_EDGES, NB101_MAX_VERTICES, popcount } from './nb101.genotype';

/**
 * Every NB101 cell up to isomorphism, without hashing the ~1.3M labelled graphs that NB101's own
 * `nasbench/scripts/generate_graphs.py` hashes (and without the 2^21 · 3^5 ≈ 510M labelled
 * matrices of a naive scan).
 *
 * For each vertex count n = 2..7:
 * 1. scan the 2^(n(n−1)/2) upper-triangular matrices and keep those with ≤ 9 edges where every
 *    vertex lies on an input → output path (`graph_util.is_full_dag`: every vertex but the
 *    output has an out-edge, every vertex but the input an in-edge), i.e. exactly the matrices
 *    that pruning leaves unchanged;
 * 2. an isomorphism must fix the input (the only source) and the output (the only sink), so it
 *    permutes the interior vertices: keep a matrix only if its bit code is the smallest among the
 *    upper-triangular matrices obtained by permuting its interior vertices (one representative per
 *    unlabelled class), and record the permutations that map it to itself (its automorphisms);
 * 3. two labellings of the representative give isomorphic cells iff an automorphism maps one onto
 *    the other, so emit one labelling per orbit of the 3^(n−2) labellings under that group (the
 *    one with the smallest code Σ label_t · 3^t).
 *
 * Each emitted (matrix, labelling) is one isomorphism class of labelled cells. The module hash is
 * isomorphism-invariant, and NB101 verified it has no collisions in this space, so the classes
 * and the 423,624 hashes correspond one to one; the index build counts distinct hashes to check.
 */

/** Counts from one enumeration. */
export interface Nb101EnumerationStats {
  /** Matrices kept in step 1 (all labelled copies, before isomorphism), per vertex count. */
  readonly fullDags: readonly number[];
  /** Unlabelled classes (representative matrices) per vertex count. */
  readonly matrixClasses: readonly number[];
  /** Emitted cells (labelled classes) per vertex count; index n. */
  readonly cells: readonly number[];
  /** Total emitted cells. */
  readonly total: number;
}

/** All permutations of `items` (Heap-free recursive order, fine for ≤ 5 items). */
function permutations(items: readonly number[]): number[][] {
  if (items.length <= 1) return [items.slice()];
  const out: number[][] = [];
  for (let i = 0; i < items.length; i++) {
    const rest = items.slice(0, i).concat(items.slice(i + 1));
    for (const p of permutations(rest)) out.push([items[i]!, ...p]);
  }
  return out;
}

/**
 * Calls `emit(n, bits, labels)` once per isomorphism class of valid NB101 cells (see the file
 * comment), vertex counts ascending, then representative matrices ascending, then labelling codes
 * ascending. `labels` (interior op indices) is reused between calls: copy it to keep it.
 */
export function forEachNb101Class(
  emit: (n: number, bits: number, labels: Int32Array) => void,
  options: { readonly maxVertices?: number; readonly maxEdges?: number } = {},
): Nb101EnumerationStats {
  const maxVertices = options.maxVertices ?? NB101_MAX_VERTICES;
  const maxEdges = options.maxEdges ?? NB101_MAX_EDGES;
  const fullDags = new Array<number>(maxVertices + 1).fill(0);
  const matrixClasses = new Array<number>(maxVertices + 1).fill(0);
  const cells = new Array<number>(maxVertices + 1).fill(0);
  const labels = new Int32Array(Math.max(0, maxVertices - 2));
  const edgeList = new Int32Array(64);

  for (let n = 2; n <= maxVertices; n++) {
    const k = n - 2;
    const spots = (n * (n - 1)) / 2;
    const outMask = new Int32Array(n);
    const inMask = new Int32Array(n);
    for (let j = 1; j < n; j++) {
      for (let i = 0; i < j; i++) {
        outMask[i]! |= 1 << edgeBit(i, j);
        inMask[j]! |= 1 << edgeBit(i, j);
      }
    }
    // Interior permutations (identity first), each as a vertex map and an edge map
    // (edge → permuted edge, or −1 when the permuted edge would point backwards).
    const interior = Array.from({ length: k }, (_, t) => t + 1);
    const perms = permutations(interior).map((p) => [0, ...p, n - 1]);
    const nPerm = perms.length;
    const edgeMap = new Int32Array(nPerm * spots);
    for (let q = 0; q < nPerm; q++) {
      const p = perms[q]!;
      for (let j = 1; j < n; j++) {
        for (let i = 0; i < j; i++) {
          const a = p[i]!;
          const b = p[j]!;
          edgeMap[q * spots + edgeBit(i, j)] = a < b ? edgeBit(a, b) : -1;
        }
      }
    }
    // Labelling digit weights per permutation: label of interior vertex t+1 moves to p[t+1].
    const pow3 = [1, 3, 9, 27, 81, 243, 729];
    const nLabellings = pow3[k]!;
    const automorphisms: number[] = [];

    for (let bits = 0; bits < 1 << spots; bits++) {
      if (popcount(bits) > maxEdges) continue;
      let full = true;
      for (let v = 0; v < n - 1 && full; v++) if ((bits & outMask[v]!) === 0) full = false;
      for (let v = 1; v < n && full; v++) if ((bits & inMask[v]!) === 0) full = false;
      if (!full) continue;
      fullDags[n]!++;
      let nEdges = 0;
      for (let e = 0; e < spots; e++) if ((bits >>> e) & 1) edgeList[nEdges++] = e;
      // Step 2: canonical (smallest) code among upper-triangular relabellings; automorphisms.
      automorphisms.length = 0;
      let canonical = true;
      for (let q = 1; q < nPerm && canonical; q++) {
        let permuted = 0;
        let upper = true;
        for (let x = 0; x < nEdges; x++) {
          const e = edgeMap[q * spots + edgeList[x]!]!;
          if (e < 0) {
            upper = false;
            break;
          }
          permuted |= 1 << e;
        }
        if (!upper) continue;
        if (permuted < bits) canonical = false;
        else if (permuted === bits) automorphisms.push(q);
      }
      if (!canonical) continue;
      matrixClasses[n]!++;
      // Step 3: one labelling per orbit under the automorphism group.
      for (let code = 0; code < nLabellings; code++) {
        let c = code;
        for (let t = 0; t < k; t++) {
          labels[t] = c % 3;
          c = (c - labels[t]!) / 3;
        }
        let smallest = true;
        for (let a = 0; a < automorphisms.length && smallest; a++) {
          const p = perms[automorphisms[a]!]!;
          let image = 0;
          for (let t = 0; t < k; t++) image += labels[t]! * pow3[p[t + 1]! - 1]!;
          if (image < code) smallest = false;
        }
        if (!smallest) continue;
        cells[n]!++;
        emit(n, bits, labels);
      }
    }
  }
  return { fullDags, matrixClasses, cells, total: cells.reduce((s, x) => s + x, 0) };
}
