/**
 * @packageDocumentation
 * `@nasx/executor-bullmq`: the `bullmq` executor. A run sends its trials as BullMQ jobs through
 * Redis to `nasx worker` processes on any number of machines; results come back in proposal order.
 */
import { definePlugin } from '@nasx/contracts';
import { bullmqExecutor } from './bullmq/bullmq.executor';

export { bullmqExecutor } from './bullmq/bullmq.executor';
export { bullmqSchema, type BullmqOptions } from './bullmq/bullmq.schema';
export { maskedUrl, redisOptions } from './bullmq/connection';

export default definePlugin({ contributions: [bullmqExecutor] });
