/**
 * @packageDocumentation
 * `@nasx/search-space-gnn`: the graph neural network space of AGNN and GraphNAS — per
 * message-passing layer a hidden size, attention function, heads, aggregator, combine function,
 * skip connection and activation — with decisions for RL controllers and the GCN/GAT presets.
 */
import { definePlugin } from '@nasx/contracts';
import { gnnSearchSpace } from './gnn/gnn.search-space';

export {
  GNN_DECISION_CLASSES,
  GNN_GAT,
  GNN_GCN,
  GnnSearchSpace,
  createGnnSearchSpace,
  formatGnn,
  gnnArchitecture,
  gnnSearchSpace,
  parseGnn,
  type GnnDecisionClass,
  type GnnOptions,
} from './gnn/gnn.search-space';

export default definePlugin({ contributions: [gnnSearchSpace] });
