/**
 * The dense NB201 network and the Wide ResNet against NAS-Bench-360's own PyTorch modules: the same
 * weights (their state_dict, loaded by name) give the same outputs, in evaluation mode (running
 * statistics) and in training mode (batch statistics). Fixture: tools/scripts/nb360-torch-fixtures.py
 * (darcyflow `TinyNetwork` C=4 N=1 for two cells, `backbone_grid_wrn.Backbone` WRN-10-1; 2×3×8×8 input, 2 output channels).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Architecture } from '@nasx/contracts';
import { closeness } from '../__fixtures__/backends';
import { initTensorBackend } from '../backend/backend';
import { tf } from '../tf';
import { wrnArchitecture } from '../wrn/wrn.network';
import { buildNetwork } from './builders';

interface Case {
  name: string;
  inputShape: number[];
  input: string;
  state: { [key: string]: { shape: number[]; data: string } };
  eval: string;
  train: string;
  outputShape: number[];
  ops?: number[];
  macro?: { channels: number; cellsPerStage: number };
  depth?: number;
  widen?: number;
  numClasses: number;
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '__fixtures__', 'nb360-torch.json'), 'utf8')) as { source: string; cases: Case[] };
const f32 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};
/** float16 little-endian → float32 (the fixture stores weights as float16). */
const f16 = (b64: string) => {
  const b = Buffer.from(b64, 'base64');
  const out = new Float32Array(b.length / 2);
  for (let i = 0; i < out.length; i++) {
    const h = b.readUInt16LE(2 * i);
    const s = h & 0x8000 ? -1 : 1;
    const e = (h >> 10) & 0x1f;
    const m = h & 0x3ff;
    out[i] = e === 0 ? s * 2 ** -14 * (m / 1024) : e === 31 ? (m ? NaN : s * Infinity) : s * 2 ** (e - 15) * (1 + m / 1024);
  }
  return out;
};

describe(`dense NB201 and WRN equal NAS-Bench-360's PyTorch modules (${fixture.source})`, () => {
  beforeAll(async () => {
    await initTensorBackend('wasm');
  });

  for (const c of fixture.cases) {
    it(`${c.name}: every parameter and buffer matches by name; eval and train outputs agree`, () => {
      const [, channels, h, w] = c.inputShape as [number, number, number, number];
      const arch: Architecture = c.ops ? { space: 'nb201', genotype: { ops: c.ops }, key: c.ops.join('') } : wrnArchitecture(c.depth, c.widen);
      const net = buildNetwork(arch, {
        numClasses: c.numClasses,
        inputShape: [channels, h, w],
        outputShape: [c.numClasses, h, w],
        ...(c.macro ? { macro: c.macro } : {}),
      });
      const ours = new Set([...net.parameters.keys(), ...net.buffers.keys()]);
      const theirs = new Set(Object.keys(c.state));
      expect([...ours].filter((k) => !theirs.has(k))).toEqual([]);
      expect([...theirs].filter((k) => !ours.has(k))).toEqual([]);
      for (const [key, { shape, data }] of Object.entries(c.state)) {
        const v = (net.parameters.get(key) ?? net.buffers.get(key))!;
        const t = tf.tidy(() => {
          const raw = tf.tensor(f16(data), shape);
          // PyTorch layouts → nasx's: conv OIHW → HWIO; linear [out, in] → [in, out].
          return shape.length === 4 ? tf.transpose(raw, [2, 3, 1, 0]) : shape.length === 2 ? tf.transpose(raw) : raw;
        });
        expect(t.shape).toEqual(v.shape);
        v.assign(t);
        t.dispose();
      }
      const x = tf.tensor4d(f32(c.input), c.inputShape as [number, number, number, number]);
      for (const mode of ['eval', 'train'] as const) {
        const out = net.forward(x, { training: mode === 'train' });
        const want = f32(c[mode]);
        expect(out.shape).toEqual([c.outputShape[0], want.length / c.outputShape[0]!]);
        expect(closeness(out.dataSync(), want, 1e-4, 1e-3)).toBeLessThanOrEqual(1);
        out.dispose();
      }
      x.dispose();
      net.dispose();
    });
  }
});
