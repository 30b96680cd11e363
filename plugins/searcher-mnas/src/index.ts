/**
 * @packageDocumentation
 * `@nasx/searcher-mnas`: the `mnas` searcher, MnasNet's controller (Tan et al., "MnasNet:
 * Platform-Aware Neural Architecture Search for Mobile", CVPR 2019): an LSTM policy over the
 * space's decisions trained by PPO (or REINFORCE) on the objective the kernel tells, typically the
 * `mnas` objective ACC·(LAT/T)^w with a latency model.
 */
import { definePlugin } from '@nasx/contracts';
import { mnasSearcher } from './mnas/mnas.searcher';

export { LstmPolicy } from '@nasx/controllers';
export { MNAS_SEARCHER_DEFAULTS, MnasSearcher, mnasSearcher, type MnasSearcherOptions, type MnasUpdate } from './mnas/mnas.searcher';

export default definePlugin({ contributions: [mnasSearcher] });
