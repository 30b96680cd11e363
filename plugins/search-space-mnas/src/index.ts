/**
 * @packageDocumentation
 * `@nasx/search-space-mnas`: MnasNet's factorised hierarchical search space (Tan et al., CVPR 2019)
 * — 7 blocks × 6 decisions, network-level graphs with concrete shapes, and the list of every
 * operator the space can contain (for latency lookup tables).
 */
import { definePlugin } from '@nasx/contracts';
import { mnasSearchSpace } from './mnas/mnas.search-space';

export {
  MNAS_A1,
  MNAS_BLOCK_SIZE,
  MNAS_ENCODING_LENGTH,
  MnasSearchSpace,
  createMnasSearchSpace,
  formatMnas,
  mnasArchitecture,
  mnasSearchSpace,
  parseMnas,
  type MnasOptions,
} from './mnas/mnas.search-space';

export default definePlugin({ contributions: [mnasSearchSpace] });
