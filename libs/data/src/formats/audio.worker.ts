// Entry of an audio feature thread (AudioFeatureWorkers): reads WAV files and computes their
// FSD50K log-mel features, so a training loop on the main thread does not wait for them.
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { NasxError } from '@nasx/contracts';
import { wavFeatures } from './audio';
import { dataError } from './ndarray';
import type { AudioJob, AudioReply } from './audio-workers';

const port = parentPort;
if (!port) throw new Error('audio.worker must run in a worker thread');
port.on('message', (job: AudioJob) => {
  const per = 96 * job.frames;
  const out = new Float32Array(job.files.length * per);
  let reply: AudioReply;
  try {
    job.files.forEach((file, k) => {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw dataError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`, 'check that the file exists where its manifest says');
      }
      out.set(wavFeatures(file, bytes, job.frames, job.rate), k * per);
    });
    reply = { id: job.id, data: out };
  } catch (e) {
    reply =
      e instanceof NasxError
        ? { id: job.id, error: { message: e.message, ...(e.fix ? { fix: e.fix } : {}), ...(e.where.file ? { file: e.where.file } : {}) } }
        : { id: job.id, error: { message: String((e as Error).message ?? e) } };
  }
  port.postMessage(reply, reply.data ? [reply.data.buffer as ArrayBuffer] : []);
});
