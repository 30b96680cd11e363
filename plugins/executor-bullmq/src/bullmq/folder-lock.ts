import * as fs from 'node:fs';
import * as path from 'node:path';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Runs `fn` holding `<dir>/.lock` (exclusive create), so that worker processes sharing a state
 * folder prepare one after the other: the second finds the first one's state and reloads it. A
 * lock whose process is gone (a killed worker) is taken over.
 */
export async function withFolderLock<T>(dir: string, signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  fs.mkdirSync(dir, { recursive: true });
  const lock = path.join(dir, '.lock');
  for (;;) {
    signal.throwIfAborted();
    try {
      const fd = fs.openSync(lock, 'wx');
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(lock, 'utf8').trim());
      if (Number.isInteger(owner) && owner > 0 && !alive(owner)) {
        fs.rmSync(lock, { force: true });
        continue;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
