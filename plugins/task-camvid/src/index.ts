/**
 * @packageDocumentation
 * `@nasx/task-camvid`: the `camvid` task (CamVid semantic segmentation, 11 classes + void, mean IoU).
 */
import { definePlugin } from '@nasx/contracts';
import { camvidTask } from './camvid/camvid.task';

export {
  CAMVID_CLASSES,
  CAMVID_HEADER,
  CAMVID_VOID,
  camvidTask,
  readCamvid,
  type CamvidFiles,
  type CamvidOptions,
  type CamvidPart,
  type CamvidTask,
} from './camvid/camvid.task';

export default definePlugin({ contributions: [camvidTask] });
