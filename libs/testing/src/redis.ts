import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** How to get Redis for the distributed-execution tests, for skip messages and set-up. */
export const REDIS_INSTALL_HINT = 'install Redis (Debian/Ubuntu: apt-get install redis-server) or set NASX_REDIS_SERVER to a redis-server binary';

/** The `redis-server` binary: `NASX_REDIS_SERVER`, else the first on the PATH; `undefined` when there is none. */
export function redisServerPath(): string | undefined {
  const given = process.env['NASX_REDIS_SERVER'];
  if (given) return fs.existsSync(given) ? given : undefined;
  for (const dir of [...(process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean), '/usr/sbin', '/usr/bin']) {
    const file = path.join(dir, 'redis-server');
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** A free TCP port on the loopback address. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** A real redis-server on the loopback address, in a temporary folder of its own. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, or `rediss://…` for a TLS server. */
  readonly url: string;
  /** TLS servers: the PEM file of the certificate authority that signed the server's certificate. */
  readonly caFile?: string;
  readonly port: number;
  readonly dir: string;
  /** Stops the server (SIGTERM: it writes its append-only file and exits). */
  stop(): Promise<void>;
  /** Stops it and starts it again on the same port and folder (what it persisted comes back). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  dispose(): Promise<void>;
}

/**
 * Starts `redis-server` on a free loopback port. `persist` turns on the append-only file with an
 * fsync per write (jobs survive a restart); without it a restart loses every key. `password`
 * requires AUTH. `tls` serves TLS only, with a certificate for 127.0.0.1 signed by a certificate
 * authority made for the occasion (openssl).
 */
export async function startRedisServer(opts: { persist?: boolean; password?: string; tls?: boolean } = {}): Promise<RedisServer> {
  const bin = redisServerPath();
  if (!bin) throw new Error(`no redis-server: ${REDIS_INSTALL_HINT}`);
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-redis-'));
  let child: ChildProcess | undefined;
  const tls = opts.tls ? makeCertificates(dir) : undefined;
  const args = [
    ...(tls
      ? [
          '--port',
          '0',
          '--tls-port',
          String(port),
          '--tls-cert-file',
          tls.cert,
          '--tls-key-file',
          tls.key,
          '--tls-ca-cert-file',
          tls.ca,
          '--tls-auth-clients',
          'no',
        ]
      : ['--port', String(port)]),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
    ...(opts.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(opts.password ? ['--requirepass', opts.password] : []),
  ];
  const start = async (): Promise<void> => {
    child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    // Ready once it accepts connections.
    const until = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`redis-server exited (${child.exitCode}): ${stderr}`);
      const ok = await new Promise<boolean>((resolve) => {
        // destroy, not end: a TLS server keeps a half-closed plaintext probe open, and the socket
        // then outlives the server and keeps the test process from exiting.
        const s = net.connect(port, '127.0.0.1', () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => {
          s.destroy();
          resolve(false);
        });
      });
      if (ok) return;
      if (Date.now() > until) throw new Error(`redis-server did not listen on port ${port}: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = undefined;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await start();
  return {
    url: `${tls ? 'rediss' : 'redis'}://127.0.0.1:${port}`,
    ...(tls ? { caFile: tls.ca } : {}),
    port,
    dir,
    stop,
    async restart() {
      await stop();
      await start();
    },
    async dispose() {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A certificate authority and a server certificate for 127.0.0.1 it signed, in `dir` (openssl). */
function makeCertificates(dir: string): { ca: string; cert: string; key: string } {
  const f = (name: string) => path.join(dir, name);
  const run = (args: string[]) => {
    const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  fs.writeFileSync(f('san.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=nasx test CA']);
  run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1']);
  run([
    'x509',
    '-req',
    '-in',
    f('server.csr'),
    '-CA',
    f('ca.pem'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-out',
    f('server.pem'),
    '-days',
    '2',
    '-extfile',
    f('san.cnf'),
  ]);
  return { ca: f('ca.pem'), cert: f('server.pem'), key: f('server.key') };
}

/**
 * `describe` that runs only where `redis-server` is installed ({@link redisServerPath}); otherwise
 * it registers one skipped test whose name says how to install it, so the skip shows in the report.
 */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisServerPath()) {
    describe(name, body);
  } else {
    describe(name, () => {
      it.skip(`needs redis-server: ${REDIS_INSTALL_HINT}; absent here, so these checks did not run`, () => undefined);
    });
  }
}
