/**
 * @packageDocumentation
 * `@nasx/search-space-deepnets`: generated DARTS-style networks in the spirit of DeepNets-1M
 * (Knyazev et al., NeurIPS 2021) — random width, depth, stem, cell size, wiring and operations —
 * the diverse computational graphs a graph hypernetwork (GHN-2, `@nasx/estimator-ghn`) is trained
 * and tested on, usable by any searcher.
 */
import { definePlugin } from '@nasx/contracts';
import { deepnetsSearchSpace } from './deepnets/deepnets.search-space';

export {
  DEEPNETS_GRAPH_TASK,
  DeepNetsSearchSpace,
  createDeepNetsSearchSpace,
  deepnetsSearchSpace,
  type DeepnetsOptions,
} from './deepnets/deepnets.search-space';

export default definePlugin({ contributions: [deepnetsSearchSpace] });
