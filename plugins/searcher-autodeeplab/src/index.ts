/**
 * @packageDocumentation
 * `@nasx/searcher-autodeeplab`: the `autodeeplab` searcher (Auto-DeepLab, Liu et al., CVPR 2019),
 * a searcher that owns its loop over the hierarchical relaxation of the autodeeplab space.
 */
import { definePlugin } from '@nasx/contracts';
import { autodeeplabSearcher } from './autodeeplab/autodeeplab.searcher';

export { AutodeeplabSearcher, autodeeplabSearcher, type AutodeeplabEpoch, type AutodeeplabOptions } from './autodeeplab/autodeeplab.searcher';

export default definePlugin({ contributions: [autodeeplabSearcher] });
