// A read-only npm registry on the loopback address, for installing nasx the way users do
// (`npm install @nasx/cli`, `npm create @nasx/plugin`) without reaching the internet:
//
// - the packed workspace packages (tools/scripts/pack.cjs) are served from their tarballs;
// - every third-party package of the workspace lockfile is served at the version the lockfile
//   pins, its tarball read from npm's content-addressed cache by the lockfile's integrity (npm ci
//   put it there), else packed from the installed folder in node_modules.
//
// npm resolves dependency ranges against these packuments exactly as it does against the public
// registry, so an install that works here needs nothing the workspace has not installed.
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');
const net = require('node:net');
const crypto = require('node:crypto');
const { spawnSync } = require('node:child_process');
const { root } = require('./workspace-packages.cjs');

const MANIFEST_FIELDS = [
  'dependencies',
  'optionalDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'bin',
  'engines',
  'os',
  'cpu',
  'libc',
  'hasInstallScript',
  'deprecated',
  'license',
];

function npmCacheDir() {
  if (process.env.npm_config_cache) return process.env.npm_config_cache;
  const r = spawnSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** The file of cacache content for an SRI integrity string (npm's cache layout, content-v2). */
function cachedContentPath(cacheDir, integrity) {
  for (const sri of String(integrity).split(/\s+/)) {
    const m = /^(sha512|sha384|sha256|sha1)-(.+)$/.exec(sri);
    if (!m) continue;
    const hex = Buffer.from(m[2], 'base64').toString('hex');
    const file = path.join(cacheDir, '_cacache', 'content-v2', m[1], hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
    if (fs.existsSync(file)) return file;
  }
  return undefined;
}

/** name of a lockfile key such as node_modules/a/node_modules/@s/b → @s/b */
function nameOfLockKey(key) {
  const i = key.lastIndexOf('node_modules/');
  return i < 0 ? undefined : key.slice(i + 'node_modules/'.length);
}

function sha512Integrity(buffer) {
  return `sha512-${crypto.createHash('sha512').update(buffer).digest('base64')}`;
}

/**
 * Starts the registry. `packed`: entries of pack.cjs's packAll(). Resolves to
 * { url, close(), served: Set of "name@version" tarballs served, missing: Set of names asked for
 * and not known }.
 */
async function startLocalRegistry({ packed = [], lockfile = path.join(root, 'package-lock.json'), cacheDir = npmCacheDir() } = {}) {
  const lock = JSON.parse(fs.readFileSync(lockfile, 'utf8'));
  /** name → Map(version → { manifest, tarball(): Buffer }) */
  const registry = new Map();
  const add = (name, version, manifest, load) => {
    if (!registry.has(name)) registry.set(name, new Map());
    const versions = registry.get(name);
    if (!versions.has(version)) versions.set(version, { manifest, load });
  };
  const ours = new Set(packed.map((p) => p.name));

  for (const [key, entry] of Object.entries(lock.packages || {})) {
    const name = entry.name || nameOfLockKey(key);
    if (!name || entry.link || !entry.version || ours.has(name) || (entry.resolved && !/^https?:/.test(entry.resolved))) continue;
    const manifest = { name, version: entry.version };
    for (const f of MANIFEST_FIELDS) if (entry[f] !== undefined) manifest[f] = entry[f];
    const dir = path.join(root, key);
    let cached;
    const load = () => {
      if (cached) return cached;
      const file = cacheDir && entry.integrity ? cachedContentPath(cacheDir, entry.integrity) : undefined;
      if (file) return (cached = { read: () => fs.readFileSync(file), integrity: entry.integrity.split(/\s+/)[0] });
      if (fs.existsSync(path.join(dir, 'package.json'))) {
        // Not in the cache (a cleaned cache): pack the installed folder instead.
        const out = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'nasx-registry-'));
        const r = spawnSync('npm', ['pack', dir, '--ignore-scripts', '--json', '--pack-destination', out], { encoding: 'utf8' });
        if (r.status === 0) {
          const buffer = fs.readFileSync(path.join(out, JSON.parse(r.stdout)[0].filename));
          fs.rmSync(out, { recursive: true, force: true });
          return (cached = { read: () => buffer, integrity: sha512Integrity(buffer) });
        }
        fs.rmSync(out, { recursive: true, force: true });
      }
      return undefined;
    };
    add(name, entry.version, manifest, load);
  }
  for (const p of packed) {
    const buffer = fs.readFileSync(p.file);
    const manifest = { name: p.name, version: p.version };
    for (const f of MANIFEST_FIELDS) if (p.pkg && p.pkg[f] !== undefined) manifest[f] = p.pkg[f];
    add(p.name, p.version, manifest, () => ({ read: () => buffer, integrity: p.integrity }));
  }

  const served = new Set();
  const missing = new Set();
  let base = '';

  function packument(name) {
    const versions = registry.get(name);
    if (!versions) return undefined;
    const out = { name, 'dist-tags': {}, versions: {} };
    let latest;
    for (const [version, v] of versions) {
      const t = v.load();
      if (!t) continue; // e.g. a platform binary npm never downloaded here
      out.versions[version] = {
        ...v.manifest,
        dist: { tarball: `${base}/-/tarball/${encodeURIComponent(name)}/${version}.tgz`, integrity: t.integrity },
      };
      if (!latest || compareVersions(version, latest) > 0) latest = version;
    }
    if (!latest) return undefined;
    out['dist-tags'].latest = latest;
    return out;
  }

  const server = http.createServer((req, res) => {
    const url = decodeURIComponent((req.url || '/').split('?')[0]);
    const tarball = /^\/-\/tarball\/(.+)\/([^/]+)\.tgz$/.exec(url);
    const prebuilt = /^\/-\/prebuild\/(.+)\/v([^/]+)\/[^/]+\.tar\.gz$/.exec(url);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    if (prebuilt) {
      const buffer = prebuildTarball(prebuilt[1], prebuilt[2]);
      if (!buffer) {
        res.writeHead(404).end();
        return;
      }
      served.add(`${prebuilt[1]}@${prebuilt[2]} (prebuilt binary)`);
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': buffer.length }).end(buffer);
      return;
    }
    if (tarball) {
      const v = registry.get(tarball[1])?.get(tarball[2]);
      const t = v && v.load();
      if (!t) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
        return;
      }
      served.add(`${tarball[1]}@${tarball[2]}`);
      const buffer = t.read();
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': buffer.length }).end(buffer);
      return;
    }
    const name = url.replace(/^\//, '');
    const doc = packument(name);
    if (!doc) {
      missing.add(name);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    const body = JSON.stringify(doc);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
  });
  // As an HTTP proxy it lets a client reach this registry and nothing else: a tool that ignores
  // noproxy (prebuild-install downloading a native binary) tunnels to the registry, any other
  // host is refused.
  server.on('connect', (req, socket) => {
    const port = server.address().port;
    if (req.url !== `127.0.0.1:${port}` && req.url !== `localhost:${port}`) {
      missing.add(`CONNECT ${req.url}`);
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  base = `http://127.0.0.1:${server.address().port}`;
  return {
    url: `${base}/`,
    /** Use as the proxy of the installing tools: it reaches this registry only. */
    proxy: base,
    /**
     * Environment variables pointing prebuild-install at this registry's copies of the native
     * binaries built in the workspace (as users download them from the packages' releases).
     */
    prebuildEnv: Object.fromEntries(
      PREBUILT.filter((name) => prebuildTarball(name, installedVersion(name)) !== undefined).map((name) => [
        `npm_config_${name.replace(/[^a-zA-Z0-9]/g, '_')}_binary_host`,
        `${base}/-/prebuild/${name}`,
      ]),
    ),
    served,
    missing,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Native packages installed with prebuild-install whose built binary the registry serves. */
const PREBUILT = ['better-sqlite3'];

function installedVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')).version;
  } catch {
    return undefined;
  }
}

/**
 * The prebuilt-binary tarball prebuild-install downloads for a package (`build/Release/<name>.node`),
 * made from the workspace's build of it; undefined when it is not built here or another version.
 */
const prebuilds = new Map();
function prebuildTarball(name, version) {
  if (!PREBUILT.includes(name) || version !== installedVersion(name)) return undefined;
  if (prebuilds.has(name)) return prebuilds.get(name);
  const dir = path.join(root, 'node_modules', name);
  const release = path.join(dir, 'build', 'Release');
  // The package's own addon only, as its released prebuilds hold (not test binaries built beside it).
  const binaries = [`${name.replace(/-/g, '_')}.node`].filter((f) => fs.existsSync(path.join(release, f)));
  let buffer;
  if (binaries.length) {
    const r = spawnSync('tar', ['-czf', '-', '-C', dir, ...binaries.map((f) => path.join('build', 'Release', f))], { maxBuffer: 1 << 28 });
    if (r.status === 0) buffer = r.stdout;
  }
  prebuilds.set(name, buffer);
  return buffer;
}

function compareVersions(a, b) {
  const pa = a.split(/[.+-]/);
  const pb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    const nx = Number(x);
    const ny = Number(y);
    if (!Number.isNaN(nx) && !Number.isNaN(ny) && nx !== ny) return nx - ny;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

module.exports = { startLocalRegistry, npmCacheDir, cachedContentPath };

if (require.main === module) {
  // node tools/scripts/local-registry.cjs [packed-dir]: serve until Ctrl-C (for trying installs by hand).
  (async () => {
    const dir = process.argv[2];
    const packed = dir ? require('./pack.cjs').packAll({ out: path.resolve(dir) }) : [];
    const reg = await startLocalRegistry({ packed });
    console.log(`registry at ${reg.url} — try: npm install --registry ${reg.url} @nasx/cli`);
  })().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
