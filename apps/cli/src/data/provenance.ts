import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';

/** Folder of the data directory that holds one provenance record per fetched dataset. */
export const PROVENANCE_DIR = '.nasx-data';
/** Folder of the data directory for downloads and conversions in progress. */
export const TEMP_DIR = '.nasx-tmp';

/** What `nasx data fetch` records about a dataset it installed: `<dataDir>/.nasx-data/<id>.json`. */
export interface DataProvenance {
  readonly dataset: string;
  /** Package and version that contributed the dataset (and its converter). */
  readonly package: string;
  readonly nasxVersion: string;
  /** ISO date of the fetch. */
  readonly fetchedAt: string;
  readonly upstream: readonly {
    readonly name: string;
    /** Where the bytes came from (the official URL, a mirror, a local path). */
    readonly source: string;
    readonly size: number;
    readonly sha256: string;
    /** The published checksum it was checked against, or why none was checked. */
    readonly verified: string;
  }[];
  /** sha256 of each produced file, by its path relative to the data directory. */
  readonly files: { readonly [relativePath: string]: { readonly sha256: string; readonly size: number } };
}

export function provenanceFile(dataDir: string, id: string): string {
  return path.join(dataDir, PROVENANCE_DIR, `${id}.json`);
}

/** The record of a dataset, or undefined when nasx did not fetch it (or the record is unreadable). */
export function readProvenance(dataDir: string, id: string): DataProvenance | undefined {
  try {
    return JSON.parse(fs.readFileSync(provenanceFile(dataDir, id), 'utf8')) as DataProvenance;
  } catch {
    return undefined;
  }
}

/** Writes the record atomically (a temporary file renamed into place). */
export function writeProvenance(dataDir: string, p: DataProvenance): void {
  const file = provenanceFile(dataDir, p.dataset);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(p, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Digests of a file in one streaming pass. */
export async function hashFile(
  file: string,
  algorithms: readonly string[],
  signal?: AbortSignal,
  onProgress?: (done: number) => void,
): Promise<Record<string, string>> {
  const hashes = algorithms.map((a) => crypto.createHash(a));
  let done = 0;
  await pipeline(
    fs.createReadStream(file, { highWaterMark: 1 << 20 }),
    async function (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        for (const h of hashes) h.update(chunk);
        done += chunk.length;
        onProgress?.(done);
      }
    },
    { signal },
  );
  return Object.fromEntries(algorithms.map((a, i) => [a, hashes[i]!.digest('hex')]));
}
