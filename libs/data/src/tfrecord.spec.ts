import { isNasxError, type NasxError } from '@nasx/contracts';
import { crc32c, maskCrc32c } from './crc32c';
import { encodeTfRecord, readTfRecords, type TfRecord } from './tfrecord';

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** The stream in chunks of the given sizes (the last one takes the rest). */
async function* chunked(data: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for (const size of sizes) {
    if (pos >= data.length) return;
    yield data.subarray(pos, pos + size);
    pos += size;
  }
  if (pos < data.length) yield data.subarray(pos);
}

async function readAll(data: Uint8Array, sizes: readonly number[] = [data.length]): Promise<{ data: string; offset: number; index: number }[]> {
  const out: { data: string; offset: number; index: number }[] = [];
  for await (const r of readTfRecords(chunked(data, sizes), { name: 'test.tfrecord' })) out.push({ ...r, data: Buffer.from(r.data).toString('latin1') });
  return out;
}

async function failure(data: Uint8Array, sizes?: readonly number[]): Promise<NasxError> {
  const e = await readAll(data, sizes).then(
    () => undefined,
    (x: unknown) => x,
  );
  if (!isNasxError(e)) throw new Error(`expected a NasxError, got ${String(e)}`);
  return e;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts));
}

describe('crc32c', () => {
  it('gives the standard check value and the RFC 3720 (iSCSI) test vectors', () => {
    expect(crc32c(text('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('continues over split input and agrees with the byte-at-a-time tail on every length', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff);
    const whole = crc32c(data);
    for (let cut = 0; cut <= data.length; cut += 7) expect(crc32c(data, cut, data.length, crc32c(data, 0, cut))).toBe(whole);
  });

  it('masks as TensorFlow does (rotate right 15, add 0xa282ead8)', () => {
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskCrc32c(0x00008000)).toBe((1 + 0xa282ead8) >>> 0);
  });
});

describe('readTfRecords', () => {
  // Framed by the pure-Python writer of the NB101 fixture script (masked CRC-32C as in TensorFlow).
  const HELLO = bytes('0500000000000000eab2043e68656c6c6fbb1f1c19');
  const EMPTY_RECORD = bytes('000000000000000029039807d8ea82a2');

  it('reads records framed by an independent writer, and frames them identically', async () => {
    expect(await readAll(concat([HELLO, EMPTY_RECORD, HELLO]))).toEqual([
      { data: 'hello', offset: 0, index: 0 },
      { data: '', offset: 21, index: 1 },
      { data: 'hello', offset: 37, index: 2 },
    ]);
    expect(Buffer.from(encodeTfRecord(text('hello'))).toString('hex')).toBe(Buffer.from(HELLO).toString('hex'));
    expect(Buffer.from(encodeTfRecord(new Uint8Array(0))).toString('hex')).toBe(Buffer.from(EMPTY_RECORD).toString('hex'));
    expect(await readAll(new Uint8Array(0))).toEqual([]);
  });

  it('gives the same records whatever the chunking (records split across 1-byte to many-kB chunks)', async () => {
    const payloads = Array.from({ length: 40 }, (_, i) => 'x'.repeat((i * 97) % 3000) + String(i));
    const file = concat(payloads.map((p) => encodeTfRecord(text(p))));
    const expected = await readAll(file);
    expect(expected.map((r) => r.data)).toEqual(payloads);
    for (const sizes of [Array(file.length).fill(1), [5, 7, 11, 13], Array(200).fill(333), [12, 4000, 1, 1, 1, 9000]]) {
      expect(await readAll(file, sizes)).toEqual(expected);
    }
  });

  it('names the byte offset of a corrupted length, a corrupted payload and a corrupted CRC', async () => {
    const file = concat([HELLO, HELLO, HELLO]);
    const badLength = file.slice();
    badLength[21] = 6; // record 1 says 6 bytes
    const e1 = await failure(badLength);
    expect(e1.kind).toBe('data');
    expect(e1.message).toMatch(
      /^test\.tfrecord: corrupt at byte offset 21: the length CRC of record 1 does not match \(stored 0x3e04b2ea, computed 0x[0-9a-f]{8}\)$/,
    );
    expect(e1.where.file).toBe('test.tfrecord');
    expect(e1.fix).toMatch(/obtain an intact copy/);
    const badData = file.slice();
    badData[21 + 12 + 1]! ^= 0x20; // 'hEllo'
    expect((await failure(badData, [3, 3, 3])).message).toMatch(
      /corrupt at byte offset 33: the data CRC of record 1 \(header at byte offset 21, 5 bytes\) does not match/,
    );
    const badCrc = file.slice();
    badCrc[42 + 17 + 3]! ^= 1;
    expect((await failure(badCrc)).message).toMatch(/corrupt at byte offset 54: the data CRC of record 2/);
  });

  it('names the offset where a truncated stream ends, inside the header or the payload', async () => {
    const file = concat([HELLO, HELLO]);
    expect((await failure(file.subarray(0, 30))).message).toBe(
      'test.tfrecord: truncated: the stream ends at byte offset 30, inside record 1 (which starts at byte offset 21; 9 bytes of its 12-byte header are present)',
    );
    expect((await failure(file.subarray(0, 40), [1, 2, 3])).message).toBe(
      'test.tfrecord: truncated: the stream ends at byte offset 40, inside record 1 (which starts at byte offset 21; 19 bytes of its 21 bytes are present)',
    );
  });

  it('stops when the signal aborts', async () => {
    const ac = new AbortController();
    const seen: TfRecord[] = [];
    const file = concat([HELLO, HELLO, HELLO]);
    const run = (async () => {
      for await (const r of readTfRecords(chunked(file, [21, 21, 21]), { name: 't', signal: ac.signal })) {
        seen.push(r);
        ac.abort(new Error('stop'));
      }
    })();
    await expect(run).rejects.toThrow('stop');
    expect(seen).toHaveLength(1);
  });
});
