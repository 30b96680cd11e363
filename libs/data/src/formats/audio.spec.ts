import { NasxError } from '@nasx/contracts';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Fft, MelSpectrogram, decodeWav, encodeWav, fsd50kFeatures, melFilterbank, powerToDb, tileToLength, wavFeatures } from './audio';
import { AudioFeatureWorkers } from './audio-workers';
import reference from './__fixtures__/audio.numpy.json';

/** A WAV file: a fmt chunk (`format`, or WAVE_FORMAT_EXTENSIBLE wrapping it), optional extra chunks, and the data. */
function wav(
  format: 1 | 3,
  bits: number,
  channels: number,
  data: Uint8Array,
  options: { extensible?: boolean; extra?: boolean; truncate?: number } = {},
): Uint8Array {
  const chunks: Buffer[] = [];
  const fmt = Buffer.alloc(options.extensible ? 40 : 16);
  fmt.writeUInt16LE(options.extensible ? 0xfffe : format, 0);
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(22050, 4);
  fmt.writeUInt32LE((22050 * channels * bits) / 8, 8);
  fmt.writeUInt16LE((channels * bits) / 8, 12);
  fmt.writeUInt16LE(bits, 14);
  if (options.extensible) {
    fmt.writeUInt16LE(22, 16);
    fmt.writeUInt16LE(format, 24);
  }
  const chunk = (id: string, body: Uint8Array) => {
    const h = Buffer.alloc(8);
    h.write(id, 0, 'latin1');
    h.writeUInt32LE(body.length, 4);
    chunks.push(h, Buffer.from(body), Buffer.alloc(body.length % 2));
  };
  chunk('fmt ', fmt);
  if (options.extra) chunk('LIST', Buffer.from('INFOISFT\x03\x00\x00\x00ab\x00', 'latin1'));
  chunk('data', data);
  let body = Buffer.concat(chunks);
  if (options.truncate) body = body.subarray(0, body.length - options.truncate);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WAVE', 8, 'latin1');
  return Buffer.concat([head, body]);
}

const noise = (i: number) => (2 * ((1103515245 * i + 12345) % 2 ** 31)) / 2 ** 31 - 1;
const signal = Float32Array.from(
  { length: 22050 },
  (_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / 22050) + 0.25 * Math.sin((2 * Math.PI * 3000 * i) / 22050) + 0.05 * noise(i),
);

describe('WAV decoding (as soundfile reads to float)', () => {
  it('16-bit PCM stereo mixed down, with an extra chunk skipped', () => {
    const d = Buffer.alloc(8);
    [16384, -16384, 32767, -32768].forEach((v, i) => d.writeInt16LE(v, 2 * i));
    const w = decodeWav(wav(1, 16, 2, d, { extra: true }), 'a.wav');
    expect([w.sampleRate, w.channels]).toEqual([22050, 2]);
    expect(Array.from(w.samples)).toEqual([0, Math.fround((32767 - 32768) / 2 / 32768)]);
  });

  it('24-bit and 8-bit PCM, 32-bit float, and WAVE_FORMAT_EXTENSIBLE', () => {
    const d24 = Buffer.from([0x00, 0x00, 0x40, 0xff, 0xff, 0xff]); // 0x400000, −1
    expect(Array.from(decodeWav(wav(1, 24, 1, d24), 'b.wav').samples)).toEqual([0.5, Math.fround(-1 / 8388608)]);
    expect(Array.from(decodeWav(wav(1, 8, 1, Buffer.from([128, 0, 192])), 'c.wav').samples)).toEqual([0, -1, 0.5]);
    const f = Buffer.from(Float32Array.from([0.25, -0.75]).buffer);
    expect(Array.from(decodeWav(wav(3, 32, 1, f), 'd.wav').samples)).toEqual([0.25, -0.75]);
    expect(Array.from(decodeWav(wav(3, 32, 1, f, { extensible: true }), 'e.wav').samples)).toEqual([0.25, -0.75]);
  });

  it('errors name the file and what is wrong', () => {
    const err = (bytes: Uint8Array) => {
      try {
        decodeWav(bytes, 'bad.wav');
      } catch (e) {
        expect(e).toBeInstanceOf(NasxError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(err(Buffer.from('ID3 not a wav at all'))).toMatch(/bad\.wav.*not a WAV file/);
    expect(err(wav(1, 16, 1, Buffer.alloc(100), { truncate: 10 }))).toMatch(/truncated: its data chunk needs 100 bytes and 90 remain/);
    expect(err(wav(1, 12, 1, Buffer.alloc(6)))).toMatch(/format 1 with 12-bit samples/);
  });

  it('tiles a short clip to the minimum length (np.tile then cut)', () => {
    expect(Array.from(tileToLength(Float32Array.from([1, 2, 3]), 7))).toEqual([1, 2, 3, 1, 2, 3, 1]);
    expect(tileToLength(signal, 100)).toBe(signal);
  });
});

describe('FFT of any length with small factors', () => {
  it.each([1920, 1000, 64, 7, 1])('matches a direct DFT for n = %i', (n) => {
    const re = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37) + noise(i));
    const im = Float64Array.from({ length: n }, (_, i) => Math.cos(i * 0.11));
    const [outRe, outIm] = [new Float64Array(n), new Float64Array(n)];
    new Fft(n).transform(re, im, outRe, outIm);
    for (const k of new Set([0, 1, Math.floor(n / 3), n - 1].filter((k) => k < n))) {
      let [sr, si] = [0, 0];
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * ((j * k) % n)) / n;
        sr += re[j]! * Math.cos(a) - im[j]! * Math.sin(a);
        si += re[j]! * Math.sin(a) + im[j]! * Math.cos(a);
      }
      expect(outRe[k]).toBeCloseTo(sr, 8);
      expect(outIm[k]).toBeCloseTo(si, 8);
    }
  });
});

