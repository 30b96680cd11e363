/**
 * @packageDocumentation
 * `@nasx/searcher-agnn`: AGNN's reinforced conservative controller (Zhou et al., "Auto-GNN",
 * 2019) — one LSTM controller per action class, each step changing one class of the best
 * architecture so far, with proposals that name their parent for constrained parameter sharing.
 */
import { definePlugin } from '@nasx/contracts';
import { agnnSearcher } from './agnn/agnn.searcher';

export { AgnnSearcher, actionClasses, agnnSearcher, type ActionClass, type AgnnSearcherOptions } from './agnn/agnn.searcher';

export default definePlugin({ contributions: [agnnSearcher] });
