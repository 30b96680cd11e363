import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NasxError, formatNasxError, isNasxError, type DatasetDefinition, type UpstreamFile } from '@nasx/contracts';
import type { DiscoveredContribution } from '@nasx/kernel';
import { downloadTo } from '../data/download';
import { PROVENANCE_DIR, TEMP_DIR, hashFile, readProvenance, writeProvenance, type DataProvenance } from '../data/provenance';
import type { CliIO } from '../io';
import { EXIT } from '../io';
import { openKernel } from '../kernel-factory';
import { table } from '../ui/format';

/** Options of `nasx data fetch`. */
export interface DataFetchOptions {
  dataDir?: string;
  from?: string;
  force?: boolean;
  sha256?: string;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- package.json lies outside the compiled src/ (rootDir)
const NASX_VERSION = require('../../package.json').version as string;

function dataDirOf(io: CliIO, given: string | undefined, required: boolean): string | undefined {
  const dir = given ? path.resolve(io.cwd, given) : io.env['NASX_DATA'] ? path.resolve(io.cwd, io.env['NASX_DATA']) : undefined;
  if (!dir && required) {
    throw new NasxError('usage', 'no data directory: nasx data needs to know where the data go', {
      fix: 'give --data-dir <dir>, or set NASX_DATA to the folder that runs read their data from',
    });
  }
  return dir;
}

/** The dataset contributions of the installed plugins, by id (from manifests). */
function datasets(io: CliIO): {
  all: DiscoveredContribution[];
  pick(ids: readonly string[]): DiscoveredContribution[];
  activate(c: DiscoveredContribution): Promise<DatasetDefinition>;
} {
  const kernel = openKernel(io.cwd);
  const all = kernel.registry.contributions('dataset').sort((a, b) => a.id.localeCompare(b.id));
  return {
    all,
    pick(ids) {
      return [...new Set(ids)].map((id) => {
        const c = kernel.registry.get('dataset', id);
        if (!c) throw new NasxError('usage', `unknown dataset "${id}"`, { contribution: id, fix: kernel.registry.unknownIdHelp('dataset', id) });
        return c;
      });
    },
    async activate(c) {
      return kernel.registry.activateDataset(c);
    },
  };
}

/** `1.25 MB`: a byte count for people. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[i]}`;
}

/** Progress on stderr: one rewritten line on a terminal, else a line per quarter. */
class ProgressLine {
  private last = 0;
  private quarter = -1;
  private open = false;
  constructor(private readonly io: CliIO) {}
  update(label: string, done: number, total: number | undefined): void {
    const text = total ? `${label}: ${Math.floor((100 * done) / total)}% (${formatBytes(done)} of ${formatBytes(total)})` : `${label}: ${formatBytes(done)}`;
    if (this.io.errIsTTY) {
      const now = Date.now();
      if (now - this.last < 200 && done !== total) return;
      this.last = now;
      this.io.err(`\r${text}\x1b[K`);
      this.open = true;
    } else {
      const q = total ? Math.floor((4 * done) / total) : 0;
      if (q === this.quarter) return;
      this.quarter = q;
      this.io.err(text + '\n');
    }
  }
  line(text: string): void {
    this.end();
    this.io.err(text + '\n');
  }
  end(): void {
    if (this.open) this.io.err('\n');
    this.open = false;
    this.quarter = -1;
  }
}

/** Where an upstream file comes from: the official URL, `<mirror>/<name>`, or a local file. */
function sourceOf(io: CliIO, file: UpstreamFile, from: string | undefined, single: boolean): { url?: string; local?: string; shown: string } {
  if (!from) {
    const url = file.urls[0];
    if (!url) throw new NasxError('plugin', `upstream file ${file.name} lists no URL`, { fix: 'give the file with --from <folder or URL>' });
    return { url, shown: url };
  }
  if (/^https?:\/\//i.test(from)) {
    const url = `${from.replace(/\/+$/, '')}/${encodeURIComponent(file.name)}`;
    return { url, shown: url };
  }
  const base = /^file:/i.test(from) ? fileURLToPath(from) : path.resolve(io.cwd, from);
  // A folder holds the files under their upstream names; a single file stands for the only one.
  const local = fs.existsSync(base) && fs.statSync(base).isFile() && single ? base : path.join(base, file.name);
  if (!fs.existsSync(local)) {
    throw new NasxError('data', `--from ${from}: there is no ${file.name} at ${local}`, {
      file: local,
      fix: `put ${file.name} into that folder (official location: ${file.urls[0] ?? 'see the plugin README'}), or give --from the folder or URL that holds it`,
    });
  }
  return { local, shown: local };
}

/** `nasx data fetch <id>…`: download, verify, convert, move into place, record provenance. */
export async function dataFetchCommand(io: CliIO, ids: readonly string[], opts: DataFetchOptions): Promise<number> {
  const dataDir = dataDirOf(io, opts.dataDir, true)!;
  const ds = datasets(io);
  const picked = ds.pick(ids);
  const pin = opts.sha256?.toLowerCase();
  if (pin !== undefined && !/^[0-9a-f]{64}$/.test(pin))
    throw new NasxError('usage', `--sha256 ${opts.sha256} is not a sha256 (64 hex digits)`, { fix: 'give the 64-digit hex digest, e.g. from sha256sum' });
  const defs: { c: DiscoveredContribution; def: DatasetDefinition }[] = [];
  for (const c of picked) defs.push({ c, def: await ds.activate(c) });
  if (pin !== undefined && defs.reduce((n, d) => n + d.def.upstream.length, 0) !== 1) {
    throw new NasxError('usage', '--sha256 pins the digest of one upstream file, but these datasets have several', {
      fix: 'fetch one single-file dataset at a time with --sha256',
    });
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const controller = new AbortController();
  let interrupted: 'SIGINT' | 'SIGTERM' | undefined;
  const onSignal = (s: 'SIGINT' | 'SIGTERM') => (): void => {
    if (interrupted) process.exit(s === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    interrupted = s;
    controller.abort(new Error(`stopped by ${s}`));
  };
  const onInt = onSignal('SIGINT');
  const onTerm = onSignal('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    for (const { c, def } of defs) {
      try {
        await fetchOne(io, dataDir, c, def, opts, pin, controller.signal);
      } catch (e) {
        if (interrupted) {
          io.err(
            `\n${interrupted === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM'}: stopped fetching ${def.id}; nothing was installed. A partial download stays in ${path.join(dataDir, TEMP_DIR)} and the next "nasx data fetch ${def.id}" resumes it.\n`,
          );
          return interrupted === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
        }
        throw e;
      }
    }
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
  return EXIT.ok;
}

function installed(dataDir: string, produces: readonly string[]): 'yes' | 'partly' | 'no' {
  const n = produces.filter((p) => fs.existsSync(path.join(dataDir, p))).length;
  return n === produces.length ? 'yes' : n > 0 ? 'partly' : 'no';
}

async function fetchOne(
  io: CliIO,
  dataDir: string,
  c: DiscoveredContribution,
  def: DatasetDefinition,
  opts: DataFetchOptions,
  pin: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const progress = new ProgressLine(io);
  const previous = readProvenance(dataDir, def.id);
  if (!opts.force && previous && installed(dataDir, def.produces) === 'yes') {
    io.err(`${def.id}: already installed in ${dataDir} (fetched ${previous.fetchedAt}); nasx data verify ${def.id} checks it, --force fetches it again\n`);
    return;
  }
  const tmpRoot = path.join(dataDir, TEMP_DIR);
  const downloads = path.join(tmpRoot, 'downloads', def.id);
  fs.mkdirSync(downloads, { recursive: true });
  const staging = fs.mkdtempSync(path.join(tmpRoot, `${def.id}-`));
  const parts: string[] = [];
  let keepParts = false;
  try {
    // 1. Download (or find) and verify each upstream file.
    const inputs = new Map<string, string>();
    const upstream: DataProvenance['upstream'][number][] = [];
    for (const file of def.upstream) {
      const src = sourceOf(io, file, opts.from, def.upstream.length === 1);
      let local = src.local;
      if (src.url) {
        const part = path.join(downloads, `${file.name}.part`);
        const done = `${part}.complete`;
        parts.push(part, done);
        if (opts.force || !fs.existsSync(done) || fs.readFileSync(done, 'utf8') !== `${src.url}\n${fs.existsSync(part) ? fs.statSync(part).size : -1}`) {
          fs.rmSync(done, { force: true });
          if (opts.force) fs.rmSync(part, { force: true }); // --force downloads again from the start
          progress.line(`${def.id}: downloading ${src.url}`);
          try {
            await downloadTo(src.url, part, signal, (d, t) => progress.update(`  ${file.name}`, d, t ?? file.size));
          } catch (e) {
            keepParts = signal.aborted;
            throw e;
          }
          progress.end();
          fs.writeFileSync(done, `${src.url}\n${fs.statSync(part).size}`);
        } else progress.line(`${def.id}: ${file.name} was downloaded before; checking it`);
        local = part;
      } else progress.line(`${def.id}: reading ${local}`);
      const size = fs.statSync(local!).size;
      if (file.size !== undefined && size !== file.size) {
        throw new NasxError('data', `${file.name} from ${src.shown} has ${size} bytes, but the upstream file has ${file.size}`, {
          file: src.shown,
          fix: 'the copy is truncated or another file: fetch it again (--force), or give --from an intact copy',
        });
      }
      const algorithms = ['sha256', ...(file.checksum && file.checksum.algorithm !== 'sha256' ? [file.checksum.algorithm] : [])];
      const digests = await hashFile(local!, algorithms, signal, (d) => progress.update(`  checking ${file.name}`, d, size));
      progress.end();
      const expected = pin ? { algorithm: 'sha256' as const, hex: pin, source: '--sha256' } : file.checksum;
      let verified: string;
      if (expected) {
        const got = digests[expected.algorithm]!;
        if (got !== expected.hex.toLowerCase()) {
          throw new NasxError(
            'data',
            `${file.name} from ${src.shown} has ${expected.algorithm} ${got}, but ${expected.source === '--sha256' ? 'you pinned' : 'the published value is'} ${expected.hex}${expected.source && expected.source !== '--sha256' ? ` (${expected.source})` : ''}`,
            {
              file: src.shown,
              fix: 'the download is corrupt or not the official file: run the command again with --force, or give --from an intact copy; nothing was installed',
            },
          );
        }
        verified = `${expected.algorithm} ${expected.hex} (${expected.source === '--sha256' ? 'pinned with --sha256' : `published${expected.source ? `: ${expected.source}` : ''}`})`;
      } else {
        verified = 'none: the upstream publishes no checksum; the sha256 above is the one computed here (pin it next time with --sha256)';
        progress.line(`  ${file.name}: no published checksum to check; its sha256 is ${digests['sha256']}`);
      }
      inputs.set(file.name, local!);
      upstream.push({ name: file.name, source: src.shown, size, sha256: digests['sha256']!, verified });
    }

    // 2. Convert into the staging folder.
    const produces = new Set(def.produces);
    progress.line(`${def.id}: converting`);
    try {
      await def.convert({
        input: (name) => {
          const p = inputs.get(name);
          if (!p) throw new Error(`the converter asked for upstream file "${name}", which the dataset does not declare`);
          return p;
        },
        output: (rel) => {
          if (!produces.has(rel)) throw new Error(`the converter writes "${rel}", which the dataset does not declare in "produces"`);
          const out = path.join(staging, rel);
          fs.mkdirSync(path.dirname(out), { recursive: true });
          return out;
        },
        signal,
        progress: (d, t, label) => progress.update(`  ${label}`, d, t),
      });
    } catch (e) {
      if (signal.aborted) throw e;
      if (isNasxError(e)) throw e;
      throw new NasxError('data', `converting ${def.upstream.map((u) => u.name).join(', ')} for dataset "${def.id}" failed: ${(e as Error).message}`, {
        pkg: c.plugin.name,
        contribution: def.id,
        fix: `the file is not what ${c.plugin.name} expects: fetch it again with --force, or give --from the official file; if it is the official one, please report it`,
      });
    }
    progress.end();

    // 3. Every produced file exists; hash them; move them into place.
    const files: { [rel: string]: { sha256: string; size: number } } = {};
    for (const rel of def.produces) {
      const p = path.join(staging, rel);
      if (!fs.existsSync(p)) {
        throw new NasxError('plugin', `dataset "${def.id}" declares ${rel} but its converter did not write it`, {
          pkg: c.plugin.name,
          contribution: def.id,
          fix: 'report it to the plugin; nothing was installed',
        });
      }
      files[rel] = { sha256: (await hashFile(p, ['sha256'], signal))['sha256']!, size: fs.statSync(p).size };
    }
    for (const rel of def.produces) {
      const target = path.join(dataDir, rel);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.renameSync(path.join(staging, rel), target);
    }
    writeProvenance(dataDir, {
      dataset: def.id,
      package: `${c.plugin.name}@${c.plugin.version}`,
      nasxVersion: NASX_VERSION,
      fetchedAt: new Date().toISOString(),
      upstream,
      files,
    });
    io.err(`${def.id}: installed ${def.produces.length} file(s) in ${dataDir}\n`);
  } finally {
    progress.end();
    fs.rmSync(staging, { recursive: true, force: true });
    if (!keepParts && !signal.aborted) for (const p of parts) fs.rmSync(p, { force: true });
    for (const d of [downloads, path.dirname(downloads), tmpRoot]) {
      try {
        fs.rmdirSync(d); // only when empty
      } catch {
        /* not empty: a download to resume */
      }
    }
  }
}

/** `nasx data list`: every dataset the installed plugins contribute, and whether it is installed. */
export function dataListCommand(io: CliIO, opts: { dataDir?: string; json?: boolean }): number {
  const dataDir = dataDirOf(io, opts.dataDir, false);
  const ds = datasets(io);
  const rows = ds.all.map((c) => {
    const produces = c.produces ?? [];
    const state = dataDir ? installed(dataDir, produces) : 'no';
    const prov = dataDir ? readProvenance(dataDir, c.id) : undefined;
    return {
      id: c.id,
      title: c.title,
      package: `${c.plugin.name}@${c.plugin.version}`,
      installed: state,
      dataDir: dataDir ?? null,
      files: produces,
      provenance: prov ?? null,
    };
  });
  if (opts.json) {
    io.out(JSON.stringify({ dataDir: dataDir ?? null, datasets: rows }, null, 2) + '\n');
    return EXIT.ok;
  }
  io.out(`${rows.length} dataset(s); data directory: ${dataDir ?? '(none: give --data-dir or set NASX_DATA)'}\n\n`);
  io.out(
    table(
      ['id', 'title', 'installed', 'fetched', 'package'],
      rows.map((r) => [
        r.id,
        r.title,
        r.installed,
        r.provenance
          ? `${r.provenance.fetchedAt.slice(0, 10)} from ${r.provenance.upstream.map((u) => u.source).join(', ')}`
          : r.installed === 'no'
            ? ''
            : 'not by nasx',
        r.package,
      ]),
    ) + '\n',
  );
  if (rows.some((r) => r.installed !== 'yes')) io.out(`\nnasx data fetch <id> --data-dir <dir> gets one.\n`);
  return EXIT.ok;
}

/** `nasx data verify [<id>…]`: re-hashes the produced files against the recorded sha256s. */
export async function dataVerifyCommand(io: CliIO, ids: readonly string[], opts: { dataDir?: string }): Promise<number> {
  const dataDir = dataDirOf(io, opts.dataDir, true)!;
  const ds = datasets(io);
  const picked = ids.length ? ds.pick(ids) : ds.all.filter((c) => readProvenance(dataDir, c.id));
  if (picked.length === 0) {
    io.out(`no dataset was fetched into ${dataDir} (no ${PROVENANCE_DIR}/ records); nothing to verify\n`);
    return EXIT.ok;
  }
  const bad: string[] = [];
  for (const c of picked) {
    const prov = readProvenance(dataDir, c.id);
    if (!prov) {
      io.out(`${c.id}: not fetched by nasx into ${dataDir} (no record of checksums)\n`);
      bad.push(c.id);
      continue;
    }
    let ok = 0;
    for (const [rel, rec] of Object.entries(prov.files)) {
      const p = path.join(dataDir, rel);
      if (!fs.existsSync(p)) {
        io.out(`${c.id}: ${rel}: MISSING\n`);
        bad.push(c.id);
        continue;
      }
      const got = (await hashFile(p, ['sha256']))['sha256'];
      if (got !== rec.sha256) {
        io.out(`${c.id}: ${rel}: MODIFIED (sha256 ${got}, recorded ${rec.sha256})\n`);
        bad.push(c.id);
      } else ok++;
    }
    if (ok === Object.keys(prov.files).length) io.out(`${c.id}: ok (${ok} file(s) match the sha256s recorded on ${prov.fetchedAt})\n`);
  }
  if (bad.length) {
    const list = [...new Set(bad)];
    io.err(
      formatNasxError(
        new NasxError('data', `dataset(s) ${list.join(', ')} in ${dataDir} do not match what nasx data fetch recorded`, {
          file: dataDir,
          fix: `fetch them again: nasx data fetch ${list.join(' ')} --data-dir ${dataDir} --force`,
        }),
      ) + '\n',
    );
    return EXIT.input;
  }
  return EXIT.ok;
}
