/**
 * Pareto utilities for multi-objective search. Every point is a vector of objectives where
 * **larger is better** in every component (the kernel's `multi` objective negates minimised
 * metrics, so its vectors can be passed as they are).
 */

/** A point in objective space, every component maximised. */
export type ObjectivePoint = readonly number[];

/** True when `a` Pareto-dominates `b`: no worse in every component and better in at least one. */
export function dominates(a: ObjectivePoint, b: ObjectivePoint): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x < y) return false;
    if (x > y) better = true;
  }
  return better;
}

/**
 * Fast non-dominated sorting (Deb, Pratap, Agarwal & Meyarivan, "A fast and elitist
 * multiobjective genetic algorithm: NSGA-II", IEEE TEC 2002, Sec. III-A): the indices of
 * `points` split into fronts F1, F2, …, where F1 is the non-dominated set, F2 the non-dominated
 * set once F1 is removed, and so on; each front in index order. Equal points share a front. O(M·N²).
 */
export function nonDominatedSort(points: readonly ObjectivePoint[]): number[][] {
  const n = points.length;
  const dominatedBy: number[][] = Array.from({ length: n }, () => []);
  const count = new Array<number>(n).fill(0);
  const fronts: number[][] = [[]];
  for (let p = 0; p < n; p++) {
    for (let q = p + 1; q < n; q++) {
      const a = points[p] as ObjectivePoint;
      const b = points[q] as ObjectivePoint;
      if (dominates(a, b)) {
        (dominatedBy[p] as number[]).push(q);
        count[q]!++;
      } else if (dominates(b, a)) {
        (dominatedBy[q] as number[]).push(p);
        count[p]!++;
      }
    }
  }
  for (let p = 0; p < n; p++) if (count[p] === 0) (fronts[0] as number[]).push(p);
  for (let i = 0; (fronts[i] as number[]).length > 0; i++) {
    const next: number[] = [];
    for (const p of fronts[i] as number[]) {
      for (const q of dominatedBy[p] as number[]) {
        if (--count[q]! === 0) next.push(q);
      }
    }
    fronts.push(next.sort((a, b) => a - b));
  }
  fronts.pop(); // the empty front that ended the loop
  return fronts;
}

/**
 * Indices of the non-dominated points (the first front), in input order. Two objectives use a
 * sort and one sweep (O(N log N): the 15,625 cells of NAS-Bench-201 in milliseconds); more use
 * pairwise comparisons. Equal points are all kept.
 */
export function paretoFrontIndices(points: readonly ObjectivePoint[]): number[] {
  if (points.length === 0) return [];
  const m = (points[0] as ObjectivePoint).length;
  if (m === 2) {
    // Sort by the first objective descending, ties by the second descending: a point is on the
    // front iff its second objective is at least the best second objective of every point before
    // it that is strictly better in the first (equal points are kept together).
    const order = points
      .map((_, i) => i)
      .sort((i, j) => {
        const a = points[i] as ObjectivePoint;
        const b = points[j] as ObjectivePoint;
        return (b[0] as number) - (a[0] as number) || (b[1] as number) - (a[1] as number) || i - j;
      });
    const out: number[] = [];
    let bestY = -Infinity;
    let k = 0;
    while (k < order.length) {
      // One group of equal first objective: its best second objective is the group's first.
      const x = (points[order[k] as number] as ObjectivePoint)[0] as number;
      let end = k;
      while (end < order.length && (points[order[end] as number] as ObjectivePoint)[0] === x) end++;
      const groupBest = (points[order[k] as number] as ObjectivePoint)[1] as number;
      if (groupBest > bestY) {
        for (let t = k; t < end && (points[order[t] as number] as ObjectivePoint)[1] === groupBest; t++) out.push(order[t] as number);
        bestY = groupBest;
      }
      k = end;
    }
    return out.sort((a, b) => a - b);
  }
  return points.map((_, i) => i).filter((i) => !points.some((q, j) => j !== i && dominates(q, points[i] as ObjectivePoint)));
}

/**
 * Crowding distance of the points of one front (NSGA-II, Sec. III-B): for each objective, the
 * front sorted by it, the two extremes get infinity and every other point the normalised gap
 * between its two neighbours, summed over the objectives. Returned in the order of `front`.
 */
