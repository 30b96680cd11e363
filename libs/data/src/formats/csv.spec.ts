import { NasxError } from '@nasx/contracts';
import { parseCsv } from './csv';

function catchNasxError(f: () => unknown): NasxError {
  try {
    f();
  } catch (e) {
    if (e instanceof NasxError) return e;
    throw e;
  }
  throw new Error('expected a NasxError');
}

describe('parseCsv', () => {
  it('reads requested number and string columns and skips the rest', () => {
    const csv = parseCsv('index,arch_str,acc,other\n0,|a|,94.37333333333333,x\n1,|b|,,y\n', 't.csv', { index: 'number', arch_str: 'string', acc: 'number' });
    expect(csv.header).toEqual(['index', 'arch_str', 'acc', 'other']);
    expect(csv.rows).toBe(2);
    expect([...csv.numbers.get('index')!]).toEqual([0, 1]);
    expect(csv.strings.get('arch_str')).toEqual(['|a|', '|b|']);
    const acc = csv.numbers.get('acc')!;
    expect(acc[0]).toBe(94.37333333333333); // Python repr round-trips bit for bit
    expect(Number.isNaN(acc[1])).toBe(true); // empty field = missing
    expect(csv.numbers.has('other')).toBe(false);
  });

  it('handles CRLF, a missing final newline, trailing blank lines, a BOM, quotes and nan', () => {
    const text = '\ufeffa,b\r\n1,"x, ""y"""\r\nnan,z\r\n\r\n';
    const csv = parseCsv(text, 't.csv', { a: 'number', b: 'string' });
    expect(csv.rows).toBe(2);
    expect(csv.strings.get('b')).toEqual(['x, "y"', 'z']);
    expect(Number.isNaN(csv.numbers.get('a')![1])).toBe(true);
    expect(parseCsv('a,b\n1,2', 't.csv', { b: 'number' }).numbers.get('b')![0]).toBe(2);
  });

  it('names file and line for malformed rows', () => {
    const short = catchNasxError(() => parseCsv('a,b\n1,2\n3\n', 'bad.csv', { a: 'number' }));
    expect(short.kind).toBe('data');
    expect(short.where).toMatchObject({ file: 'bad.csv', line: 3 });
    const notNumber = catchNasxError(() => parseCsv('a,b\n1,2\nfoo,4\n', 'bad.csv', { a: 'number' }));
    expect(notNumber.message).toMatch(/"a" holds "foo"/);
    expect(notNumber.where.line).toBe(3);
    expect(catchNasxError(() => parseCsv('a\n1\n', 'bad.csv', { b: 'number' })).message).toMatch(/no column "b"/);
    expect(catchNasxError(() => parseCsv('a,b\n1,2,3\n', 'bad.csv', { a: 'number' })).message).toMatch(/more than the 2 fields/);
  });
});
