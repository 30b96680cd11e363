import * as fs from 'node:fs';
import { once } from 'node:events';
import * as zlib from 'node:zlib';

/**
 * Extracts chosen regular files from a `.tar.gz` archive, streaming (the CIFAR-10 binary release
 * is 162 MB packed, 184 MB unpacked): gunzip, then 512-byte ustar headers (POSIX.1-1988, with the
 * `prefix` field and GNU `L` long names), each file's data, padding to 512. Nothing else of the
 * archive is written, and names are matched exactly, so an entry cannot write outside `outputs`.
 */
export async function extractTarGz(
  archive: string,
  /** Archive member name (e.g. `cifar-10-batches-bin/test_batch.bin`) → the path to write it to. */
  outputs: ReadonlyMap<string, string>,
  opts: { signal: AbortSignal; onProgress?: (bytesRead: number) => void },
): Promise<Set<string>> {
  const written = new Set<string>();
  let buf: Buffer = Buffer.alloc(0);
  let longName: string | undefined;
  /** Data bytes still to read of the current member, its padding, and where it goes. */
  let remaining = 0;
  let padding = 0;
  let out: fs.WriteStream | undefined;
  let collect: Buffer[] | undefined;
  let ended = false;
  let read = 0;

  const input = fs.createReadStream(archive);
  input.on('data', (c: string | Buffer) => {
    read += c.length;
    opts.onProgress?.(read);
  });
  const gunzip = zlib.createGunzip();
  input.on('error', (e) => gunzip.destroy(e));
  input.pipe(gunzip);
  const abort = (): void => void gunzip.destroy(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'));
  opts.signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
      let pos = 0;
      for (;;) {
        if (remaining > 0) {
          const n = Math.min(remaining, buf.length - pos);
          if (n === 0) break;
          const part = buf.subarray(pos, pos + n);
          if (out && !out.write(part)) await once(out, 'drain');
          collect?.push(Buffer.from(part));
          pos += n;
          remaining -= n;
          if (remaining > 0) break;
          if (out) {
            out.end();
            await once(out, 'finish');
            out = undefined;
          }
          if (collect) {
            longName = Buffer.concat(collect).toString('utf8').replace(/\0.*$/s, '');
            collect = undefined;
          }
        }
        if (padding > 0) {
          const n = Math.min(padding, buf.length - pos);
          pos += n;
          padding -= n;
          if (padding > 0) break;
        }
        if (ended || buf.length - pos < 512) break;
        const h = buf.subarray(pos, pos + 512);
        pos += 512;
        if (h.every((b) => b === 0)) {
          ended = true; // two zero blocks end the archive
          break;
        }
        const field = (from: number, len: number): string => h.toString('utf8', from, from + len).replace(/\0.*$/s, '');
        const size = parseInt(field(124, 12).trim() || '0', 8);
        if (!Number.isFinite(size) || size < 0) throw new Error(`${archive}: a tar header at byte ${read} has no valid size (not a tar.gz archive?)`);
        const type = String.fromCharCode(h[156]!);
        const magic = field(257, 6);
        const prefix = magic.startsWith('ustar') ? field(345, 155) : '';
        let name = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
        longName = undefined;
        name = name.replace(/^\.\//, '');
        remaining = size;
        padding = (512 - (size % 512)) % 512;
        if (type === 'L') collect = [];
        else if ((type === '0' || type === '\0') && outputs.has(name)) {
          out = fs.createWriteStream(outputs.get(name)!);
          written.add(name);
          if (size === 0) {
            out.end();
            await once(out, 'finish');
            out = undefined;
          }
        }
      }
      buf = buf.subarray(pos);
    }
  } finally {
    opts.signal.removeEventListener('abort', abort);
    out?.destroy();
  }
  opts.signal.throwIfAborted();
  if (remaining > 0) throw new Error(`${archive}: the archive ends in the middle of a member (truncated?)`);
  return written;
}
