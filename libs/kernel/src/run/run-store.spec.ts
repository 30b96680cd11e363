import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JournalWriter, loadJournal } from './journal';
import { createRunFolder, lockRunFolder, makeDirs } from './run-store';

const made: string[] = [];
afterAll(() => made.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function runDir(): string {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-store-'));
  made.push(base);
  const dir = path.join(base, 'r-1');
  fs.mkdirSync(dir);
  return dir;
}

/** A pid that is certainly not running: a child that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('lockRunFolder: one writer per run folder', () => {
  it('refuses a second writer while a live process holds the lock, naming the run, the pid and the fix', async () => {
    const dir = runDir();
    // another live process holds the lock
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(path.join(dir, 'lock'), `${child.pid}\n`);
      expect(() => lockRunFolder(dir)).toThrow(
        expect.objectContaining({
          kind: 'usage',
          message: `run r-1 is in use by process ${child.pid} (another nasx run or resume is writing it)`,
          fix: expect.stringMatching(/kill \d+/),
        }),
      );
      // the journal writer and the resume path refuse too, before touching anything
      fs.writeFileSync(path.join(dir, 'events.ndjson'), 'torn');
      expect(() => new JournalWriter(path.join(dir, 'events.ndjson'))).toThrow(/is in use by process/);
      expect(() => loadJournal(path.join(dir, 'events.ndjson'), { repair: true })).toThrow(/is in use by process/);
      expect(fs.readdirSync(dir).sort()).toEqual(['events.ndjson', 'lock']);
    } finally {
      child.kill();
    }
  });

  it('refuses a second lock in the same process, and frees the folder on release', () => {
    const dir = runDir();
    const lock = lockRunFolder(dir);
    expect(fs.readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    expect(() => lockRunFolder(dir)).toThrow(/in use by process/);
    lock.release();
    expect(fs.existsSync(lock.file)).toBe(false);
    lockRunFolder(dir).release();
  });

  it('takes over a stale lock (its process is gone) with a warning', () => {
    const dir = runDir();
    const pid = deadPid();
    fs.writeFileSync(path.join(dir, 'lock'), `${pid}\n`);
    const warnings: string[] = [];
    const lock = lockRunFolder(dir, { warn: (w) => warnings.push(w) });
    expect(lock.tookOverFrom).toBe(pid);
    expect(warnings).toEqual([`run r-1 was locked by process ${pid}, which is no longer running (killed?); took the lock over`]);
    expect(fs.readFileSync(lock.file, 'utf8')).toBe(`${process.pid}\n`);
    lock.release();
  });

  it('takes over a lock file without a process id (damaged) after a second look, with a warning', () => {
    const dir = runDir();
    fs.writeFileSync(path.join(dir, 'lock'), 'garbage');
    const warnings: string[] = [];
    const lock = lockRunFolder(dir, { warn: (w) => warnings.push(w) });
    expect(warnings).toEqual(['run r-1 was locked by a lock file without a process id; took the lock over']);
    lock.release();
  });

  it('a journal writer holds the lock until it is closed', () => {
    const dir = runDir();
    const w = new JournalWriter(path.join(dir, 'events.ndjson'));
    expect(() => lockRunFolder(dir)).toThrow(/in use/);
    w.close();
    lockRunFolder(dir).release();
  });
});

describe('the runs directory', () => {
  const saved = { kernelVersion: '0', createdAt: '', configFile: 'c.yaml', config: {} };

  it("a path under /proc fails at once instead of hanging (Node's recursive mkdir loops on ENOENT there)", () => {
    if (!fs.existsSync('/proc/self')) return; // Linux only
    // A hang would time the test out (jest's limit); no wall-clock assertion here.
    expect(() => makeDirs('/proc/nasx-test/runs')).toThrow(expect.objectContaining({ code: 'ENOENT' }));
    expect(() => createRunFolder('/proc/nasx-test', 'x', saved)).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/cannot write the runs directory/) }),
    );
  });

  it('a file where the runs directory should be is a clear error', () => {
    const dir = runDir();
    fs.writeFileSync(path.join(dir, 'runs'), '');
    expect(() => createRunFolder(path.join(dir, 'runs'), 'x', saved)).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/not a folder/) }),
    );
    expect(() => createRunFolder(path.join(dir, 'runs', 'deeper'), 'x', saved)).toThrow(
      expect.objectContaining({ kind: 'usage', message: expect.stringMatching(/not a folder/) }),
    );
  });

  it('creates missing levels', () => {
    const dir = runDir();
    const { dir: run } = createRunFolder(path.join(dir, 'a', 'b'), 'x', saved);
    expect(fs.existsSync(path.join(run, 'config.json'))).toBe(true);
  });
});