export function crowdingDistance(points: readonly ObjectivePoint[], front: readonly number[]): number[] {
  const l = front.length;
  const d = new Array<number>(l).fill(0);
  if (l === 0) return d;
  const m = (points[front[0] as number] as ObjectivePoint).length;
  for (let k = 0; k < m; k++) {
    const value = (i: number): number => (points[front[i] as number] as ObjectivePoint)[k] as number;
    // Stable by position in the front, so equal values keep a deterministic order.
    const order = Array.from({ length: l }, (_, i) => i).sort((a, b) => value(a) - value(b) || a - b);
    const lo = value(order[0] as number);
    const hi = value(order[l - 1] as number);
    d[order[0] as number] = Infinity;
    d[order[l - 1] as number] = Infinity;
    const range = hi - lo;
    if (!(range > 0) || !Number.isFinite(range)) continue;
    for (let i = 1; i < l - 1; i++) {
      const at = order[i] as number;
      d[at]! += (value(order[i + 1] as number) - value(order[i - 1] as number)) / range;
    }
  }
  return d;
}

/** Points that strictly dominate the reference point in every component (only they add volume). */
function aboveReference(points: readonly ObjectivePoint[], ref: ObjectivePoint): number[][] {
  return points.filter((p) => p.every((v, i) => v > (ref[i] as number) && Number.isFinite(v))).map((p) => [...p]);
}

/** Exact 2-D hypervolume of points that all dominate `ref`: sort by x descending and sum the rectangles. */
function hypervolume2d(points: number[][], ref: ObjectivePoint): number {
  const sorted = points.slice().sort((a, b) => (b[0] as number) - (a[0] as number) || (b[1] as number) - (a[1] as number));
  let volume = 0;
  let yPrev = ref[1] as number;
  for (const [x, y] of sorted as [number, number][]) {
    if (y > yPrev) {
      volume += (x - (ref[0] as number)) * (y - yPrev);
      yPrev = y;
    }
  }
  return volume;
}

/**
 * Hypervolume by slicing objectives (HSO; While, Hingston, Barone & Huband, "A faster algorithm for
 * calculating hypervolume", IEEE TEC 2006): sort by the last objective, and the volume is the sum
 * over slabs between consecutive values of that objective of the slab's height times the
 * (d−1)-dimensional hypervolume of the points that reach into it. Exact; exponential in the
 * number of objectives, fine for the small fronts of NAS runs.
 */
function hypervolumeNd(points: number[][], ref: ObjectivePoint): number {
  const d = ref.length;
  if (points.length === 0) return 0;
  if (d === 1) return Math.max(...points.map((p) => p[0] as number)) - (ref[0] as number);
  if (d === 2) return hypervolume2d(points, ref);
  const last = d - 1;
  const sorted = points.slice().sort((a, b) => (b[last] as number) - (a[last] as number));
  const subRef = ref.slice(0, last);
  let volume = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = sorted[i]![last] as number;
    const bottom = i + 1 < sorted.length ? (sorted[i + 1]![last] as number) : (ref[last] as number);
    if (top <= bottom) continue;
    const slice = sorted.slice(0, i + 1).map((p) => p.slice(0, last));
    const nd = paretoFrontIndices(slice).map((j) => slice[j] as number[]);
    volume += (top - bottom) * hypervolumeNd(nd, subRef);
  }
  return volume;
}

/**
 * The hypervolume dominated by `points` and bounded by the reference point `ref` (Zitzler &
 * Thiele 1998): the measure of the union of the boxes [ref, p]. Points that do not strictly
 * dominate `ref` in every component add nothing. Exact for any number of objectives (a sweep
 * in 2-D, HSO slicing above).
 *
 * @example
 * hypervolume([[1, 3], [2, 2], [3, 1]], [0, 0]); // 6
 */
export function hypervolume(points: readonly ObjectivePoint[], ref: ObjectivePoint): number {
  for (const p of points) {
    if (p.length !== ref.length) throw new RangeError(`hypervolume: a point has ${p.length} objectives but the reference point has ${ref.length}`);
  }
  const kept = aboveReference(points, ref);
  if (kept.length === 0) return 0;
  const front = paretoFrontIndices(kept).map((i) => kept[i] as number[]);
  return ref.length === 2 ? hypervolume2d(front, ref) : hypervolumeNd(front, ref);
}
