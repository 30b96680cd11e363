import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { nb201CodeOfArchStr, writeSyntheticNb201 } from '@nasx/estimator-tabular';
import { NASX_BIN, WORKSPACE } from '../cli-test-helpers';

/**
 * `nasx data` end to end, without network: a local HTTP server on 127.0.0.1 serves the torch-made
 * NAS-Bench-201 fixtures of @nasx/estimator-tabular under the official file name, and routes that
 * misbehave (truncate, 404, a web page, slow for Ctrl-C).
 */
const NAME = 'NAS-Bench-201-v1_1-096897.pth';
const FIXTURES = path.join(WORKSPACE, 'plugins', 'estimator-tabular', 'src', 'upstream', 'nb201', '__fixtures__');
const EXPECTED: { [file: string]: { [column: string]: string | number | null }[] } = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'expected.json'), 'utf8'));
const ARCH = '|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs nasx without blocking this process (the test's HTTP server must keep answering). */
function nasx(args: readonly string[], opts: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [NASX_BIN, ...args], { cwd: WORKSPACE, env: { ...process.env, NASX_DEBUG: '', NASX_DATA: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr }));
  });
}

function sha256(file: string): string {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Everything under a folder, relative paths. */
function tree(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).sort();
}

/** The rows of a produced table, as text cells. */
function table(file: string): string[][] {
  return zlib
    .gunzipSync(fs.readFileSync(file))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
}

/** A .tar.gz in ustar format (what `tar czf` writes), made here for the CIFAR-10 test. */
function tarGz(entries: readonly [string, Buffer][]): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, data] of entries) {
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return zlib.gzipSync(Buffer.concat(blocks));
}

