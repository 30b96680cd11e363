import { defineExecutor } from '@nasx/contracts';
import { bullmqSchema, type BullmqOptions } from './bullmq.schema';
import { BullmqExecutor } from './coordinator';
import { BullmqExecutorWorker } from './worker';

/**
 * The `bullmq` executor: a run's trials become BullMQ jobs on Redis, evaluated by `nasx worker`
 * processes on any machine that has the run's plugins and data. Results are told to the searcher in
 * proposal order by the kernel, so the run equals the in-process run of the same seed and
 * concurrency. A dead worker's job returns to the queue when its lease expires; a job Redis lost is
 * queued again; an answer arriving twice is taken once.
 */
export const bullmqExecutor = defineExecutor<BullmqOptions>({
  id: 'bullmq',
  title: 'BullMQ on Redis (nasx worker processes)',
  description: 'Evaluates a run’s trials on `nasx worker` processes anywhere, through BullMQ queues on a Redis server.',
  optionsSchema: bullmqSchema,
  create: (options, deps) => new BullmqExecutor(options, { dir: deps.configDir, pointer: '/executor/options' }, deps.logger),
  createWorker: (options, deps) => new BullmqExecutorWorker(options, { dir: deps.configDir }),
});
