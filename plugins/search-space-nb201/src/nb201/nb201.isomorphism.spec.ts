import { describeWithSharedData, readCsvFile } from '@nasx/testing';
import * as path from 'node:path';
import { formatNb201, NB201_UNIQUE_SIZE, nb201Key, nb201UniqueStr, parseNb201 } from './nb201.genotype';
import { createNb201SearchSpace } from './nb201.search-space';

/**
 * True iff `a` and `b` induce the same partition of the rows: the pairing is a bijection between
 * their values (same class ⇔ same label, for every pair of rows).
 */
function samePartition(a: readonly string[], b: readonly string[]): boolean {
  const ab = new Map<string, string>();
  const ba = new Map<string, string>();
  for (let i = 0; i < a.length; i++) {
    if ((ab.get(a[i]!) ?? b[i]) !== b[i] || (ba.get(b[i]!) ?? a[i]) !== a[i]) return false;
    ab.set(a[i]!, b[i]!);
    ba.set(b[i]!, a[i]!);
  }
  return true;
}

// Ground truth: NAS-Bench-201's 6,466 isomorphism classes (see shared/data/nas-bench-201/PROVENANCE.md).
describeWithSharedData('nb201 keys against the published isomorphism classes', 'nas-bench-201', (dataDir) => {
  const dir = path.join(dataDir, 'nas-bench-201');

  it('induce exactly the partition of nb201_isomorphism_classes.csv.gz (6,466 classes)', () => {
    const rows = readCsvFile(path.join(dir, 'nb201_isomorphism_classes.csv.gz'));
    expect(rows).toHaveLength(15_625);
    const classes = rows.map((r) => r['isomorph_class_index']!);
    const keys = rows.map((r) => nb201Key(parseNb201(r['arch_str']!)));
    expect(rows.filter((r) => formatNb201(parseNb201(r['arch_str']!)) !== r['arch_str'])).toEqual([]);
    expect(new Set(classes).size).toBe(NB201_UNIQUE_SIZE);
    expect(new Set(keys).size).toBe(NB201_UNIQUE_SIZE);
    expect(samePartition(keys, classes)).toBe(true);
    expect(new Set(rows.map((r) => r['arch_str'])).size).toBe(15_625);
  });

  it('reproduce NATS-Bench get_unique_str verbatim for every cell', () => {
    const rows = readCsvFile(path.join(dir, 'nb201_test_acc_200ep_nats.csv.gz'));
    expect(rows).toHaveLength(15_625);
    const mismatches = rows.filter((r) => nb201UniqueStr(parseNb201(r['arch_str']!)) !== r['nats_unique_str']);
    expect(mismatches.map((r) => r['index'])).toEqual([]);
  });

  it('give the space a uniqueSize equal to the published count', () => {
    expect(createNb201SearchSpace().uniqueSize).toBe(NB201_UNIQUE_SIZE);
  });
});
