import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ByteSource } from './byte-source';
import { PickleError, PyDict, readPickle } from './pickle.reader';

/** Pickles of one object with protocols 0–5, made by CPython (`__fixtures__/make-pickles.py`). */
const PICKLES: Record<string, string> = JSON.parse(fs.readFileSync(path.join(__dirname, '__fixtures__', 'pickles.json'), 'utf8'));

/** A source that hands the bytes over in chunks of `size`, so every opcode meets a chunk border somewhere. */
function chunked(bytes: Buffer, size: number): ByteSource {
  return new ByteSource(
    (async function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    })(),
    'test.pkl',
  );
}

describe('readPickle', () => {
  for (const [protocol, b64] of Object.entries(PICKLES)) {
    for (const chunk of [1 << 20, 7]) {
      it(`reads what CPython writes with protocol ${protocol} (chunks of ${chunk} bytes)`, async () => {
        const o = (await readPickle(chunked(Buffer.from(b64, 'base64'), chunk))) as PyDict;
        expect(o).toBeInstanceOf(PyDict);
        expect(o.get('small')).toBe(1);
        expect(o.get('neg')).toBe(-5);
        expect(o.get('i16')).toBe(40000);
        expect(o.get('i32')).toBe(100000);
        expect(o.get('big')).toBe(2n ** 70n);
        expect(o.get('negbig')).toBe(-(2n ** 65n));
        expect(o.get('float')).toBe(0.1);
        expect(o.get('str')).toBe('h\u00e9llo \u2603');
        // Protocols 0–2 write bytes as a call to _codecs.encode (a PyObject here); 3+ as bytes.
        if (Number(protocol) >= 3) expect(o.get('bytes')).toEqual(Buffer.from([0, 1, 255]));
        expect(o.get('none')).toBeNull();
        expect(o.get('t')).toBe(true);
        expect(o.get('f')).toBe(false);
        expect(o.get('tuple')).toEqual([1, 'a', 2.5]);
        expect(Object.isFrozen(o.get('tuple'))).toBe(true);
        expect(o.get('empty_tuple')).toEqual([]);
        expect(o.get('list')).toEqual(Array.from({ length: 1100 }, (_, i) => i));
        expect(o.get('set')).toEqual(new Set([1, 2]));
        expect(o.get('frozen')).toEqual(new Set([3]));
        const od = o.get('od') as PyDict;
        expect(od).toBeInstanceOf(PyDict);
        expect([...od.entries()]).toEqual([
          ['b', 1],
          ['a', 2],
        ]);
        const shared = o.get('shared') as unknown[][];
        expect(shared[0]).toEqual([7]);
        expect(shared[0]).toBe(shared[1]); // one object, through the memo
        const tk = o.get('tuple_key') as PyDict;
        expect([...tk.entries()]).toEqual([[[1, 2], 'x']]);
        expect(o.get('long_str')).toBe('x'.repeat(300));
        const many = o.get('many') as PyDict;
        expect(many.size).toBe(1050);
        expect(many.get('1049')).toBe(1049);
      });
    }
  }

  it('lets the reduce hook replace each completed dict, and keeps memo strings that later records share', async () => {
    const bytes = Buffer.from(PICKLES['2']!, 'base64');
    const seen: number[] = [];
    const o = (await readPickle(chunked(bytes, 64), {
      reduce: (d) => {
        seen.push(d.size);
        return d.has('b') && d.has('a') ? 'reduced' : d;
      },
    })) as PyDict;
    expect(o.get('od')).toBe('reduced');
    expect(seen).toContain(1050);
    expect(o.get('many')).toBeInstanceOf(PyDict);
  });

  it('fails with the byte offset on a truncated pickle', async () => {
    const bytes = Buffer.from(PICKLES['4']!, 'base64');
    await expect(readPickle(chunked(bytes.subarray(0, bytes.length - 100), 1000))).rejects.toThrow(/test\.pkl.*(ends|truncated)/);
  });

  it('refuses bytes that are not a pickle', async () => {
    await expect(readPickle(chunked(Buffer.from('PK\x03\x04 not a pickle'), 100))).rejects.toThrow(PickleError);
  });

  it('reads a file through ByteSource.ofFile, range by range', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-pickle-'));
    const file = path.join(dir, 'two.pkl');
    const one = Buffer.from(PICKLES['3']!, 'base64');
    fs.writeFileSync(file, Buffer.concat([one, one]));
    const src = ByteSource.ofFile(file);
    await readPickle(src);
    const second = (await readPickle(src)) as PyDict;
    expect(second.get('small')).toBe(1);
    expect(await src.atEnd()).toBe(true);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
