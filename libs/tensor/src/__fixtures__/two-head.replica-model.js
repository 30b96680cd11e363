// A replica model for the data-parallel specs: global average pooling, then one of two linear
// heads chosen by the step's args ({ head: 'a' | 'b' }), as a supernet samples one path per step;
// the other head gets no gradient. `failAt` makes replica `failReplica` throw (or exit its thread,
// `failHow: 'exit'`) in the forward pass of its `failAt`-th step.
'use strict';
const tf = require('@tensorflow/tfjs-core');
const { threadId } = require('node:worker_threads');
const { workerData } = require('node:worker_threads');

exports.createReplicaModel = function createReplicaModel(options) {
  const channels = options.channels;
  const classes = options.classes;
  const init = (seed, shape) => tf.variable(tf.randomUniform(shape, -0.5, 0.5, 'float32', seed), true, `${seed}-${threadId}`);
  const parameters = new Map([
    ['a.weight', init(1, [channels, classes])],
    ['a.bias', init(2, [classes])],
    ['b.weight', init(3, [channels, classes])],
    ['b.bias', init(4, [classes])],
  ]);
  let forwards = 0;
  return {
    parameters,
    buffers: new Map(),
    numClasses: classes,
    forward(x, args) {
      forwards++;
      if (options.failAt !== undefined && workerData.index === options.failReplica && forwards === options.failAt) {
        if (options.failHow === 'exit') process.exit(3);
        throw new Error(`test fault in forward pass ${forwards}`);
      }
      const head = args && args.head === 'b' ? 'b' : 'a';
      const pooled = tf.mean(x, [2, 3]);
      return tf.add(tf.matMul(pooled, parameters.get(`${head}.weight`)), parameters.get(`${head}.bias`));
    },
    dispose() {
      tf.dispose([...parameters.values()]);
    },
  };
};
