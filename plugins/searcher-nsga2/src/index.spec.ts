import * as path from 'node:path';
import { defineSearcher, type Architecture, type AskTellSearcher, type ContributionDefinition } from '@nasx/contracts';
import { describePluginPackage, describeSearcherContract, toyDigits } from '@nasx/testing';
import plugin, { nsga2Searcher } from './index';

describePluginPackage(path.resolve(__dirname, '..'), plugin);

/**
 * The searcher contract suite drives a scalar objective; NSGA-II needs two or more. This adapter
 * creates the searcher for a 2-objective run and tells it (the suite's value, −number of 0 digits):
 * the suite's checks (proposals of the space, replay determinism, failures, asynchrony, every
 * result told before recommend()) then apply unchanged.
 */
const twoObjectives: ContributionDefinition<'searcher'> = defineSearcher({
  id: 'nsga2',
  description: 'nsga2 on (suite objective, −zeros)',
  optionsSchema: nsga2Searcher.optionsSchema,
  async create(options, deps) {
    const inner = (await nsga2Searcher.create(options, {
      ...deps,
      objective: { label: 'pareto(maximize score, minimize zeros)', dimensions: 2, metrics: ['score', 'zeros'] },
    })) as AskTellSearcher;
    const zeros = (a: Architecture): number => ('digits' in (a.genotype as object) ? toyDigits(a).filter((d) => d === 0).length : 0);
    return {
      id: inner.id,
      ask: (n, ctx) => inner.ask(n, ctx),
      tell: (results, ctx) =>
        inner.tell(
          results.map((r) => ({ ...r, objective: typeof r.objective === 'number' ? [r.objective, -zeros(r.arch)] : r.objective })),
          ctx,
        ),
    } satisfies AskTellSearcher;
  },
});

describeSearcherContract(twoObjectives, { options: { population: 8 } });
describeSearcherContract(twoObjectives, { options: { population: 4, crossover: 'none', eliminateDuplicates: false } });
