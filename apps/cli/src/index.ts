/**
 * @packageDocumentation
 * The `nasx` command line (see `nasx --help`).
 */
export { main } from './main';
export { type CliIO, EXIT } from './io';
