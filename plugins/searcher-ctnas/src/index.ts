/**
 * @packageDocumentation
 * `@nasx/searcher-ctnas`: the `ctnas` searcher, the controller of CTNAS (Chen et al., "Contrastive
 * Neural Architecture Search with Neural Architecture Comparators", CVPR 2021), rewarded by a
 * comparator (e.g. `@nasx/estimator-ctnas`) against a baseline updated by curriculum.
 */
import { definePlugin } from '@nasx/contracts';
import { ctnasSearcher } from './ctnas/ctnas.searcher';

export { CTNAS_SEARCHER_DEFAULTS, CtnasSearcher, FactorisedPolicy, ctnasSearcher, type CtnasSearcherOptions } from './ctnas/ctnas.searcher';

export default definePlugin({ contributions: [ctnasSearcher] });
