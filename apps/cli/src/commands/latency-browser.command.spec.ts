import { nasx, tempDir } from '../cli-test-helpers';
import type { CliIO } from '../io';
import { coarseClockNote } from './latency-browser.command';
import { latencyProfileCommand, type LatencyProfileOptions } from './latency.command';

// `nasx latency profile --browser`: mistakes in its options are one paragraph (exit 2), checked
// before any server starts; a profile that never comes back exits 1. (The page itself is tested
// in headless Chromium: browser-profile/browser-profile.spec.ts.)
describe('nasx latency profile --browser', () => {
  const dir = tempDir();
  const io: CliIO = { out: () => undefined, err: () => undefined, errIsTTY: false, cwd: dir, env: {} };
  const base: LatencyProfileOptions = { browser: true, space: 'mnas', input: [3, 32, 32], port: 0, out: 'table.csv', timeout: 60 };

  it.each<[Partial<LatencyProfileOptions>, RegExp]>([
    [{ backend: 'metal' }, /--backend "metal" is not a browser backend/],
    [{ port: 70000 }, /--port 70000 is not a port/],
    [{ device: 'my phone' }, /--device "my phone" is not a device name/],
    [{ out: 'missing/table.csv' }, /the folder of .*missing\/table.csv does not exist/],
    [{ timeout: 0 }, /--timeout 0 is not a number of seconds above 0/],
    [{ space: 'nb201', input: undefined }, /space "nb201" cannot list its operators/],
    [{ browser: undefined, host: '0.0.0.0' }, /--host goes with --browser/],
  ])('refuses %j', async (change, message) => {
    await expect(latencyProfileCommand(io, { ...base, ...change })).rejects.toMatchObject({ kind: 'usage', message: expect.stringMatching(message) });
  });

  it('exits 1 with the address to open when no browser comes in time, without a stack trace', () => {
    const args = ['latency', 'profile', '--browser', '--space', 'mnas', '--input', '3x32x32', '--port', '0', '-o', 'table.csv'];
    const late = nasx([...args, '--timeout', '0.5'], { cwd: dir });
    expect(late.stdout).toMatch(/Open this address in the browser to profile:\n {2}http:\/\/localhost:\d+\/[0-9a-f]{8}\n/);
    expect(late.stderr).toMatch(
      /error \(run\): package @nasx\/cli: no profile came back within 0.5 s \(no page opened http:\/\/localhost:\d+\/[0-9a-f]{8}\)\. Fix: open .* --host 0\.0\.0\.0/,
    );
    expect(late.stderr).not.toMatch(/\n\s+at /);
    expect(late.code).toBe(1);
  });
});

describe('coarseClockNote', () => {
  it('counts the operators under 5 ticks of the page clock, and says nothing when there are none', () => {
    const rows = [{ ms: 0.05 }, { ms: 0.3 }, { ms: 2 }];
    expect(coarseClockNote(rows, 0.1)).toMatch(/^note: the browser's clock ticks every 0.1 ms, so 2 of 3 operators \(those under 0.5 ms\)/);
    expect(coarseClockNote(rows, 0.005)).toBeUndefined();
  });
});
