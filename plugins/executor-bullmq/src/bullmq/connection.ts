import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { NasxError } from '@nasx/contracts';
import type { ConnectionOptions } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import type { BullmqOptions } from './bullmq.schema';

export const PKG = '@nasx/executor-bullmq';

/** Where an option came from, for messages: a config entry (`/executor/options`) or `nasx worker`'s flags. */
export interface OptionsPlace {
  readonly file?: string;
  /** JSON pointer of the options object in `file`, e.g. `/executor/options`. */
  readonly pointer?: string;
  /** Folder relative TLS file names resolve against. */
  readonly dir: string;
}

/** The URL without its password, for messages and logs. */
export function maskedUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace(/\/$/, '');
  } catch {
    return url;
  }
}

function optionError(place: OptionsPlace, key: string, message: string, fix: string): NasxError {
  return new NasxError('config', message, {
    pkg: PKG,
    ...(place.file ? { file: place.file } : {}),
    ...(place.pointer ? { pointer: `${place.pointer}/${key}` } : {}),
    fix,
  });
}

/** ioredis options from the executor's options: host, port, db, AUTH (URL or environment), TLS files. */
export function redisOptions(options: BullmqOptions, place: OptionsPlace): RedisOptions {
  let u: URL;
  try {
    u = new URL(options.redis);
  } catch {
    throw optionError(place, 'redis', `redis "${options.redis}" is not a URL`, 'write it as redis://host:6379 (or rediss://host:6380 for TLS)');
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) {
    throw optionError(
      place,
      'redis',
      `redis "${maskedUrl(options.redis)}" names database "${dbText}"`,
      'end the URL with a database number, e.g. redis://host:6379/0, or nothing',
    );
  }
  const password = u.password ? decodeURIComponent(u.password) : process.env[options.passwordEnv] || undefined;
  const tlsWanted = u.protocol === 'rediss:' || options.tls !== undefined;
  const read = (key: 'ca' | 'cert' | 'key'): Buffer | undefined => {
    const file = options.tls?.[key];
    if (file === undefined) return undefined;
    const full = path.resolve(place.dir, file);
    try {
      return fs.readFileSync(full);
    } catch {
      throw optionError(place, `tls/${key}`, `the TLS ${key} file ${full} cannot be read`, `point tls.${key} at a PEM file (relative to ${place.dir})`);
    }
  };
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(password ? { password } : {}),
    ...(tlsWanted
      ? {
          tls: {
            // SNI takes host names only (RFC 6066); an address is checked against the certificate's IP names.
            ...(isIP(u.hostname.replace(/^\[|\]$/g, '')) ? {} : { servername: u.hostname }),
            rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
            ...(read('ca') ? { ca: read('ca') } : {}),
            ...(read('cert') ? { cert: read('cert') } : {}),
            ...(read('key') ? { key: read('key') } : {}),
          },
        }
      : {}),
  };
}

/**
 * The same settings for BullMQ's queues and workers (BullMQ declares its own structural type of
 * ioredis's options, which TypeScript cannot match member by member; the object is ioredis's).
 */
export function bullmqConnection(options: BullmqOptions, place: OptionsPlace): ConnectionOptions {
  return redisOptions(options, place) as ConnectionOptions;
}

/** A one-paragraph error for a Redis that cannot be used, by cause. */
export function redisError(options: BullmqOptions, cause: unknown, place: OptionsPlace): NasxError {
  const text = cause instanceof Error ? cause.message : String(cause);
  const where = maskedUrl(options.redis);
  const at = { pkg: PKG, ...(place.file ? { file: place.file } : {}), ...(place.pointer ? { pointer: `${place.pointer}/redis` } : {}) };
  if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(text)) {
    return new NasxError('run', `Redis at ${where} refused the connection: ${text}`, {
      ...at,
      fix: `give the password in the environment variable ${options.passwordEnv} (or the URL's user:password), as the server's requirepass / ACL says`,
    });
  }
  if (/certificate|SSL|TLS|self.signed/i.test(text)) {
    return new NasxError('run', `cannot reach Redis at ${where}: ${text}`, {
      ...at,
      fix: 'give the certificate authority that signed the server’s certificate as tls.ca (a PEM file; --options \'{"tls":{"ca":"ca.pem"}}\' for nasx worker)',
    });
  }
  return new NasxError('run', `cannot reach Redis at ${where}: ${text}`, {
    ...at,
    fix: 'start a Redis server there (Debian: apt-get install redis-server), or point redis at one that runs (redis://host:port)',
  });
}

/**
 * Connects once and pings, within `connectSeconds`, without the endless reconnection ioredis does by
 * default: an unreachable or refusing Redis becomes one clear error at start-up.
 */
export async function checkRedis(options: BullmqOptions, place: OptionsPlace): Promise<void> {
  const client = new Redis({
    ...redisOptions(options, place),
    lazyConnect: true,
    connectTimeout: options.connectSeconds * 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis rejects with "Connection is closed."; the cause (ECONNREFUSED, a timeout) comes as an event.
  let cause: Error | undefined;
  client.on('error', (e: Error) => (cause ??= e));
  try {
    await client.connect();
    await client.ping();
  } catch (e) {
    throw redisError(options, cause ?? e, place);
  } finally {
    client.disconnect();
  }
}

/** A client for the executor's own keys (job specs, worker registrations), retrying while Redis restarts. */
export function createClient(options: BullmqOptions, place: OptionsPlace, onError: (e: Error) => void): Redis {
  const client = new Redis({ ...redisOptions(options, place), maxRetriesPerRequest: null, retryStrategy: (times) => Math.min(times * 200, 2000) });
  client.on('error', onError);
  return client;
}
