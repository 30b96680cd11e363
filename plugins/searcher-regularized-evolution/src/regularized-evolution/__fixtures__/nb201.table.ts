// NAS-Bench-201 ground truth from the workspace's reference data (shared/data/nas-bench-201), for
// science tests: the toy space with 6 positions x 5 values is NB201's cell when value i on
// position e means op NB201_OPS[i] on edge e (edges in the arch-string order 1<-0, 2<-0, 2<-1,
// 3<-0, 3<-1, 3<-2). nb201Space() swaps in R_EA.py's mutate.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import type { Architecture, Rng, SearchSpace } from '@nasx/contracts';
import { toySpace, toyValues } from './toy.space';

export const NB201_OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3'] as const;

/**
 * The toy space as NB201's cell, with the mutation of NB201's R_EA.py (`mutate_arch_func`): a cell
 * node uniformly, then one of its input edges uniformly, then a different op. So edge 1<-0 is
 * picked with probability 1/3, each edge into node 2 with 1/6, each edge into node 3 with 1/9.
 */
export function nb201Space(): SearchSpace {
  const base = toySpace({ positions: 6, values: 5 });
  const edgesOfNode = [[0], [1, 2], [3, 4, 5]];
  return {
    ...base,
    mutate(arch: Architecture, rng: Rng): Architecture {
      const vs = [...toyValues(arch)];
      const edges = edgesOfNode[rng.int(3)] as number[];
      const e = edges[rng.int(edges.length)] as number;
      const op = rng.int(4);
      vs[e] = op >= (vs[e] as number) ? op + 1 : op;
      return base.validate({ space: base.id, genotype: vs, key: '' });
    },
  };
}

/** The official NB201 string of a toy architecture read as an NB201 cell. */
export function nb201String(arch: Architecture): string {
  const o = toyValues(arch).map((v) => NB201_OPS[v]);
  return `|${o[0]}~0|+|${o[1]}~0|${o[2]}~1|+|${o[3]}~0|${o[4]}~1|${o[5]}~2|`;
}

export interface Nb201Accuracies {
  /** CIFAR-10 validation accuracy after the 12-epoch schedule ("cifar10-valid", x-valid), mean over trials. */
  readonly valid12: number;
  /** CIFAR-10 test accuracy after 200 epochs (trained on train+valid), NATS-tss mean over trials. */
  readonly test200: number;
}

function readCsv(file: string): string[][] {
  return zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

/** Accuracies of all 15,625 cells by arch string. */
export function loadNb201(dataDir: string): Map<string, Nb201Accuracies> {
  const dir = path.join(dataDir, 'nas-bench-201');
  const [h12, ...r12] = readCsv(path.join(dir, 'nb201_acc_12ep_minibench.csv.gz'));
  const [h200, ...r200] = readCsv(path.join(dir, 'nb201_test_acc_200ep_nats.csv.gz'));
  const v12 = (h12 as string[]).indexOf('cifar10_valid_val_acc');
  const t200 = (h200 as string[]).indexOf('cifar10_test_acc');
  const out = new Map<string, Nb201Accuracies>();
  r12.forEach((row, i) => {
    const other = r200[i] as string[];
    if (row[1] !== other[1]) throw new Error(`NB201 tables disagree at row ${i}`);
    out.set(row[1] as string, { valid12: Number(row[v12]), test200: Number(other[t200]) });
  });
  return out;
}
