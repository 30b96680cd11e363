import * as fs from 'node:fs';
import * as path from 'node:path';

/** How to get a browser for the headless-browser tests, for skip messages and set-up. */
export const CHROMIUM_INSTALL_HINT = 'install Chromium (Debian/Ubuntu: apt-get install chromium) or set NASX_CHROMIUM to a Chrome or Chromium binary';

/**
 * A Chromium (or Chrome) binary for Playwright's `executablePath`: `NASX_CHROMIUM`, else the first
 * of chromium, chromium-browser, google-chrome on the PATH. `undefined` when there is none.
 */
export function chromiumPath(): string | undefined {
  const given = process.env['NASX_CHROMIUM'];
  if (given) return fs.existsSync(given) ? given : undefined;
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter).filter(Boolean)) {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
      const file = path.join(dir, name);
      try {
        fs.accessSync(file, fs.constants.X_OK);
        return file;
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/**
 * `describe` that runs only where a Chromium binary is present ({@link chromiumPath}); otherwise it
 * registers one skipped test whose name says how to install it, so the skip shows in the report.
 */
export function describeWithChromium(name: string, body: (executablePath: string) => void): void {
  const exe = chromiumPath();
  if (exe) {
    describe(name, () => body(exe));
  } else {
    describe(name, () => {
      it.skip(`needs a Chromium browser: ${CHROMIUM_INSTALL_HINT}; absent here, so these checks did not run`, () => undefined);
    });
  }
}
