import type { Rng } from '@nasx/contracts';

/** The part of an {@link Rng} the split helpers draw from. */
export type IntSource = Pick<Rng, 'int'>;

/** Fisher–Yates shuffle of `a`, in place; returns `a`. */
export function shuffleInPlace(a: Int32Array, rng: IntSource): Int32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/**
 * A small seeded generator (mulberry32) for splits fixed by a `seed` option, so that a split can
 * stay the same whatever the run seed is. Not for anything but shuffling.
 */
export function seededIntSource(seed: number): IntSource {
  let a = Math.trunc(seed) >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { int: (maxExclusive: number) => Math.floor(next() * maxExclusive) };
}

/**
 * Deals the items `0 … labels.length-1` into disjoint parts of exactly `sizes[k]` items each
 * (the sum may be less than the number of items; the rest are left out). Each part is returned in
 * ascending item order.
 *
 * The items are first put in a random order: with `stratify`, class by class (ascending label,
 * each class shuffled); without, all shuffled together. They are then dealt along that order by a
 * largest-deficit schedule, which keeps every prefix within one item of the target proportions.
 * So with `stratify` each class is spread over the parts in proportion to the part sizes, within
 * ±2 items per class and part; the part sizes are always exact.
 */
export function dealParts(labels: ArrayLike<number>, sizes: readonly number[], rng: IntSource, stratify: boolean): Int32Array[] {
  const n = labels.length;
  const used = sizes.reduce((s, k) => s + k, 0);
  if (sizes.some((k) => !Number.isInteger(k) || k < 0) || used > n) {
    throw new RangeError(`dealParts: part sizes ${sizes.join(', ')} do not fit ${n} items`);
  }
  const order = new Int32Array(n);
  if (stratify) {
    const byClass = new Map<number, number[]>();
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      let list = byClass.get(c);
      if (!list) byClass.set(c, (list = []));
      list.push(i);
    }
    let at = 0;
    for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
      const members = shuffleInPlace(Int32Array.from(byClass.get(c)!), rng);
      order.set(members, at);
      at += members.length;
    }
  } else {
    for (let i = 0; i < n; i++) order[i] = i;
    shuffleInPlace(order, rng);
  }
  const targets = [...sizes, n - used];
  const parts = targets.map((k) => new Int32Array(k));
  const filled = new Array<number>(targets.length).fill(0);
  for (let j = 0; j < n; j++) {
    // The part furthest behind its share of the first j+1 items (deficit scaled by n to stay integral).
    let best = 0;
    let bestDeficit = -Infinity;
    for (let k = 0; k < targets.length; k++) {
      const deficit = targets[k]! * (j + 1) - filled[k]! * n;
      if (deficit > bestDeficit && filled[k]! < targets[k]!) {
        best = k;
        bestDeficit = deficit;
      }
    }
    parts[best]![filled[best]!++] = order[j]!;
  }
  for (const p of parts) p.sort();
  return parts.slice(0, sizes.length);
}

/** How many items of each class `0 … numClasses-1` a list of labels holds. */
export function classCounts(labels: ArrayLike<number>, numClasses: number): number[] {
  const out = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) out[labels[i]!]!++;
  return out;
}
