/**
 * @packageDocumentation
 * `@nasx/store`: the experiment store of nasx, a SQLite index of the runs of a runs directory (runs,
 * trials, events) fed from their journals, which stay the source of truth. `nasx runs`, `nasx
 * compare` and the web view read it; it can be rebuilt from the journals at any time.
 */
export { ExperimentStore, openStore, rebuildStore, syncStore } from './experiment-store';
export { STORE_FILE, STORE_SCHEMA_VERSION } from './schema';
export { RUN_STATUSES } from './store.types';
export type {
  Comparison,
  RunFilter,
  RunHead,
  RunOutcome,
  RunStatus,
  StoredEvent,
  StoredRun,
  StoredTrial,
  SyncReport,
  TrajectoryPoint,
  TrialQuery,
} from './store.types';
