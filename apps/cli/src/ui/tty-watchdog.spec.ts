import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

// The watchdog thread keeps the progress line's clock moving while the main thread is blocked by
// synchronous work. It needs the compiled helpers, so this test loads the built module (run the
// build first, as for the CLI tests). It blocks the main thread on purpose, for a few seconds.

const built = path.resolve(__dirname, '..', '..', 'dist', 'ui', 'tty-watchdog.js');

/** Block the main thread (as synchronous tensor work does). */
function block(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // busy
  }
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('TtyWatchdog (built)', () => {
  it('redraws the last frame with the clock moved on while the main thread is blocked, and never after stop()', async () => {
    // Like the CLI tests, this needs the build (node tools/scripts/build.cjs): fail, do not skip.
    expect(fs.existsSync(built)).toBe(true);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the compiled module, which the thread needs
    const { TtyWatchdog } = require(built) as typeof import('./tty-watchdog');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-watchdog-')), 'tty');
    const fd = fs.openSync(file, 'w');
    const w = TtyWatchdog.start(fd);
    expect(w).toBeDefined();
    // Let the thread start, then draw one frame and block the main thread for 4 s.
    await settle(300);
    w!.locked(() => fs.writeSync(fd, '\r\x1b[2K⠋ ranking 50 cells 3/50 cells · 00:10'));
    w!.drew({ prefix: 'ranking 50 cells 3/50 cells · ', suffix: ' · best 91', at: Date.now(), elapsedMs: 10_000, width: 60 });
    block(4000);
    const during = fs.readFileSync(file, 'utf8');
    const frames = during.split('\r\x1b[2K').filter(Boolean).slice(1);
    expect(frames.length).toBeGreaterThan(0);
    for (const f of frames) expect(f).toMatch(/^. ranking 50 cells 3\/50 cells · 00:1[1-4] · best 91$/);

    w!.stop();
    const size = fs.statSync(file).size;
    block(1500);
    await settle(300);
    expect(fs.statSync(file).size).toBe(size);
    fs.closeSync(fd);
  }, 20_000);
});
