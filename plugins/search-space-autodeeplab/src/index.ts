/**
 * @packageDocumentation
 * `@nasx/search-space-autodeeplab`: Auto-DeepLab's hierarchical search space (Liu et al., CVPR
 * 2019) — the cell and the network path over down-sampling rates — for dense prediction.
 */
import { definePlugin } from '@nasx/contracts';
import { autodeeplabSearchSpace } from './autodeeplab/autodeeplab.search-space';

export {
  AutodeeplabSearchSpace,
  autodeeplabSearchSpace,
  createAutodeeplabSearchSpace,
  formatAutodeeplab,
  parseAutodeeplab,
  pathCount,
  type AutodeeplabOptions,
} from './autodeeplab/autodeeplab.search-space';

export default definePlugin({ contributions: [autodeeplabSearchSpace] });