describe('nasx data', () => {
  let server: http.Server;
  let base: string;
  let root: string;
  const ranges: string[] = [];
  let tmp: string;

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-mirror-'));
    server = http.createServer((req, res) => {
      const [, route, ...rest] = decodeURIComponent((req.url ?? '').split('?')[0]!).split('/');
      const rel = rest.join('/');
      const file = path.join(route === 'legacy' ? path.join(FIXTURES, 'legacy') : route === 'full' ? root : path.join(FIXTURES, 'zip'), rel);
      if (route === 'missing' || !fs.existsSync(file)) {
        res.writeHead(404).end('not found');
        return;
      }
      const body = fs.readFileSync(file);
      if (route === 'html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<html>Google Drive can\u2019t scan this file</html>');
        return;
      }
      if (route === 'truncated') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
        return;
      }
      const range = /^bytes=(\d+)-$/.exec(String(req.headers.range ?? ''));
      if (range) {
        ranges.push(String(req.headers.range));
        const from = Number(range[1]);
        res.writeHead(206, { 'content-length': body.length - from, 'content-range': `bytes ${from}-${body.length - 1}/${body.length}` });
        res.end(body.subarray(from));
        return;
      }
      res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' });
      if (route !== 'slow') {
        res.end(body);
        return;
      }
      // Slow: 8 KiB every 100 ms, so a test can press Ctrl-C in the middle.
      let at = 0;
      const timer = setInterval(() => {
        if (res.destroyed) return clearInterval(timer);
        res.write(body.subarray(at, at + 8192));
        at += 8192;
        if (at >= body.length) {
          clearInterval(timer);
          res.end();
        }
      }, 100);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    fs.rmSync(root, { recursive: true, force: true });
  });
  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-data-'));
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('fetches nb201 from a mirror, converts it to the values the official API gives, records provenance; list and verify report it', async () => {
    const dir = path.join(tmp, 'data');
    const r = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/zip/`]);
    expect(r.stderr).toContain(`${base}/zip/${NAME}`);
    expect(r.stderr).toMatch(/no published checksum/);
    expect(r.code).toBe(0);
    for (const [file, rows] of Object.entries(EXPECTED)) {
      const t = table(path.join(dir, 'nas-bench-201', file));
      const header = t[0]!;
      expect(t.length - 1).toBe(rows.length);
      rows.forEach((row, i) => {
        for (const [col, v] of Object.entries(row)) {
          const cell = t[i + 1]![header.indexOf(col)]!;
          if (v === null) expect(cell).toBe('');
          else if (typeof v === 'number')
            expect(Number(cell)).toBe(v); // bit for bit
          else expect(cell).toBe(v);
        }
      });
    }
    const prov = JSON.parse(fs.readFileSync(path.join(dir, '.nasx-data', 'nb201.json'), 'utf8'));
    expect(prov.upstream[0]).toMatchObject({ name: NAME, source: `${base}/zip/${NAME}`, sha256: sha256(path.join(FIXTURES, 'zip', NAME)) });
    for (const [rel, rec] of Object.entries(prov.files as Record<string, { sha256: string }>)) expect(rec.sha256).toBe(sha256(path.join(dir, rel)));
    expect(tree(dir).filter((f) => f.startsWith('.nasx-tmp'))).toEqual([]);

    const list = await nasx(['data', 'list', '--json', '--data-dir', dir]);
    expect(list.code).toBe(0);
    const nb201 = JSON.parse(list.stdout).datasets.find((d: { id: string }) => d.id === 'nb201');
    expect(nb201).toMatchObject({ installed: 'yes', package: expect.stringContaining('@nasx/estimator-tabular') });
    expect(nb201.provenance.upstream[0].source).toBe(`${base}/zip/${NAME}`);

    const again = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/zip/`]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already installed/);

    const ok = await nasx(['data', 'verify', '--data-dir', dir]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/nb201: ok \(3 file/);

    const victim = path.join(dir, 'nas-bench-201', 'nb201_cifar10_naswot.csv.gz');
    fs.appendFileSync(victim, 'x');
    const bad = await nasx(['data', 'verify', 'nb201', '--data-dir', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toMatch(/nas-bench-201\/nb201_cifar10_naswot\.csv\.gz: MODIFIED/);
    expect(bad.stderr).toMatch(/nasx data fetch nb201 .*--force/);
  });

  it('a wrong checksum fails, names the URL and leaves the data directory clean', async () => {
    const dir = path.join(tmp, 'data');
    const r = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/legacy`, '--sha256', '0'.repeat(64)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${base}/legacy/${NAME}`);
    expect(r.stderr).toMatch(/you pinned 0{64}.*nothing was installed/s);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(tree(dir)).toEqual([]);
  });

  it('a truncated download fails, says so, and leaves no temporary file', async () => {
    const dir = path.join(tmp, 'data');
    const r = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/truncated/`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`downloading ${base}/truncated/${NAME}.*truncated`));
    expect(tree(dir)).toEqual([]);
  });

  it('an HTTP error or a web page instead of the file fails with the URL and the fix', async () => {
    const dir = path.join(tmp, 'data');
    const missing = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/missing`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(new RegExp(`${base}/missing/${NAME}: the server answered HTTP 404.*Fix: check the URL`, 's'));
    const page = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/html`]);
    expect(page.code).toBe(1);
    expect(page.stderr).toMatch(/web page instead of the file.*--from/s);
    expect(tree(dir)).toEqual([]);
  });

  it('a converter error (not a benchmark file) fails with exit 2 and installs nothing', async () => {
    const dir = path.join(tmp, 'data');
    const from = path.join(tmp, 'mirror');
    fs.mkdirSync(from);
    fs.writeFileSync(path.join(from, NAME), 'not a torch file at all');
    const r = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', from]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not a torch\.save file/);
    expect(tree(dir)).toEqual([]);
    expect(fs.existsSync(path.join(from, NAME))).toBe(true); // a local source is never deleted
  });

  it('Ctrl-C keeps the partial download, and the next fetch resumes it with a range request', async () => {
    const dir = path.join(tmp, 'data');
    ranges.length = 0;
    const first = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/slow`], {
      onStderr: (text, child) => {
        if (/%/.test(text) && !child.killed && fs.existsSync(path.join(dir, '.nasx-tmp', 'downloads', 'nb201', `${NAME}.part`))) {
          const size = fs.statSync(path.join(dir, '.nasx-tmp', 'downloads', 'nb201', `${NAME}.part`)).size;
          if (size > 16384) child.kill('SIGINT');
        }
      },
    });
    expect(first.code).toBe(130);
    expect(first.stderr).toMatch(/stopped fetching nb201; nothing was installed.*resumes it/s);
    expect(fs.existsSync(path.join(dir, 'nas-bench-201'))).toBe(false);
    const second = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/slow`]);
    expect(second.code).toBe(0);
    expect(ranges.length).toBe(1);
    expect(Number(/bytes=(\d+)-/.exec(ranges[0]!)![1])).toBeGreaterThan(16384);
    const prov = JSON.parse(fs.readFileSync(path.join(dir, '.nasx-data', 'nb201.json'), 'utf8'));
    expect(prov.upstream[0].sha256).toBe(sha256(path.join(FIXTURES, 'zip', NAME)));
    expect(tree(dir).filter((f) => f.startsWith('.nasx-tmp'))).toEqual([]);
  });

  it('cifar10: checks the published md5, unpacks the official layout, and a pinned sha256 stands in for it', async () => {
    const batch = (label: number): Buffer => {
      const b = Buffer.alloc(3 * 3073);
      for (let r = 0; r < 3; r++) {
        b[r * 3073] = (label + r) % 10;
        for (let i = 1; i < 3073; i++) b[r * 3073 + i] = (i * 7 + label) & 255;
      }
      return b;
    };
    const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
    const files: [string, Buffer][] = [
      ['cifar-10-batches-bin/batches.meta.txt', Buffer.from('airplane\nautomobile\n')],
      ...names.map((n, i): [string, Buffer] => [`cifar-10-batches-bin/${n}`, batch(i)]),
      ['cifar-10-batches-bin/readme.html', Buffer.from('<html></html>')],
    ];
    fs.writeFileSync(path.join(root, 'cifar-10-binary.tar.gz'), tarGz(files));
    const dir = path.join(tmp, 'data');
    const wrong = await nasx(['data', 'fetch', 'cifar10', '--data-dir', dir, '--from', `${base}/full`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(
      /has md5 [0-9a-f]{32}, but the published value is c32a1d4ab5d03f1284b67883e8d87530 \(https:\/\/www\.cs\.toronto\.edu\/~kriz\/cifar\.html\)/,
    );
    expect(tree(dir)).toEqual([]);
    const pin = sha256(path.join(root, 'cifar-10-binary.tar.gz'));
    const r = await nasx(['data', 'fetch', 'cifar10', '--data-dir', dir, '--from', `${base}/full`, '--sha256', pin]);
    expect(r.stderr).toMatch(/cifar10: installed 7 file/);
    expect(r.code).toBe(0);
    for (const [name, data] of files.slice(0, 7)) expect(fs.readFileSync(path.join(dir, name))).toEqual(data);
    expect(fs.existsSync(path.join(dir, 'cifar-10-batches-bin', 'readme.html'))).toBe(false);
    const prov = JSON.parse(fs.readFileSync(path.join(dir, '.nasx-data', 'cifar10.json'), 'utf8'));
    expect(prov.upstream[0].verified).toMatch(/pinned with --sha256/);
  });

  it('an unknown dataset id gets "did you mean"', async () => {
    const r = await nasx(['data', 'fetch', 'nb2001', '--data-dir', tmp]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown dataset "nb2001".*did you mean "nb201"/s);
  });

  it('the tabular estimator reads fetched full-size tables (all 15,625 cells), and its missing-data error names the command', async () => {
    // The torch-made fixtures hold 5 cells; the estimator needs the whole space. This file has
    // the same structure, written by the package's synthetic writer (see its header).
    const rows = writeSyntheticNb201(path.join(root, NAME));
    const dir = path.join(tmp, 'data');
    const f = await nasx(['data', 'fetch', 'nb201', '--data-dir', dir, '--from', `${base}/full/`]);
    expect(f.code).toBe(0);
    const archs = [
      ARCH,
      '|none~0|+|none~0|none~1|+|none~0|none~1|none~2|',
      '|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|',
    ];
    const r = await nasx(['evaluate', 'examples/nb201-rea.yaml', ...archs, '--data-dir', dir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const got = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    archs.forEach((a, i) => {
      const row = rows[nb201CodeOfArchStr(a)]!;
      expect(got[i].metrics).toEqual({ 'val_acc@12': row.less['cifar10-valid|x-valid'], 'test_acc@200': row.full['cifar10|ori-test'] });
    });
    const missing = await nasx(['evaluate', 'examples/nb201-rea.yaml', ARCH, '--data-dir', path.join(tmp, 'empty')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nasx data fetch nb201/);
  });

  it('nb101: checks the published sha256, converts the official TFRecord, and the tabular estimator answers from the table', async () => {
    const fixtures = path.join(WORKSPACE, 'plugins', 'estimator-tabular', 'src', 'upstream', 'nb101', '__fixtures__');
    const expected = JSON.parse(fs.readFileSync(path.join(fixtures, 'nb101-full.fixture.expected.json'), 'utf8')) as {
      models: { [hash: string]: { adjacency: string; operations: string; budgets: { [e: string]: { val_acc: number; test_acc: number } } } };
    };
    fs.copyFileSync(path.join(fixtures, 'nb101-full.fixture.tfrecord'), path.join(root, 'nasbench_full.tfrecord'));
    const dir = path.join(tmp, 'data');
    const wrong = await nasx(['data', 'fetch', 'nb101', '--data-dir', dir, '--from', `${base}/full`]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/but the published value is 3d64db8180fb1b0207212f9032205064312b6907a3bbc81eabea10db2f5c7e9c/);
    expect(tree(dir)).toEqual([]);
    const pin = sha256(path.join(root, 'nasbench_full.tfrecord'));
    const r = await nasx(['data', 'fetch', 'nb101', '--data-dir', dir, '--from', `${base}/full`, '--sha256', pin]);
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'nas-bench-101', 'nb101_full.csv.gz'))).toBe(true);
    // A cell of the fixture in the space's text form: its adjacency matrix and operations.
    const [, cell] = Object.entries(expected.models).find(([, m]) => m.adjacency.length > 4)!;
    const n = Math.sqrt(cell.adjacency.length);
    const matrix = Array.from({ length: n }, (_, i) => Array.from(cell.adjacency.slice(i * n, (i + 1) * n), Number));
    const arch = `${JSON.stringify(matrix)}|${cell.operations}`;
    const config = path.join(tmp, 'nb101.yaml');
    fs.writeFileSync(
      config,
      'space: nb101\nestimator: { use: tabular, options: { benchmark: nb101, metric: val_acc, epochs: 108, report: [test_acc@108] } }\nsearcher: random\nbudget: { evaluations: 1 }\n',
    );
    const e = await nasx(['evaluate', config, arch, '--data-dir', dir, '--json']);
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const metrics = JSON.parse(e.stdout.trim().split('\n')[0]!).metrics as Record<string, number>;
    expect(metrics['val_acc@108']).toBeCloseTo(cell.budgets['108']!.val_acc * 100, 6);
    expect(metrics['test_acc@108']).toBeCloseTo(cell.budgets['108']!.test_acc * 100, 6);
  });
});
