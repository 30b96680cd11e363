/**
 * Trained GNN weights by trial, for parameter sharing: kept in memory (the most recent ones) and,
 * when the run has a state folder, in `<stateDir>/train-graph/<trial>.weights` so that worker
 * threads and a resumed run find the weights of a parent trained elsewhere.
 *
 * File: a 4-byte little-endian header length, a JSON header `{ genotype, tensors: [{ name, shape }] }`,
 * then the float32 values of each tensor in header order.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Json } from '@nasx/contracts';

export type Weights = Map<string, { readonly shape: readonly number[]; readonly values: Float32Array }>;

export interface StoredWeights {
  readonly genotype: Json;
  readonly weights: Weights;
}

/** Trials kept in memory (a parent is usually the current best, proposed again and again). */
const MEMORY = 32;

export class WeightStore {
  private readonly memory = new Map<number, StoredWeights>();

  private file(stateDir: string, trial: number): string {
    return path.join(stateDir, 'train-graph', `${trial}.weights`);
  }

  put(trial: number, stored: StoredWeights, stateDir: string | undefined): void {
    this.memory.delete(trial);
    this.memory.set(trial, stored);
    while (this.memory.size > MEMORY) this.memory.delete(this.memory.keys().next().value as number);
    if (!stateDir) return;
    const tensors = [...stored.weights.entries()].map(([name, w]) => ({ name, shape: w.shape }));
    const header = Buffer.from(JSON.stringify({ genotype: stored.genotype, tensors }), 'utf8');
    const parts = [Buffer.alloc(4), header, ...[...stored.weights.values()].map((w) => Buffer.from(w.values.buffer, w.values.byteOffset, w.values.byteLength))];
    parts[0]!.writeUInt32LE(header.length, 0);
    const file = this.file(stateDir, trial);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // Written whole, then renamed: a reader never sees half a file.
    const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat(parts));
    fs.renameSync(tmp, file);
  }

  get(trial: number, stateDir: string | undefined): StoredWeights | undefined {
    const held = this.memory.get(trial);
    if (held || !stateDir) return held;
    const file = this.file(stateDir, trial);
    if (!fs.existsSync(file)) return undefined;
    const buf = fs.readFileSync(file);
    const length = buf.readUInt32LE(0);
    const header = JSON.parse(buf.subarray(4, 4 + length).toString('utf8')) as { genotype: Json; tensors: { name: string; shape: number[] }[] };
    const weights: Weights = new Map();
    let at = 4 + length;
    for (const t of header.tensors) {
      const size = t.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(size);
      Buffer.from(values.buffer).set(buf.subarray(at, at + size * 4));
      at += size * 4;
      weights.set(t.name, { shape: t.shape, values });
    }
    const stored = { genotype: header.genotype, weights };
    this.memory.set(trial, stored);
    return stored;
  }
}
