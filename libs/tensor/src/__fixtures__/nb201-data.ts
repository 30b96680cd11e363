import * as path from 'node:path';
import type { Architecture } from '@nasx/contracts';
import { NB201_CELL_OPS } from '../nb201/nb201.network';

/** Rows of a reference-data CSV (gzipped if `.gz`). */
export { readCsvFile as readCsv } from '@nasx/testing';

/** The 6 op indices of an official arch string `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`. */
export function opsOfArchString(s: string): number[] {
  const ops = s
    .split('+')
    .flatMap((node) => node.split('|').filter((t) => t.length > 0))
    .map((token) => NB201_CELL_OPS.indexOf(token.split('~')[0] as (typeof NB201_CELL_OPS)[number]));
  if (ops.length !== 6 || ops.some((o) => o < 0)) throw new Error(`bad arch string ${s}`);
  return ops;
}

/** An nb201 Architecture from op indices (key: the ops, not canonicalised — enough for tests). */
export function nb201Arch(ops: readonly number[]): Architecture {
  return { space: 'nb201', genotype: { ops: [...ops] }, key: `nb201:${ops.join('')}` };
}

/** The NB201 tables folder under a shared data directory. */
export const nb201Table = (dataDir: string, file: string): string => path.join(dataDir, 'nas-bench-201', file);
