/**
 * @packageDocumentation
 * `@nasx/store`: the experiment store of nasx, a SQLite index of the runs of a runs directory (runs,
 * trials, events) fed from their journals, which stay the source of truth: `nasx runs`, `nasx
 * compare` and the web view (`nasx ui`) read it, and it can be rebuilt from the journals any time.
 */
export * from './store';
