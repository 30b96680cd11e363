#!/usr/bin/env node
// Builds a CIFAR-10 folder in the official binary layout (cifar-10-batches-bin/) from the PNG
// batches of Andrej Karpathy's ConvNetJS CIFAR-10 demo, for benches that want more real CIFAR-10
// images than the 2,000 of the CIFAR-10 sample.
//
//   node tools/bench/supernet/convnetjs-cifar10.cjs --labels cifar10_labels.js --out <dir>
//        cifar10_batch_0.png cifar10_batch_1.png … [cifar10_batch_50.png]
//
// Where the files are: the GitHub repository karpathy/convnetjs, folder demo/cifar10/, holds
// cifar10_batch_0.png … cifar10_batch_3.png (commit 39afa8cd5e4cfb5771dc8a1f51bc56aa080f0b51);
// cifar10_labels.js (`var labels=[…]`, the 50,000 training labels, then test images 0…999) and
// cifar10_batch_50.png are in copies of that demo such as larrabeew/covnetJS.
//
// The demo's layout: batch k is a 1024 × 1000 RGB PNG whose row i is image 1000·k + i of the
// concatenated pickles (data_batch_1 … data_batch_5, then test_batch), pixel j of the row the
// image's pixel (y, x) = (⌊j/32⌋, j mod 32). Batches 0–49 are training images, batch 50 the first
// 1,000 test images. Training images are spread evenly over data_batch_1.bin … data_batch_5.bin,
// test images go to test_batch.bin: 3,073-byte records, a label byte, then the R, G and B planes.
'use strict';
const fs = require('node:fs');
const zlib = require('node:zlib');
const { converterArgs, readConvnetjsLabels, writeBinaryLayout } = require('./cifar10-layout.cjs');

const { argv, fail, take } = converterArgs('convnetjs-cifar10');
const labelsFile = take('--labels');
const out = take('--out');
const pngs = argv;
if (pngs.length === 0) fail('name at least one cifar10_batch_<k>.png');

/** RGB pixels (row-major, 3 bytes each) of an 8-bit, non-interlaced RGB or RGBA PNG. */
function decodePng(file) {
  const buf = fs.readFileSync(file);
  if (buf.length < 8 || buf.readUInt32BE(0) !== 0x89504e47) fail(`${file} is not a PNG`);
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colour, , , interlace] = data.subarray(8, 13);
      channels = colour === 2 ? 3 : colour === 6 ? 4 : 0;
      if (depth !== 8 || channels === 0 || interlace !== 0)
        fail(`${file}: only 8-bit non-interlaced RGB/RGBA PNGs are read (depth ${depth}, colour type ${colour}, interlace ${interlace})`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    pos += 12 + len;
  }
  const raw = zlib.inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  if (raw.length !== height * (stride + 1)) fail(`${file}: image data is ${raw.length} bytes, expected ${height * (stride + 1)}`);
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = px.subarray(y * stride, (y + 1) * stride);
    const prev = y > 0 ? px.subarray((y - 1) * stride, y * stride) : Buffer.alloc(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels] : 0;
      const b = prev[i];
      const c = i >= channels ? prev[i - channels] : 0;
      let p;
      if (filter === 0) p = 0;
      else if (filter === 1) p = a;
      else if (filter === 2) p = b;
      else if (filter === 3) p = (a + b) >> 1;
      else if (filter === 4) {
        const e = a + b - c;
        const pa = Math.abs(e - a);
        const pb = Math.abs(e - b);
        const pc = Math.abs(e - c);
        p = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      } else fail(`${file}: unknown PNG filter ${filter} on row ${y}`);
      cur[i] = (line[i] + p) & 0xff;
    }
  }
  return { width, height, channels, px };
}

const labels = readConvnetjsLabels(labelsFile, fail);

const train = [];
const test = [];
for (const file of pngs) {
  const k = Number(/cifar10_batch_(\d+)\.png$/.exec(file)?.[1]);
  if (!Number.isInteger(k) || k < 0 || k > 50) fail(`${file}: the name must be cifar10_batch_<0…50>.png`);
  const { width, height, channels, px } = decodePng(file);
  if (width !== 1024 || height !== 1000) fail(`${file} is ${width} × ${height}, expected 1024 × 1000`);
  for (let i = 0; i < 1000; i++) {
    const rec = Buffer.alloc(3073);
    rec[0] = labels[1000 * k + i];
    for (let j = 0; j < 1024; j++) for (let ch = 0; ch < 3; ch++) rec[1 + ch * 1024 + j] = px[(i * 1024 + j) * channels + ch];
    (k === 50 ? test : train).push(rec);
  }
}
if (train.length === 0) fail('no training batch (cifar10_batch_0 … 49) given');

const dir = writeBinaryLayout(out, train, test);
console.error(`convnetjs-cifar10: ${train.length} training and ${test.length} test images → ${dir}`);
