import { NasxError } from '@nasx/contracts';
import { crc32c, maskCrc32c } from './crc32c';

/**
 * TFRecord files without TensorFlow. Each record is framed as
 * `uint64 length | uint32 masked CRC-32C of the length | data | uint32 masked CRC-32C of the data`,
 * all little-endian (tensorflow/core/lib/io/record_writer.cc). Reading streams: memory holds one
 * input chunk and at most one partial record, never the file (NAS-Bench-101's release is 1.95 GB).
 */

/** One record of a TFRecord stream. */
export interface TfRecord {
  /**
   * The record's bytes: a view into the reader's buffer, valid until the next record is read
   * (copy it with `slice()` to keep it).
   */
  readonly data: Uint8Array;
  /** Byte offset of the record's header in the stream. */
  readonly offset: number;
  /** 0-based index of the record in the stream. */
  readonly index: number;
}

/** Options of {@link readTfRecords}. */
export interface ReadTfRecordsOptions {
  /** Name of the stream for error messages (usually its file path). */
  readonly name: string;
  /** Checked once per input chunk; aborting ends the read with the signal's reason. */
  readonly signal?: AbortSignal;
  /** The fix printed with a corruption or truncation error (default: obtain an intact copy). */
  readonly fix?: string;
}

const HEADER = 12;
const FOOTER = 4;
/** Records larger than this are refused (a length this large in a file with valid CRCs is not a record we can hold). */
const MAX_RECORD = 0x7fff_ffff;
const EMPTY: Uint8Array = new Uint8Array(0);

function u32(b: Uint8Array, i: number): number {
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
}

const hex = (x: number): string => `0x${x.toString(16).padStart(8, '0')}`;

/**
 * Reads the records of a TFRecord byte stream (e.g. `fs.createReadStream(file)`), checking both
 * CRCs of every record. A CRC mismatch, a length that does not fit, or a stream that ends inside a
 * record throws `NasxError('data')` naming the stream and the byte offset.
 *
 * @example
 * for await (const rec of readTfRecords(fs.createReadStream(file), { name: file })) use(rec.data);
 */
export async function* readTfRecords(source: AsyncIterable<Uint8Array>, options: ReadTfRecordsOptions): AsyncGenerator<TfRecord, void, undefined> {
  const { name, signal } = options;
  const fix = options.fix ?? 'the file is damaged or incomplete: obtain an intact copy (download it again and compare its checksum)';
  const fail = (message: string): NasxError => new NasxError('data', `${name}: ${message}`, { file: name, fix });
  let buf: Uint8Array = EMPTY;
  let pos = 0;
  /** Stream offset of buf[0]. */
  let base = 0;
  /** Chunks received while the pending record is incomplete, and how many bytes it needs. */
  const waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  let need = HEADER;
  let index = 0;
  for await (const chunk of source) {
    signal?.throwIfAborted();
    if (chunk.length === 0) continue;
    if (pos === buf.length) {
      base += buf.length;
      buf = chunk;
      pos = 0;
    } else {
      waiting.push(chunk);
      waitingBytes += chunk.length;
      if (buf.length - pos + waitingBytes < need) continue;
      const merged = new Uint8Array(buf.length - pos + waitingBytes);
      merged.set(buf.subarray(pos));
      let o = buf.length - pos;
      for (const w of waiting) {
        merged.set(w, o);
        o += w.length;
      }
      base += pos;
      buf = merged;
      pos = 0;
      waiting.length = 0;
      waitingBytes = 0;
    }
    for (;;) {
      const avail = buf.length - pos;
      if (avail < HEADER) {
        need = HEADER;
        break;
      }
      const stored = u32(buf, pos + 8);
      const computed = maskCrc32c(crc32c(buf, pos, pos + 8));
      if (stored !== computed) {
        throw fail(`corrupt at byte offset ${base + pos}: the length CRC of record ${index} does not match (stored ${hex(stored)}, computed ${hex(computed)})`);
      }
      const lo = u32(buf, pos);
      const hi = u32(buf, pos + 4);
      if (hi !== 0 || lo > MAX_RECORD) {
        throw fail(`record ${index} at byte offset ${base + pos} claims ${hi * 2 ** 32 + lo} bytes, more than a record can hold here`);
      }
      const total = HEADER + lo + FOOTER;
      if (avail < total) {
        need = total;
        break;
      }
      const start = pos + HEADER;
      const end = start + lo;
      const dataStored = u32(buf, end);
      const dataComputed = maskCrc32c(crc32c(buf, start, end));
      if (dataStored !== dataComputed) {
        throw fail(
          `corrupt at byte offset ${base + start}: the data CRC of record ${index} (header at byte offset ${base + pos}, ${lo} bytes) does not match (stored ${hex(dataStored)}, computed ${hex(dataComputed)})`,
        );
      }
      yield { data: buf.subarray(start, end), offset: base + pos, index };
      index++;
      pos += total;
    }
  }
  const left = buf.length - pos + waitingBytes;
  if (left > 0) {
    const at = base + pos;
    const what = left < HEADER ? `its ${HEADER}-byte header` : `its ${need} bytes`;
    throw fail(
      `truncated: the stream ends at byte offset ${at + left}, inside record ${index} (which starts at byte offset ${at}; ${left} bytes of ${what} are present)`,
    );
  }
}

/** One record framed as TFRecord (for writing fixtures and tests). */
export function encodeTfRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + data.length + FOOTER);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length, true);
  view.setUint32(4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(8, maskCrc32c(crc32c(out, 0, 8)), true);
  out.set(data, HEADER);
  view.setUint32(HEADER + data.length, maskCrc32c(crc32c(data)), true);
  return out;
}
