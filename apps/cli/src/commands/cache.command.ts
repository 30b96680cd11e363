import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import { listUnpacked } from '@nasx/data';
import { cacheDir } from '@nasx/kernel';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { table } from '../ui/format';
import { formatBytes } from './data.command';

/**
 * What nasx keeps in its per-user cache folder, by part. Everything in it is derived and may be
 * deleted at any time: the next run that needs a part builds it again.
 */
const PARTS = {
  unpacked: { entry: 'unpacked', what: 'releases unpacked for streaming (NAS-Bench-360 Spherical): the arrays of a pickle, read a shard at a time' },
  ajv: { entry: 'ajv', what: 'compiled option validators of the installed plugins (start-up time)' },
  nb101: { entry: 'nb101-index-v1.bin', what: 'the NAS-Bench-101 hash index (built once in 10-30 s)' },
} as const;
type Part = keyof typeof PARTS;

/** Bytes under `p` (a file or a folder), 0 when absent. */
function sizeOf(p: string): number {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}

function folder(io: CliIO): string {
  const dir = cacheDir();
  if (dir === undefined) {
    throw new NasxError('usage', 'the cache is off (NASX_CACHE_DIR=off): nasx keeps nothing between runs', {
      fix: 'unset NASX_CACHE_DIR, or set it to a folder, to keep derived files between runs',
    });
  }
  return path.resolve(io.cwd, dir);
}

/** `nasx cache show`: where the cache is, and what each part holds. */
export function cacheShowCommand(io: CliIO, o: { json?: boolean }): number {
  const dir = folder(io);
  const unpacked = listUnpacked(path.join(dir, PARTS.unpacked.entry));
  const parts = (Object.keys(PARTS) as Part[]).map((part) => ({ part, bytes: sizeOf(path.join(dir, PARTS[part].entry)), what: PARTS[part].what }));
  const other = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((n) => !Object.values(PARTS).some((p) => p.entry === n))
        .reduce((sum, n) => sum + sizeOf(path.join(dir, n)), 0)
    : 0;
  const total = parts.reduce((s, p) => s + p.bytes, 0) + other;
  if (o.json) {
    io.out(JSON.stringify({ dir, bytes: total, parts, unpacked, otherBytes: other }, null, 2) + '\n');
    return EXIT.ok;
  }
  io.out(`nasx cache: ${dir} (${formatBytes(total)}${fs.existsSync(dir) ? '' : ', not created yet'})\n\n`);
  io.out(
    table(
      ['part', 'size', 'holds'],
      parts.map((p) => [p.part, formatBytes(p.bytes), p.what]),
    ) + '\n',
  );
  if (unpacked.length > 0) {
    io.out('\nunpacked releases:\n');
    io.out(
      table(
        ['file', 'size', 'from', 'state'],
        unpacked.map((u) => [
          path.basename(u.file),
          formatBytes(u.bytes),
          u.source?.file ?? '(unknown)',
          u.current ? 'current' : 'stale: its pickle is gone or changed',
        ]),
      ) + '\n',
    );
  }
  if (other > 0) io.out(`\nother files: ${formatBytes(other)}\n`);
  io.out('\nEverything here is derived and may be deleted: `nasx cache clear [part...]`, or NASX_CACHE_DIR to move it.\n');
  return EXIT.ok;
}

/** `nasx cache clear [part...]`: deletes the named parts (default: all of the cache); `--stale`: only unpacked releases whose pickle changed. */
export function cacheClearCommand(io: CliIO, parts: string[], o: { stale?: boolean }): number {
  const dir = folder(io);
  const unknown = parts.filter((p) => !(p in PARTS));
  if (unknown.length > 0) {
    throw new NasxError('usage', `unknown cache part "${unknown[0]}"`, {
      fix: `name parts among ${Object.keys(PARTS).join(', ')}, or none to clear the whole cache`,
    });
  }
  let freed = 0;
  if (o.stale) {
    for (const u of listUnpacked(path.join(dir, PARTS.unpacked.entry)).filter((e) => !e.current)) {
      freed += u.bytes;
      fs.rmSync(u.file, { force: true });
      fs.rmSync(u.file.replace(/\.bin$/, '.json'), { force: true });
    }
  } else if (parts.length === 0) {
    freed = sizeOf(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  } else {
    for (const part of parts as Part[]) {
      const p = path.join(dir, PARTS[part].entry);
      freed += sizeOf(p);
      fs.rmSync(p, { recursive: true, force: true });
    }
  }
  io.out(`freed ${formatBytes(freed)} in ${dir}\n`);
  return EXIT.ok;
}
