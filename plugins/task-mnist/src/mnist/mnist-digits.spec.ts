import { isNasxError } from '@nasx/contracts';
import { parseDigitFile, readMnistDigits } from './mnist-digits';

const enc = (s: string) => new TextEncoder().encode(s);
const values = (n: number, v = '0.5') => Array.from({ length: n }, () => v).join(',');

describe('parseDigitFile', () => {
  it('turns byte/255 values back into bytes', () => {
    const out = parseDigitFile(enc(`{ "data": [${values(783, '0')},0.992] }`), 'x.json');
    expect(out.length).toBe(784);
    expect(out[783]).toBe(253);
    expect(parseDigitFile(enc(`{"data":[1,${values(783, '0.004')}]}`), 'x.json')[1]).toBe(1);
  });

  it.each([
    ['no array', '{"data": 3}', /no "data" array/],
    ['a wrong count', `{"data":[${values(785)}]}`, /785 values, not a positive multiple of 784/],
    ['a value above 1', `{"data":[${values(783)},1.5]}`, /outside \[0, 1\]/],
    ['a stray character', `{"data":[${values(783)},-0.5]}`, /unexpected character "-"/],
    ['an empty value', `{"data":[${values(783)},,0.5]}`, /missing value/],
  ])('refuses %s with a data error naming the file', (_what, text, message) => {
    let error: unknown;
    try {
      parseDigitFile(enc(text), '/somewhere/3.json');
    } catch (e) {
      error = e;
    }
    expect(isNasxError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toContain('/somewhere/3.json');
    expect((error as { kind: string }).kind).toBe('data');
  });

  it('names the folder when the digit files are missing', () => {
    expect(() => readMnistDigits('/nonexistent-mnist')).toThrow(/cannot read the MNIST digits file \/nonexistent-mnist\/0.json/);
  });
});
