import * as fs from 'node:fs';
import * as path from 'node:path';
import { unpackPickle } from '@nasx/data';
import { nasxInProcess, tempDir } from '../cli-test-helpers';

// A gzip pickle of NumPy arrays (@nasx/data's fixture): its 480-byte image array is unpacked to disk.
const PICKLE = path.join(__dirname, '..', '..', '..', '..', 'libs', 'data', 'src', 'formats', '__fixtures__', 'arrays_p4.pkl.gz');

describe('nasx cache', () => {
  it('show lists each part and the unpacked releases with their source; clear --stale, a part, then everything', async () => {
    const dir = tempDir();
    const cache = path.join(dir, 'cache');
    const env = { NASX_CACHE_DIR: cache };
    const source = path.join(dir, 'release.pkl.gz');
    fs.copyFileSync(PICKLE, source);
    await unpackPickle(source, { minBytes: 256, dir: path.join(cache, 'unpacked') });
    fs.mkdirSync(path.join(cache, 'ajv'));
    fs.writeFileSync(path.join(cache, 'ajv', 'x.cjs'), 'x'.repeat(2000));

    const shown = await nasxInProcess(['cache', 'show', '--json'], { env });
    expect(shown.code).toBe(0);
    const report = JSON.parse(shown.stdout) as {
      dir: string;
      parts: { part: string; bytes: number }[];
      unpacked: { bytes: number; source: { file: string }; current: boolean }[];
    };
    expect(report.dir).toBe(cache);
    expect(Object.fromEntries(report.parts.map((p) => [p.part, p.bytes]))).toMatchObject({ ajv: 2000, nb101: 0 });
    expect(report.unpacked).toEqual([
      expect.objectContaining({ bytes: 480, current: true, source: expect.objectContaining({ file: fs.realpathSync(source) }) }),
    ]);
    const text = await nasxInProcess(['cache', 'show'], { env });
    expect(text.stdout).toContain(`nasx cache: ${cache}`);
    expect(text.stdout).toMatch(/release\.pkl\.gz-\w+\.bin .*current/);

    // The pickle changes: its unpacked arrays are stale, and --stale removes only them.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(source, later, later);
    expect((await nasxInProcess(['cache', 'show'], { env })).stdout).toContain('stale: its pickle is gone or changed');
    const stale = await nasxInProcess(['cache', 'clear', '--stale'], { env });
    expect([stale.code, stale.stdout]).toEqual([0, `freed 480 B in ${cache}\n`]);
    expect(fs.readdirSync(path.join(cache, 'unpacked'))).toEqual([]);
    expect(fs.existsSync(path.join(cache, 'ajv', 'x.cjs'))).toBe(true);

    const part = await nasxInProcess(['cache', 'clear', 'ajv'], { env });
    expect(part.stdout).toBe(`freed 1.95 KB in ${cache}\n`);
    expect(fs.existsSync(path.join(cache, 'ajv'))).toBe(false);
    expect((await nasxInProcess(['cache', 'clear'], { env })).code).toBe(0);
    expect(fs.existsSync(cache)).toBe(false);
  });

  it('an unknown part and a cache that is off: one paragraph each, exit 2', async () => {
    const dir = tempDir();
    const bad = await nasxInProcess(['cache', 'clear', 'validators'], { env: { NASX_CACHE_DIR: dir } });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown cache part "validators"[\s\S]*unpacked, ajv, nb101/);
    expect(fs.existsSync(dir)).toBe(true);
    const off = await nasxInProcess(['cache', 'show'], { env: { NASX_CACHE_DIR: 'off' } });
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/the cache is off \(NASX_CACHE_DIR=off\)/);
    expect(off.stderr).not.toMatch(/\n\s+at /);
  });
});
