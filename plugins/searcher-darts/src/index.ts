/**
 * @packageDocumentation
 * `@nasx/searcher-darts`: the `darts` searcher (DARTS, Liu et al. 2019), a searcher that owns its
 * loop over a supernet's continuous relaxation.
 */
import { definePlugin } from '@nasx/contracts';
import { dartsSearcher } from './darts/darts.searcher';

export { DartsSearcher, dartsSearcher, type DartsEpoch, type DartsOptions } from './darts/darts.searcher';

export default definePlugin({ contributions: [dartsSearcher] });
