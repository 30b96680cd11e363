/**
 * @packageDocumentation
 * `@nasx/search-space-nb201`: the NAS-Bench-201 cell search space (Dong & Yang, ICLR 2020) —
 * 15,625 cells, 6,466 isomorphism classes, official arch strings, one-hot encoding, op graph.
 */
import { definePlugin } from '@nasx/contracts';
import { nb201SearchSpace } from './nb201/nb201.search-space';

export {
  NB201_EDGES,
  NB201_EDGE_COUNT,
  NB201_EXAMPLE,
  NB201_OPS,
  NB201_SIZE,
  NB201_SPACE_ID,
  NB201_UNIQUE_SIZE,
  assertNb201Ops,
  formatNb201,
  nb201Canonical,
  nb201Code,
  nb201FromCode,
  nb201Key,
  nb201UniqueStr,
  parseNb201,
  type Nb201Genotype,
  type Nb201Op,
} from './nb201/nb201.genotype';
export { NB201_DATASETS, NB201_GRAPH_META, nb201Graph, nb201NetworkFlops } from './nb201/nb201.graph';
export {
  NB201_ENCODING_LENGTH,
  Nb201SearchSpace,
  createNb201SearchSpace,
  nb201Architecture,
  nb201SearchSpace,
  type Nb201Options,
} from './nb201/nb201.search-space';

export default definePlugin({ contributions: [nb201SearchSpace] });
