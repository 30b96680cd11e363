import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import { NasxError } from '@nasx/contracts';
import { NB101_PACKAGE, NB101_SPACE_ID } from './nb101.genotype';

/** A 32-hex module hash (either case). */
export const HASH_PATTERN = /^[0-9a-fA-F]{32}$/;

/** One key read from a file, with its 1-based line. */
export interface KeyAt {
  readonly key: string;
  readonly line: number;
}

function configError(message: string, where: { file?: string; line?: number; pointer?: string; fix: string }): NasxError {
  return new NasxError('config', message, { pkg: NB101_PACKAGE, contribution: NB101_SPACE_ID, ...where });
}

/**
 * Splits one CSV record into fields: comma-separated, RFC 4180 double quotes allowed (a quoted
 * field may hold commas and `""`; records spanning lines are not supported).
 */
function splitCsvLine(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line.charCodeAt(i) === 34) {
      let s = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) {
          s += line.slice(j);
          j = line.length;
          break;
        }
        s += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          s += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(s);
      i = line.indexOf(',', j);
    } else {
      const c = line.indexOf(',', i);
      out.push(c < 0 ? line.slice(i) : line.slice(i, c));
      i = c;
    }
    if (i < 0) return out;
    i++;
  }
}

/**
 * The keys in column `column` of a CSV file (gunzipped when the name ends in `.gz`), lower-cased,
 * with their lines. Every non-empty row must hold a 32-hex hash there. Throws `NasxError('config')`
 * naming the file, the line and the fix.
 */
export function readKeysFile(file: string, column: string): KeyAt[] {
  let raw: Buffer;
  try {
    raw = fs.readFileSync(file);
  } catch (e) {
    throw configError(`cannot read the keysFrom file ${file}: ${(e as Error).message}`, {
      file,
      pointer: '/options/keysFrom/file',
      fix: "set keysFrom.file to an existing CSV or .csv.gz file; a relative path is resolved against the run's data directory (NASX_DATA, --data-dir or the config's dataDir)",
    });
  }
  let text: string;
  try {
    text = (file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw).toString('utf8');
  } catch (e) {
    throw configError(`the keysFrom file ${file} is not a readable gzip file (${(e as Error).message})`, {
      file,
      fix: 'use an intact .csv.gz file, or a plain .csv file without the .gz suffix',
    });
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split('\n');
  const header = splitCsvLine((lines[0] ?? '').replace(/\r$/, '')).map((h) => h.trim());
  const col = header.indexOf(column);
  if (col < 0) {
    throw configError(`the keysFrom file ${file} has no column "${column}" (its header: ${header.join(',')})`, {
      file,
      line: 1,
      pointer: '/options/keysFrom/column',
      fix: `set keysFrom.column to the column that holds the 32-hex module hashes, one of: ${header.join(', ')}`,
    });
  }
  const out: KeyAt[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const value = (splitCsvLine(line)[col] ?? '').trim();
    if (!HASH_PATTERN.test(value)) {
      throw configError(`${file}:${i + 1}: column "${column}" holds ${JSON.stringify(value)}, not a 32-hex NB101 module hash`, {
        file,
        line: i + 1,
        fix: "every row of that column must be an NB101 module hash (32 hex digits, as NB101's ModelSpec.hash_spec computes it); fix or drop the row, or choose another column",
      });
    }
    out.push({ key: value.toLowerCase(), line: i + 1 });
  }
  return out;
}
