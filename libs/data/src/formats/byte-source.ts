import * as fs from 'node:fs';

/**
 * A buffered reader over a stream of chunks, for parsers that read a few bytes at a time from
 * files larger than a Node Buffer (NAS-Bench-201 v1.1 is 4.7 GB). The parser reads `buf` from
 * `pos` synchronously and awaits {@link ByteSource.fill} only when fewer bytes than it needs are
 * buffered, which happens once per chunk (1 MiB), not once per opcode.
 */
export class ByteSource {
  buf: Buffer = Buffer.alloc(0);
  pos = 0;
  /** Bytes consumed before `buf[0]` (for error messages). */
  base = 0;
  private done = false;
  private readonly it: AsyncIterator<Buffer>;

  constructor(
    chunks: AsyncIterable<Buffer>,
    /** What is read, for error messages (a file path). */
    readonly name: string,
  ) {
    this.it = chunks[Symbol.asyncIterator]();
  }

  /** A source over `[start, end)` of a file. */
  static ofFile(file: string, start = 0, end?: number): ByteSource {
    if (end !== undefined && end <= start) return new ByteSource((async function* () {})(), file);
    const stream = fs.createReadStream(file, { start, end: end === undefined ? undefined : end - 1, highWaterMark: 1 << 20 });
    const src = new ByteSource(stream, file);
    src.base = start;
    return src;
  }

  /** Offset of the next byte in the whole input. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** Buffered bytes not yet read. */
  get available(): number {
    return this.buf.length - this.pos;
  }

  /** Buffers at least `n` unread bytes, or all that is left at the end of the input. */
  async fill(n: number): Promise<void> {
    if (this.buf.length - this.pos >= n || this.done) return;
    const parts: Buffer[] = [this.buf.subarray(this.pos)];
    let have = parts[0]!.length;
    while (have < n) {
      const next = await this.it.next();
      if (next.done) {
        this.done = true;
        break;
      }
      parts.push(next.value);
      have += next.value.length;
    }
    this.base += this.pos;
    this.buf = parts.length === 1 ? parts[0]! : Buffer.concat(parts, have);
    this.pos = 0;
  }

  /** Reads exactly `n` bytes (a copy only when they span chunks), or throws at the end of the input. */
  async take(n: number): Promise<Buffer> {
    if (this.available < n) await this.fill(n);
    if (this.available < n) throw this.truncated(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Skips `n` bytes (which may exceed any buffer). */
  async skip(n: number): Promise<void> {
    while (n > 0) {
      if (this.available === 0) await this.fill(1);
      if (this.available === 0) throw this.truncated(n);
      const k = Math.min(n, this.available);
      this.pos += k;
      n -= k;
    }
  }

  /** True at the end of the input. */
  async atEnd(): Promise<boolean> {
    await this.fill(1);
    return this.available === 0;
  }

  truncated(n: number): Error {
    return new TruncatedInputError(`${this.name}: the file ends at byte ${this.offset + this.available} where ${n} more byte(s) were expected (truncated?)`);
  }

  /** Stops reading (closes the underlying stream). */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

/** The input ended in the middle of a record. */
export class TruncatedInputError extends Error {
  override readonly name = 'TruncatedInputError';
}
