/**
 * @packageDocumentation
 * `@nasx/latency-model-measured`: the `measured` latency model — each architecture's network built
 * with `@nasx/tensor` and its inference timed on the local TensorFlow.js backend.
 */
import { definePlugin } from '@nasx/contracts';
import { measuredLatencyModel } from './measured/measured.latency-model';

export { MeasuredLatencyModel, createMeasuredLatencyModel, measuredLatencyModel } from './measured/measured.latency-model';
export { measuredSchema, type MeasuredOptions } from './measured/measured.schema';

export default definePlugin({ contributions: [measuredLatencyModel] });
