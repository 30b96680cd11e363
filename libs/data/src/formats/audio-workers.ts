import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { NasxError } from '@nasx/contracts';
import { wavFeatures } from './audio';
import { DATA_PKG } from './ndarray';

/** A batch of files for a feature thread. */
export interface AudioJob {
  readonly id: number;
  readonly files: readonly string[];
  readonly frames: number;
  readonly rate: number;
}

/** A thread's answer: the features of the job's files, `[files × 96 × frames]`, or what failed. */
export interface AudioReply {
  readonly id: number;
  readonly data?: Float32Array;
  readonly error?: { readonly message: string; readonly fix?: string; readonly file?: string; readonly code?: string };
}

/** The compiled worker entry (tests run this module from sources; the thread always runs the build), or undefined. */
function workerEntry(): string | undefined {
  for (const f of [path.join(__dirname, 'audio.worker.js'), path.resolve(__dirname, '..', '..', 'dist', 'formats', 'audio.worker.js')])
    if (fs.existsSync(f)) return f;
  return undefined;
}

/**
 * FSD50K features of WAV files computed in worker threads, so that a training loop on the main
 * thread keeps running while the next shard is decoded (the streamed split asks for the next
 * shard before it needs it). Without the built worker (sources only) the features are computed on
 * the calling thread. Threads are started on first use and do not keep the process alive.
 */
export class AudioFeatureWorkers {
  private workers: Worker[] | undefined;
  private next = 0;
  private readonly pending = new Map<number, { resolve(d: Float32Array): void; reject(e: Error): void; worker: Worker }>();
  /** Jobs in flight per thread: a thread is referenced (keeps the process alive) only while it has some. */
  private readonly busy = new Map<Worker, number>();
  /** Whether features are computed in threads (false: on the calling thread). */
  readonly threaded: boolean;
  private readonly entry: string | undefined;

  constructor(
    /** Threads (default: one per core beyond the first, at least one). */
    readonly size = Math.max(1, Math.min(4, os.cpus().length - 1)),
    readonly frames = 101,
    readonly rate = 22050,
  ) {
    this.entry = workerEntry();
    this.threaded = this.entry !== undefined;
  }

  private start(): Worker[] {
    if (this.workers) return this.workers;
    this.workers = Array.from({ length: this.size }, () => {
      const w = new Worker(this.entry!);
      w.on('message', (r: AudioReply) => {
        const p = this.pending.get(r.id);
        if (!p) return;
        this.pending.delete(r.id);
        this.release(p.worker);
        if (r.data) p.resolve(r.data);
        else
          p.reject(
            new NasxError('data', r.error?.message ?? 'audio features failed', {
              pkg: DATA_PKG,
              ...(r.error?.file ? { file: r.error.file } : {}),
              fix: r.error?.fix ?? 'check the file',
            }),
          );
      });
      w.on('error', (e) => {
        for (const p of this.pending.values()) p.reject(e);
        this.pending.clear();
        for (const t of this.busy.keys()) t.unref();
        this.busy.clear();
      });
      // Idle threads do not keep the process alive (after the listeners: adding one refs the thread again).
      w.unref();
      return w;
    });
    return this.workers;
  }

  /** Features of `files`, `[files × 96 × frames]` in order. */
  async features(files: readonly string[]): Promise<Float32Array> {
    const per = 96 * this.frames;
    if (!this.threaded) {
      const out = new Float32Array(files.length * per);
      files.forEach((f, k) => {
        let bytes: Buffer;
        try {
          bytes = fs.readFileSync(f);
        } catch (e) {
          throw new NasxError('data', `${f} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, {
            pkg: DATA_PKG,
            file: f,
            fix: 'check the path',
          });
        }
        out.set(wavFeatures(f, bytes, this.frames, this.rate), k * per);
      });
      return out;
    }
    const workers = this.start();
    const parts = Math.min(workers.length, files.length);
    const step = Math.ceil(files.length / Math.max(1, parts));
    const jobs = Array.from({ length: parts }, (_, w) => files.slice(w * step, (w + 1) * step)).filter((j) => j.length > 0);
    const results = await Promise.all(
      jobs.map(
        (job, w) =>
          new Promise<Float32Array>((resolve, reject) => {
            const id = this.next++;
            const worker = workers[w]!;
            this.pending.set(id, { resolve, reject, worker });
            const n = this.busy.get(worker) ?? 0;
            if (n === 0) worker.ref();
            this.busy.set(worker, n + 1);
            worker.postMessage({ id, files: job, frames: this.frames, rate: this.rate } satisfies AudioJob);
          }),
      ),
    );
    const out = new Float32Array(files.length * per);
    let at = 0;
    for (const r of results) {
      out.set(r, at);
      at += r.length;
    }
    return out;
  }

  private release(worker: Worker): void {
    const n = (this.busy.get(worker) ?? 1) - 1;
    if (n > 0) this.busy.set(worker, n);
    else {
      this.busy.delete(worker);
      worker.unref();
    }
  }

  /** Stops the threads (they are restarted by the next call). */
  async close(): Promise<void> {
    const ws = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(ws.map((w) => w.terminate()));
  }
}
