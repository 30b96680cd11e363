import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The workspace's reference data (NAS-Bench tables, data samples) for tests: `NASX_TEST_DATA`, or
 * the `shared/data` folder beside the repository. `undefined` when absent (a user's clone).
 */
export function sharedDataDir(): string | undefined {
  const candidates = [process.env['NASX_TEST_DATA'], path.resolve(__dirname, '..', '..', '..', '..', 'shared', 'data')];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return undefined;
}

/**
 * `describe` that runs only when the reference data (and the given sub-folder) exists; otherwise it
 * registers one test that says why it did not run, so the skip is visible in the report.
 */
export function describeWithSharedData(name: string, subdir: string, body: (dataDir: string) => void): void {
  const dir = sharedDataDir();
  const present = dir !== undefined && fs.existsSync(path.join(dir, subdir));
  if (present) {
    describe(name, () => body(dir));
  } else {
    describe(name, () => {
      it(`needs the reference data folder shared/data/${subdir} beside the repository; absent here, so these checks did not run`, () => {
        console.warn(`[nasx tests] ${name}: shared/data/${subdir} not found (set NASX_TEST_DATA to run)`);
      });
    });
  }
}
