import * as fs from 'node:fs';
import * as path from 'node:path';
import { NasxError, type JsonObject } from '@nasx/contracts';

/** What a run folder's `config.json` holds. */
export interface SavedRunConfig {
  readonly runId: string;
  readonly kernelVersion: string;
  readonly createdAt: string;
  /** The config file the run was started from. */
  readonly configFile: string;
  /**
   * The folder relative paths of the config resolve against (the config file's): `plugins`,
   * `dataDir` and plugin options keep working on resume from any working directory. Absent in runs
   * of older versions, whose relative paths resolve against the config file's folder.
   */
  readonly configDir?: string;
  /** The config after overrides, with the seed made explicit. */
  readonly config: JsonObject;
}

/** File names inside `runs/<id>/`. */
export const RUN_FILES = { config: 'config.json', journal: 'events.ndjson', summary: 'summary.json', state: 'state' } as const;

function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** Create `runs/<name>-<date>-<time>-<rand>/` and write its config. */
export function createRunFolder(runsDir: string, name: string, saved: Omit<SavedRunConfig, 'runId'>): { runId: string; dir: string } {
  fs.mkdirSync(runsDir, { recursive: true });
  for (;;) {
    const runId = `${name}-${stamp(new Date())}-${Math.floor(Math.random() * 0x10000)
      .toString(16)
      .padStart(4, '0')}`;
    const dir = path.join(runsDir, runId);
    try {
      fs.mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw e;
    }
    fs.writeFileSync(path.join(dir, RUN_FILES.config), JSON.stringify({ runId, ...saved }, null, 2) + '\n');
    return { runId, dir };
  }
}

/** Read a run folder's saved config; a clear error when the folder is not a run. */
export function readRunFolder(dir: string): SavedRunConfig {
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) {
    throw new NasxError('usage', `"${dir}" is not a run folder (no ${RUN_FILES.config})`, {
      file: dir,
      fix: 'pass a folder under runs/ created by "nasx run" (ls runs/)',
    });
  }
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SavedRunConfig;
  } catch (e) {
    throw new NasxError('usage', `the run's ${RUN_FILES.config} is not valid JSON (${(e as Error).message})`, { file, fix: 'the run folder is damaged; start a new run' });
  }
}
