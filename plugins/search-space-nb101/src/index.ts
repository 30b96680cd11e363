/**
 * @packageDocumentation
 * `@nasx/search-space-nb101`: the NAS-Bench-101 cell search space (Ying et al., ICML 2019) —
 * cells of at most 7 vertices and 9 edges, pruned and validated as NB101 does, keyed by NB101's
 * official module hash; 423,624 unique cells, enumerated up to isomorphism and indexed by hash.
 */
import { definePlugin } from '@nasx/contracts';
import { nb101SearchSpace } from './nb101/nb101.search-space';

export {
  NB101_EDGE_SPOTS,
  NB101_EXAMPLE,
  NB101_INPUT,
  NB101_MAX_EDGES,
  NB101_MAX_VERTICES,
  NB101_OPS,
  NB101_OP_SPOTS,
  NB101_OUTPUT,
  NB101_SPACE_ID,
  NB101_UNIQUE_SIZE,
  cellOfGenotype,
  cellOfSpec,
  edgeBit,
  formatNb101,
  genotypeOf,
  matrixOf,
  parseNb101Text,
  pruneBits,
  type Nb101Cell,
  type Nb101Genotype,
  type Nb101Op,
} from './nb101/nb101.genotype';
export { Nb101Hasher, nb101Hash } from './nb101/nb101.hash';
export { forEachNb101Class, type Nb101EnumerationStats } from './nb101/nb101.enumerate';
export {
  NB101_INDEX_FILE,
  Nb101Index,
  clearNb101IndexMemo,
  loadNb101Index,
  nb101CacheDir,
  packCell,
  unpackCell,
  type Nb101IndexLoad,
} from './nb101/nb101.index';
export { NB101_ADJACENCY_LENGTH, NB101_PATH_LENGTH, encodeAdjacency, encodePaths } from './nb101/nb101.encoding';
export { NB101_GRAPH_META, nb101Graph } from './nb101/nb101.graph';
export { readKeysFile } from './nb101/nb101.keys';
export { Nb101SearchSpace, createNb101SearchSpace, nb101Architecture, nb101SearchSpace, type Nb101Options } from './nb101/nb101.search-space';

export default definePlugin({ contributions: [nb101SearchSpace] });
