/**
 * @packageDocumentation
 * `@nasx/task-planetoid`: the Planetoid citation graphs Cora, Citeseer and Pubmed as transductive
 * node-classification tasks (the public split of Kipf & Welling), read from Planetoid's release
 * files or nasx's one-file layout.
 */
import { definePlugin } from '@nasx/contracts';
import { citeseerTask, coraTask, pubmedTask } from './planetoid/planetoid.task';

export {
  PLANETOID_DOWNLOAD,
  PLANETOID_GRAPHS,
  PLANETOID_RAW,
  planetoidDirs,
  readPlanetoid,
  readPlanetoidJson,
  readPlanetoidRaw,
  type PlanetoidGraph,
  type PlanetoidName,
} from './planetoid/planetoid-files';
export { citeseerTask, coraTask, pubmedTask, rowNormalized, type PlanetoidOptions, type PlanetoidTask } from './planetoid/planetoid.task';

export default definePlugin({ contributions: [coraTask, citeseerTask, pubmedTask] });
