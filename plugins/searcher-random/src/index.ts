/**
 * @packageDocumentation
 * `@nasx/searcher-random`: the `random` searcher (uniform samples, optionally without repeats).
 */
import { definePlugin } from '@nasx/contracts';
import { randomSearcher } from './random/random.searcher';

export { MAX_REJECTIONS, RandomSearcher, randomSearcher, type RandomOptions } from './random/random.searcher';

export default definePlugin({ contributions: [randomSearcher] });
