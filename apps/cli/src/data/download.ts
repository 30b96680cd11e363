import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { NasxError } from '@nasx/contracts';

/** Progress of a transfer: bytes done, of total when the server said. */
export type ByteProgress = (done: number, total: number | undefined) => void;

const MAX_REDIRECTS = 10;

function downloadError(url: string, message: string, fix: string, kind: 'data' | 'run' = 'run', cause?: unknown): NasxError {
  return new NasxError(kind, `downloading ${url}: ${message}`, { file: url, fix, cause });
}

/** Opens a GET (following redirects), asking for bytes from `from` on when it is > 0. */
function request(url: string, from: number, signal: AbortSignal, hops = 0): Promise<{ res: http.IncomingMessage; url: string }> {
  return new Promise((resolve, reject) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      reject(downloadError(url, 'not a valid URL', 'give an http(s):// or file:// URL, or a local path', 'data'));
      return;
    }
    const mod = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!mod) {
      reject(downloadError(url, `unsupported protocol ${u.protocol}`, 'give an http(s):// or file:// URL, or a local path', 'data'));
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'user-agent': 'nasx-data', accept: '*/*' };
    if (from > 0) headers['range'] = `bytes=${from}-`;
    const req = mod.get(u, { headers, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hops >= MAX_REDIRECTS) {
          reject(downloadError(url, `more than ${MAX_REDIRECTS} redirects`, 'check the URL, or download the file yourself and pass its folder with --from'));
          return;
        }
        resolve(request(new URL(res.headers.location, u).toString(), from, signal, hops + 1));
        return;
      }
      resolve({ res, url });
    });
    req.on('error', (e) => {
      if (signal.aborted) reject(signal.reason ?? e);
      else
        reject(
          downloadError(
            url,
            `${(e as NodeJS.ErrnoException).code ?? ''} ${e.message}`.trim(),
            'check the network connection and the URL, then run the command again (a partial download resumes), or download the file yourself and pass its folder with --from',
            'run',
            e,
          ),
        );
    });
  });
}

/**
 * Downloads `url` into `part`, resuming from the bytes already there when the server honours
 * ranges (206 with a matching Content-Range), else starting over. Throws a `NasxError` for an
 * HTTP error, a web page where a file was expected, or a body shorter than its Content-Length.
 * On abort (Ctrl-C) the part file is kept, for the next run to resume.
 */
export async function downloadTo(url: string, part: string, signal: AbortSignal, onProgress: ByteProgress): Promise<void> {
  const have = fs.existsSync(part) ? fs.statSync(part).size : 0;
  const { res, url: finalUrl } = await request(url, have, signal);
  const status = res.statusCode ?? 0;
  if (status === 416 && have > 0) {
    // Range not satisfiable: the part is complete already, or stale; start over once.
    res.resume();
    fs.rmSync(part, { force: true });
    return downloadTo(url, part, signal, onProgress);
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    const fix =
      status === 404 || status === 403
        ? 'check the URL (with --from: the mirror must serve the file under its upstream name), or download the file yourself and pass its folder with --from'
        : 'try again later, or download the file yourself and pass its folder with --from';
    throw downloadError(url, `the server answered HTTP ${status} ${res.statusMessage ?? ''}`.trim(), fix, status >= 400 && status < 500 ? 'data' : 'run');
  }
  const type = String(res.headers['content-type'] ?? '');
  if (/text\/html/i.test(type)) {
    res.resume();
    throw downloadError(
      finalUrl,
      'the server sent a web page instead of the file (Google Drive does this when its download quota is exceeded or it asks for a confirmation)',
      'open the URL in a browser, download the file, and pass its folder (or the file) with --from',
      'run',
    );
  }
  let start = 0;
  if (status === 206) {
    const m = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(res.headers['content-range'] ?? ''));
    if (!m || Number(m[1]) !== have) {
      res.resume();
      fs.rmSync(part, { force: true });
      return downloadTo(url, part, signal, onProgress);
    }
    start = have;
  }
  const length = res.headers['content-length'] === undefined ? undefined : Number(res.headers['content-length']);
  const total = length === undefined ? undefined : start + length;
  let done = start;
  let received = 0;
  onProgress(done, total);
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      done += chunk.length;
      received += chunk.length;
      onProgress(done, total);
      cb(null, chunk);
    },
  });
  let closedEarly = false;
  res.on('aborted', () => (closedEarly = true));
  try {
    await pipeline(res, counter, fs.createWriteStream(part, { flags: start > 0 ? 'a' : 'w' }), { signal });
  } catch (e) {
    if (signal.aborted) throw signal.reason ?? e;
    closedEarly = true;
  }
  if (closedEarly || (length !== undefined && received !== length)) {
    throw downloadError(
      url,
      `the connection closed after ${received} of ${length ?? 'the'} bytes (a truncated download)`,
      'run the command again; if it keeps happening, download the file yourself and pass its folder with --from',
      'run',
    );
  }
}
