import { NasxError } from './errors';
import { formatOperatorTable, operatorKey, parseOperatorTable } from './operator-table';

describe('operator tables', () => {
  const mb = { op: 'mbconv', attrs: { input: [16, 112, 112], cout: 24, kernel: 3, stride: 2, expansion: 6, se: 0, skip: 'none' } };

  it('keys an operator by every attribute that changes its cost', () => {
    expect(operatorKey(mb)).toBe('mbconv in=16x112x112 out=24 k=3 s=2 e=6 se=0 skip=none act=relu');
    expect(operatorKey({ ...mb, attrs: { ...mb.attrs, kernel: 5 } })).not.toBe(operatorKey(mb));
    expect(operatorKey({ ...mb, attrs: { ...mb.attrs, input: [16, 56, 56] } })).not.toBe(operatorKey(mb));
    expect(operatorKey({ op: 'global_pool', attrs: { input: [1280, 7, 7] } })).toBe('global_pool in=1280x7x7');
  });

  it('refuses a node without an input shape', () => {
    expect(() => operatorKey({ op: 'conv', attrs: { cout: 8 } })).toThrow(NasxError);
  });

  it('round-trips a table with its metadata', () => {
    const text = formatOperatorTable({ device: 'local-wasm', backend: 'tfjs 4.22.0 wasm', batch: 1 }, [{ key: operatorKey(mb), ms: 1.25, samples: 20 }]);
    const back = parseOperatorTable(text, 't.csv');
    expect(back.meta).toEqual({ device: 'local-wasm', backend: 'tfjs 4.22.0 wasm', batch: 1 });
    expect(back.rows).toEqual([{ key: operatorKey(mb), ms: 1.25, samples: 20 }]);
  });

  it('names the file and line of a malformed row or a negative latency', () => {
    const head = '# device: d\n# backend: b\n# batch: 1\nkey,latency_ms,samples\n';
    expect(() => parseOperatorTable(`${head}"conv in=3x8x8",-1,3\n`, 't.csv')).toThrow(/t\.csv, line 5/);
    expect(() => parseOperatorTable(`${head}conv,1\n`, 't.csv')).toThrow(/t\.csv, line 5/);
    expect(() => parseOperatorTable('a,b\n', 'x.csv')).toThrow(/x\.csv, line 1: expected the header/);
    expect(() => parseOperatorTable('key,latency_ms,samples\n', 'y.csv')).toThrow(/no "# device/);
  });
});
