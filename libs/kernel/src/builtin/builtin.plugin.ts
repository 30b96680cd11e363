import { definePlugin } from '@nasx/contracts';
import { listSearcher } from './list.searcher';

/** Contributions that come with the kernel itself (listed by `nasx plugins` as @nasx/kernel). */
export const builtinPlugin = definePlugin({ contributions: [listSearcher] });
