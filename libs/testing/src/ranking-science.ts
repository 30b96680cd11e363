import type { SearchSpace } from '@nasx/contracts';
import { describeWithSharedData, readLabelledTable, type LabelledTable } from './shared-data';

/** One benchmark a ranking method is checked on: its labelled table, the space that parses it, the sizes and the τ floor. */
export interface RankingCase {
  readonly table: LabelledTable;
  readonly space: () => SearchSpace;
  /** Labelled architectures the method learns from. */
  readonly train: number;
  /** Held-out architectures it ranks. */
  readonly test: number;
  /** Kendall τ the method must exceed on top of beating the baseline. */
  readonly floor: number;
}

/**
 * The science check of a learned ranking method, once per case (each skipped, visibly, when its
 * shared data is absent): `evaluate` fits the method on `c.train` of the table's architectures and
 * returns its Kendall τ on `c.test` held-out ones next to the baseline's; the method must beat the
 * baseline and exceed the case's floor. `PREDICTOR_DEBUG=1` prints the numbers.
 */
export function describeRankingScience(
  method: string,
  baseline: string,
  cases: readonly RankingCase[],
  evaluate: (
    space: SearchSpace,
    cells: { arch: ReturnType<SearchSpace['parse']>; value: number }[],
    c: RankingCase,
  ) => Promise<{ ours: number; baseline: number }>,
): void {
  for (const c of cases) {
    describeWithSharedData(`${method} ranks cells better than ${baseline} (${c.table.label}, ${c.train} training cells)`, c.table.folder, (dataDir) => {
      it(`Kendall τ on ${c.test.toLocaleString('en-US')} held-out cells: ${method} > ${baseline} (and > ${c.floor})`, async () => {
        const space = c.space();
        const cells = readLabelledTable(dataDir, c.table, (t) => space.parse(t));
        const r = await evaluate(space, cells, c);
        if (process.env['PREDICTOR_DEBUG']) console.log(`${method} ${c.table.folder}: τ ${r.ours.toFixed(3)}, ${baseline} τ ${r.baseline.toFixed(3)}`);
        expect(r.ours).toBeGreaterThan(r.baseline);
        expect(r.ours).toBeGreaterThan(c.floor);
      });
    });
  }
}
