import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isNasxError } from '@nasx/contracts';
import { withSchemaDefaults } from '@nasx/contracts';
import { describeWithRedis, freePort, startRedisServer } from '@nasx/testing';
import { bullmqSchema, type BullmqOptions } from './bullmq.schema';
import { checkRedis, maskedUrl, redisOptions } from './connection';

const opts = (o: Partial<BullmqOptions>): BullmqOptions => withSchemaDefaults(bullmqSchema, o) as BullmqOptions;
const place = { dir: os.tmpdir(), file: 'run.yaml', pointer: '/executor/options' };

describe('bullmq executor: connection options', () => {
  it('reads host, port, database, user and password from the URL; the password from the environment when the URL has none', () => {
    expect(redisOptions(opts({ redis: 'redis://alice:s%40cret@db.example:6380/3' }), place)).toEqual({
      host: 'db.example',
      port: 6380,
      db: 3,
      username: 'alice',
      password: 's@cret',
    });
    expect(redisOptions(opts({}), place)).toEqual({ host: '127.0.0.1', port: 6379, db: 0 });
    process.env['NASX_TEST_REDIS_PW'] = 'from-env';
    try {
      expect(redisOptions(opts({ redis: 'redis://h', passwordEnv: 'NASX_TEST_REDIS_PW' }), place)).toMatchObject({ host: 'h', password: 'from-env' });
      expect(redisOptions(opts({ redis: 'redis://:inurl@h', passwordEnv: 'NASX_TEST_REDIS_PW' }), place).password).toBe('inurl');
    } finally {
      delete process.env['NASX_TEST_REDIS_PW'];
    }
    expect(maskedUrl('redis://alice:s3cret@h:1/2')).toBe('redis://alice:***@h:1/2');
  });

  it('TLS: rediss:// turns it on; PEM files are read relative to the config; a missing file is a clear error', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-tls-'));
    try {
      fs.writeFileSync(path.join(dir, 'ca.pem'), 'CA');
      const tls = redisOptions(opts({ redis: 'rediss://secure.example:6380', tls: { ca: 'ca.pem', rejectUnauthorized: true } }), { ...place, dir }).tls as {
        ca: Buffer;
        servername: string;
        rejectUnauthorized: boolean;
      };
      expect([tls.ca.toString(), tls.servername, tls.rejectUnauthorized]).toEqual(['CA', 'secure.example', true]);
      expect(redisOptions(opts({ redis: 'redis://plain' }), place).tls).toBeUndefined();
      let caught: unknown;
      try {
        redisOptions(opts({ redis: 'rediss://h', tls: { cert: 'missing.pem', rejectUnauthorized: true } }), { ...place, dir });
      } catch (e) {
        caught = e;
      }
      expect(isNasxError(caught) && caught.message).toMatch(/the TLS cert file .*missing\.pem cannot be read/);
      expect(isNasxError(caught) && caught.where.pointer).toBe('/executor/options/tls/cert');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bad database in the URL is refused', () => {
    expect(() => redisOptions(opts({ redis: 'redis://h:6379/x' }), place)).toThrow(/names database "x"/);
  });
});

describeWithRedis('bullmq executor: reaching Redis', () => {
  it('TLS: a rediss:// server whose certificate the given CA signed answers; without the CA the certificate is refused', async () => {
    const server = await startRedisServer({ tls: true });
    try {
      expect(server.url).toMatch(/^rediss:\/\/127\.0\.0\.1:\d+$/);
      await expect(
        checkRedis(opts({ redis: server.url, tls: { ca: server.caFile!, rejectUnauthorized: true }, connectSeconds: 3 }), place),
      ).resolves.toBeUndefined();
      const refused = await checkRedis(opts({ redis: server.url, connectSeconds: 3 }), place).catch((e: unknown) => e);
      expect(isNasxError(refused) && refused.message).toMatch(/cannot reach Redis at rediss:\/\/127\.0\.0\.1:\d+: .*certificate/);
      expect(isNasxError(refused) && refused.fix).toMatch(/tls\.ca/);
    } finally {
      await server.dispose();
    }
  });

  it('an unreachable server and a wrong password are one clear error each, within connectSeconds', async () => {
    const port = await freePort();
    const t0 = Date.now();
    await expect(checkRedis(opts({ redis: `redis://127.0.0.1:${port}`, connectSeconds: 1 }), place)).rejects.toThrow(
      new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`),
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    const server = await startRedisServer({ password: 'right' });
    try {
      await expect(checkRedis(opts({ redis: server.url, passwordEnv: 'NASX_TEST_NO_SUCH_VAR' }), place)).rejects.toThrow(/refused the connection: NOAUTH/);
      await expect(checkRedis(opts({ redis: server.url.replace('redis://', 'redis://:wrong@') }), place)).rejects.toThrow(/refused the connection: WRONGPASS/);
      await expect(checkRedis(opts({ redis: server.url.replace('redis://', 'redis://:right@') }), place)).resolves.toBeUndefined();
    } finally {
      await server.dispose();
    }
  });
});