describe('mel spectrogram and log-mel features (NumPy reference of torchaudio + librosa)', () => {
  it('mel filterbank (HTK, no norm) equals the reference', () => {
    const fb = melFilterbank(961, 0, 11025, 96, 22050);
    const sums = Array.from({ length: 96 }, (_, j) => Array.from({ length: 961 }, (_, k) => fb[k * 96 + j]!).reduce((a, b) => a + b, 0));
    sums.forEach((s, j) => expect(s).toBeCloseTo(reference.fbColumnSums[j]!, 4));
    for (const [k, j, v] of reference.fbEntries) expect(fb[k! * 96 + j!]).toBeCloseTo(v!, 6);
  });

  it('power mel spectrogram of a 1-s signal equals the reference to float32 precision', () => {
    const mel = new MelSpectrogram({ sampleRate: 22050, nFft: 1920, winLength: 661, hopLength: 220, nMels: 96 });
    const s = mel.compute(signal);
    expect(s.frames).toBe(reference.melFrames);
    for (const [j, f, v] of reference.melEntries) expect(Math.abs(s.data[j! * s.frames + f!]! - v!) / Math.max(1e-6, v!)).toBeLessThan(2e-4);
  });

  it('FSD50K features (power_to_db, + 75, zero mean) equal the reference, also for a 9,000-sample clip tiled to 1 s', () => {
    const f = fsd50kFeatures(signal);
    expect([f.mels, f.frames]).toEqual([96, 101]);
    reference.features.forEach((v, i) => expect(Math.abs(f.data[i * 13]! - v)).toBeLessThan(2e-3));
    expect(Math.max(...f.data)).toBeCloseTo(reference.featuresMax, 2);
    const short = fsd50kFeatures(signal.subarray(0, 9000));
    reference.featuresShort.forEach((v, i) => expect(Math.abs(short.data[i * 13]! - v)).toBeLessThan(2e-3));
    expect(Math.abs(f.data.reduce((a, b) => a + b, 0) / f.data.length)).toBeLessThan(1e-4);
  });

  it('a pure 1 kHz tone peaks in the mel band whose centre is nearest 1 kHz; power_to_db floors at max − 80 dB', () => {
    const tone = Float32Array.from({ length: 22050 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 22050));
    const s = new MelSpectrogram({ sampleRate: 22050, nFft: 1920, winLength: 661, hopLength: 220, nMels: 96 }).compute(tone);
    const frame = 50;
    const band = Array.from({ length: 96 }, (_, j) => s.data[j * s.frames + frame]!);
    const peak = band.indexOf(Math.max(...band));
    const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
    const centres = Array.from({ length: 96 }, (_, j) => 700 * (10 ** ((mel(11025) * (j + 1)) / 97 / 2595) - 1));
    const nearest = centres.reduce((best, c, j) => (Math.abs(c - 1000) < Math.abs(centres[best]! - 1000) ? j : best), 0);
    expect(Math.abs(peak - nearest)).toBeLessThanOrEqual(1);
    expect(Array.from(powerToDb(Float32Array.from([1, 100, 1e-20])))).toEqual([0, 20, -60]);
    expect(Array.from(powerToDb(Float32Array.from([1, 100, 1e-20]), { topDb: null }))).toEqual([0, 20, -100]);
  });
});

describe('audio features in worker threads', () => {
  it('equal the features computed on the calling thread, in file order; a missing file is a data error naming it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nasx-audio-'));
    try {
      const files = [440, 880, 1500].map((hz, i) => {
        const pcm = Buffer.alloc(2 * 22050);
        for (let t = 0; t < 22050; t++) pcm.writeInt16LE(Math.round(10000 * Math.sin((2 * Math.PI * hz * t) / 22050)), 2 * t);
        const f = path.join(dir, `${i}.wav`);
        fs.writeFileSync(f, wav(1, 16, 1, pcm));
        return f;
      });
      const workers = new AudioFeatureWorkers(2);
      expect(workers.threaded).toBe(fs.existsSync(path.resolve(__dirname, '..', '..', 'dist', 'formats', 'audio.worker.js')));
      const got = await workers.features(files);
      const per = 96 * 101;
      files.forEach((f, k) => expect(Array.from(got.subarray(k * per, (k + 1) * per))).toEqual(Array.from(wavFeatures(f, fs.readFileSync(f), 101, 22050))));
      await expect(workers.features([path.join(dir, 'missing.wav')])).rejects.toThrow(/missing\.wav: cannot be read \(ENOENT\)/);
      await workers.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('encodeWav', () => {
  it('writes 16-bit PCM that decodeWav reads back (rounded to 1/32768, clipped)', async () => {
    const w = decodeWav(encodeWav(Float32Array.from([0, 0.5, -1, 1.5, 1 / 100000]), 16000), 'x.wav');
    expect([w.sampleRate, w.channels]).toEqual([16000, 1]);
    expect(Array.from(w.samples)).toEqual([0, 0.5, -1, 32767 / 32768, 0]);
  });
});
