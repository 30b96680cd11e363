// What the CIFAR-10 converters (convnetjs-cifar10.cjs, jpeg-cifar10.cjs) share: their error exit
// and flag reading, the ConvNetJS demo's label list and writing records in the official binary
// layout.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];

/**
 * The command line of converter `name`: `fail(message)` prints `<name>: message` and exits 2;
 * `take(flag, required = true)` removes `flag <value>` from `argv` and returns the value (a missing
 * required flag fails); `argv` keeps what is left (positional arguments).
 */
function converterArgs(name) {
  const argv = process.argv.slice(2);
  const fail = (msg) => {
    console.error(`${name}: ${msg}`);
    process.exit(2);
  };
  const take = (flag, required = true) => {
    const i = argv.indexOf(flag);
    if (i < 0 || i + 1 >= argv.length) {
      if (required) fail(`give ${flag} <path>`);
      return undefined;
    }
    return argv.splice(i, 2)[1];
  };
  return { argv, fail, take };
}

/**
 * The 51,000 labels of the ConvNetJS demo's cifar10_labels.js (`var labels=[…]`: the 50,000
 * training labels in the official order, then test images 0…999); `fail(message)` on a bad file.
 */
function readConvnetjsLabels(file, fail) {
  if (!fs.existsSync(file)) fail(`${file} does not exist: give the ConvNetJS demo's cifar10_labels.js`);
  const m = /\[([\d,\s]+)\]/.exec(fs.readFileSync(file, 'utf8'));
  if (!m) fail(`${file} holds no label list ("var labels=[…]")`);
  const labels = m[1].split(',').map(Number);
  if (labels.length !== 51000) fail(`${file} holds ${labels.length} labels, expected 51,000 (50,000 training, then 1,000 test)`);
  return labels;
}

/**
 * Writes <out>/cifar-10-batches-bin/: the training records (3,073 bytes: a label byte, then the
 * R, G and B planes) spread in order over data_batch_1.bin … data_batch_5.bin, the test records in
 * test_batch.bin, and batches.meta.txt. Returns the folder.
 */
function writeBinaryLayout(out, train, test) {
  const dir = path.join(out, 'cifar-10-batches-bin');
  fs.mkdirSync(dir, { recursive: true });
  const per = Math.ceil(train.length / 5);
  for (let b = 0; b < 5; b++) fs.writeFileSync(path.join(dir, `data_batch_${b + 1}.bin`), Buffer.concat(train.slice(b * per, (b + 1) * per)));
  fs.writeFileSync(path.join(dir, 'test_batch.bin'), Buffer.concat(test));
  fs.writeFileSync(path.join(dir, 'batches.meta.txt'), `${CLASSES.join('\n')}\n`);
  return dir;
}

module.exports = { CLASSES, converterArgs, readConvnetjsLabels, writeBinaryLayout };
