/** NB201 operations in genotype order (Dong & Yang, ICLR 2020, §2.1). */
const OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/**
 * NATS-Bench's `get_unique_str` (`Structure.to_unique_str(consider_zero=True)`) of a cell given as
 * the six op indices in arch-string order: the canonical string that isomorphic cells share.
 *
 * The search space `nb201` has the same function (`nb201UniqueStr`, where the reasoning behind
 * each rule is written down); a plugin cannot import another plugin, so the converter keeps this
 * copy, and `nats-unique-str.spec.ts` checks that the two agree on all 15,625 cells.
 */
export function natsUniqueStr(ops: readonly number[]): string {
  const nodes: string[] = ['0'];
  let e = 0;
  for (let j = 1; j <= 3; j++) {
    const terms: string[] = [];
    for (let i = 0; i < j; i++, e++) {
      const op = OPS[ops[e]!]!;
      const src = nodes[i]!;
      if (op === 'none' || src === '#') terms.push('#');
      else if (op === 'skip_connect') terms.push(src);
      else terms.push(`(${src})@${op}`);
    }
    nodes.push(terms.sort().join('+'));
  }
  return nodes[3]!;
}
