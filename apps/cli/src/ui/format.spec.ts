import type { TopTrial } from '@nasx/kernel';
import { outputWidth, table } from './format';
import { displayWidth, fitText, wrapText } from './text-width';
import { archLine, metricsTable, topTable } from './top-table';

describe('displayWidth', () => {
  it('counts columns, not code units: … and box drawing are one, CJK and emoji two, ANSI codes and combining marks none', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('…─█░±τρ')).toBe(7);
    expect(displayWidth('卷积')).toBe(4);
    expect(displayWidth('🚀x')).toBe(3);
    expect(displayWidth('\x1b[31mred\x1b[0m')).toBe(3);
    expect(displayWidth('e\u0301')).toBe(1);
  });
});

describe('fitText', () => {
  const arch = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

  it('leaves text that fits alone', () => {
    expect(fitText(arch, arch.length, 'middle')).toBe(arch);
  });

  it.each([1, 2, 12, 30, 60])('cuts to %i columns: at the end, or in the middle keeping both ends', (w) => {
    const end = fitText(arch, w);
    const middle = fitText(arch, w, 'middle');
    expect(displayWidth(end)).toBe(w);
    expect(displayWidth(middle)).toBe(w);
    expect(end.endsWith('…')).toBe(true);
    if (w >= 12) {
      expect(arch.startsWith(middle.slice(0, middle.indexOf('…')))).toBe(true);
      expect(arch.endsWith(middle.slice(middle.indexOf('…') + 1))).toBe(true);
      expect(middle.slice(middle.indexOf('…') + 1).length).toBeGreaterThan(0);
    }
  });

  it('never splits a wide character over the limit', () => {
    expect(displayWidth(fitText('卷积卷积卷积', 6))).toBeLessThanOrEqual(6);
    expect(displayWidth(fitText('卷积卷积卷积', 6, 'middle'))).toBeLessThanOrEqual(6);
  });
});

/** Two NB201 cells that differ only at the end: an elided column must keep them apart. */
const ARCHS = [
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|',
  '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|',
  '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
];
const top: TopTrial[] = ARCHS.map((text, i) => ({
  trial: i * 7,
  arch: { space: 'nb201', genotype: null, key: text },
  text,
  objective: 90 - i,
  estimate: { metrics: { val_acc: 90 - i, val_loss: 0.3123 + i, naswot: 1612.5 - i, params: 0.8031, flops: 12.4 }, cost: { seconds: 12.3 } },
}));

describe.each([60, 80, 120])('tables at %i columns', (width) => {
  const lines = (text: string): string[] => text.split('\n');

  it('the top-K table fits, rows are never wrapped, and the architectures stay distinguishable', () => {
    const out = topTable(top, width);
    const rows = lines(out);
    for (const l of rows) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    // Header "top 3", the header row, the rule, three rows; in a narrow terminal, a last line
    // names the metrics left out to give the architecture room.
    expect(rows.length).toBe(width >= 120 ? 6 : 7);
    if (width < 120) expect(rows[6]).toMatch(/^ {2}\(not shown at this width: .*flops\)$/);
    const shown = rows.slice(3, 6).map(
      (l) =>
        l
          .trim()
          .split(/\s{2,}/)
          .at(-1) as string,
    );
    expect(new Set(shown).size).toBe(3);
    for (const [i, s] of shown.entries()) {
      const full = ARCHS[i] as string;
      if (s.includes('…')) {
        const [front, back] = s.split('…') as [string, string];
        expect(full.startsWith(front)).toBe(true);
        expect(full.endsWith(back)).toBe(true);
      } else expect(s).toBe(full);
    }
    // Every metric column is still there.
    for (const m of ['rank', 'trial', 'val_acc']) expect(rows[1]).toContain(m);
  });

  it('a table with long text columns (nasx plugins) fits by cutting the widest column', () => {
    const rows = [
      [
        'estimator',
        'naswot',
        'NASWOT: the log-determinant of the binary-code kernel of ReLU activations (Mellor et al. 2021)',
        '@nasx/estimator-zero-cost@0.1.0',
      ],
      ['searcher', 'assisted-regularized-evolution', 'Assisted regularized evolution (AREA)', '@nasx/searcher-regularized-evolution@0.1.0'],
    ];
    const out = table(['kind', 'id', 'title', 'package'], rows, { width });
    for (const l of lines(out)) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    expect(lines(out)).toHaveLength(4);
    expect(lines(out)[2]).toMatch(/^estimator {2}/);
  });

  it('the metrics table and an architecture line fit', () => {
    for (const l of lines(metricsTable(top[0]!.estimate.metrics, width))) expect(displayWidth(l)).toBeLessThanOrEqual(width);
    const line = archLine('best (trial 0): ', ARCHS[0] as string, width);
    expect(displayWidth(line)).toBeLessThanOrEqual(width);
    expect(line.startsWith('best (trial 0): |nor_conv_3x3~0|')).toBe(true);
    expect(line.endsWith('skip_connect~2|')).toBe(true);
  });
});

describe('table', () => {
  it('is unchanged without a width, and when it fits', () => {
    const rows = [
      ['1', '0.5'],
      ['10', '0.25'],
    ];
    const plain = table(['n', 'value'], rows);
    expect(plain).toBe(['n   value', '──  ─────', '1   0.5', '10  0.25'].join('\n'));
    expect(table(['n', 'value'], rows, { width: 80 })).toBe(plain);
  });

  it('cuts whole lines as a last resort in a terminal too narrow for any column', () => {
    const out = table(['a', 'b', 'c', 'd', 'e'], [['x'.repeat(20), 'y'.repeat(20), 'z'.repeat(20), 'w'.repeat(20), 'v'.repeat(20)]], { width: 20 });
    for (const l of out.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(20);
  });
});

describe('outputWidth', () => {
  it('is COLUMNS when set, else the terminal width, else 100', () => {
    expect(outputWidth({ COLUMNS: '72' }, 200)).toBe(72);
    expect(outputWidth({}, 132)).toBe(132);
    expect(outputWidth({}, undefined)).toBe(100);
    expect(outputWidth({ COLUMNS: 'wide' }, undefined)).toBe(100);
  });
});

describe('wrapText', () => {
  it('wraps prose at spaces with an indent, leaves lines that fit alone, and never splits a word', () => {
    const text = 'pipeline: space=nb201, estimator=synthetic, searcher=regularized-evolution; seed 0; maximize synthetic\n  a  table  row';
    const out = wrapText(text, 40);
    for (const l of out.split('\n')) expect(displayWidth(l)).toBeLessThanOrEqual(40);
    expect(out.split('\n')).toEqual([
      'pipeline: space=nb201,',
      '  estimator=synthetic,',
      '  searcher=regularized-evolution; seed',
      '  0; maximize synthetic',
      '  a  table  row',
    ]);
    const path = `run folder: ${'x'.repeat(50)} (nasx report)`;
    expect(wrapText(path, 40).split('\n')).toEqual(['run folder:', `  ${'x'.repeat(50)}`, '  (nasx report)']);
  });
});
