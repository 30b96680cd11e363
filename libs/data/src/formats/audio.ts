/**
 * Audio: WAV files and the log-mel features NAS-Bench-360 trains FSD50K on. `decodeWav` reads
 * RIFF/WAVE as soundfile does (samples scaled to [-1, 1), channels mixed down); `MelSpectrogram`
 * reproduces torchaudio's `transforms.MelSpectrogram` (periodic Hann window zero-padded to `n_fft`,
 * centred frames with reflect padding, |STFT|², HTK mel filters without normalisation);
 * `powerToDb` is librosa's `power_to_db`. The FFT is a mixed-radix one for any length whose
 * factors are small (FSD50K's n_fft is 1,920 = 2⁷·3·5), in float64.
 */
import { dataError } from './ndarray';

/** A decoded WAV file. */
export interface Wav {
  readonly sampleRate: number;
  /** Channels in the file (the samples are their mean). */
  readonly channels: number;
  /** Mono samples in [-1, 1). */
  readonly samples: Float32Array;
}

/**
 * Decodes RIFF/WAVE bytes: PCM (format 1) of 8, 16, 24 or 32 bits, IEEE float (format 3) of 32 or
 * 64 bits, or WAVE_FORMAT_EXTENSIBLE of either; unknown chunks are skipped. Integer samples are
 * scaled as soundfile scales them to float (÷ 2^(bits−1); 8-bit is unsigned, centred at 128), and
 * several channels are averaged into one.
 */
export function decodeWav(bytes: Uint8Array, file: string): Wav {
  const fix = 'use a WAV file (PCM 8/16/24/32-bit or IEEE float), as the release ships';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw dataError(file, 'is not a WAV file (no RIFF/WAVE header)', fix);
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16) throw dataError(file, `has a fmt chunk of ${size} bytes`, fix);
      let format = view.getUint16(body, true);
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true); // the sub-format GUID's first 2 bytes
      fmt = { format, channels: view.getUint16(body + 2, true), rate: view.getUint32(body + 4, true), bits: view.getUint16(body + 14, true) };
    } else if (id === 'data') {
      if (!fmt) throw dataError(file, 'has its data chunk before a fmt chunk', fix);
      const { format, channels, rate, bits } = fmt;
      const width = bits / 8;
      const supported = (format === 1 && [8, 16, 24, 32].includes(bits)) || (format === 3 && (bits === 32 || bits === 64));
      if (!supported) throw dataError(file, `holds format ${format} with ${bits}-bit samples, which is not PCM 8/16/24/32-bit or IEEE float 32/64-bit`, fix);
      if (channels < 1) throw dataError(file, 'declares 0 channels', fix);
      if (body + size > bytes.length)
        throw dataError(file, `is truncated: its data chunk needs ${size} bytes and ${bytes.length - body} remain`, 'download or write the file again');
      const frames = Math.floor(size / (width * channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) {
          const o = body + (i * channels + c) * width;
          let v: number;
          if (format === 3) v = bits === 32 ? view.getFloat32(o, true) : view.getFloat64(o, true);
          else if (bits === 8) v = (bytes[o]! - 128) / 128;
          else if (bits === 16) v = view.getInt16(o, true) / 32768;
          else if (bits === 24) v = (((bytes[o + 2]! << 24) | (bytes[o + 1]! << 16) | (bytes[o]! << 8)) >> 8) / 8388608;
          else v = view.getInt32(o, true) / 2147483648;
          sum += v;
        }
        samples[i] = sum / channels;
      }
      return { sampleRate: rate, channels, samples };
    }
    at = body + size + (size % 2);
  }
  throw dataError(file, fmt ? 'has no data chunk' : 'has no fmt chunk', fix);
}

/** A mono 16-bit PCM WAV file of `samples` in [-1, 1) (rounded to multiples of 1/32768, clipped): what {@link decodeWav} reads back. */
export function encodeWav(samples: Float32Array, sampleRate = 22050): Buffer {
  const data = Buffer.alloc(samples.length * 2);
  samples.forEach((v, i) => data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(v * 32768))), 2 * i));
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(1, 22);
  h.writeUInt32LE(sampleRate, 24);
  h.writeUInt32LE(sampleRate * 2, 28);
  h.writeUInt16LE(2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}

/** NAS-Bench-360's `load_audio` minimum duration: a clip shorter than `minSamples` is tiled (`np.tile`) and cut to it. */
export function tileToLength(samples: Float32Array, minSamples: number): Float32Array {
  if (samples.length >= minSamples || samples.length === 0) return samples;
  const out = new Float32Array(minSamples);
  for (let i = 0; i < minSamples; i++) out[i] = samples[i % samples.length]!;
  return out;
}

/** A complex FFT of one length `n` (any positive integer; fast when its prime factors are small), forward. */
export class Fft {
  private readonly factors: number[] = [];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly scratch: { re: Float64Array; im: Float64Array };
  /** Per radix p: cos and sin of −2π·(rq mod p)/p, p × p. */
  private readonly roots = new Map<number, { cos: Float64Array; sin: Float64Array }>();

  constructor(readonly n: number) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`Fft: length must be a positive integer, got ${n}`);
    let m = n;
    for (const p of [4, 2, 3, 5]) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    for (let p = 7; m > 1; p += 2) {
      while (m % p === 0) {
        this.factors.push(p);
        m /= p;
      }
    }
    this.cos = Float64Array.from({ length: n }, (_, k) => Math.cos((-2 * Math.PI * k) / n));
    this.sin = Float64Array.from({ length: n }, (_, k) => Math.sin((-2 * Math.PI * k) / n));
    for (const p of new Set(this.factors)) {
      const c = new Float64Array(p * p);
      const sn = new Float64Array(p * p);
      for (let r = 0; r < p; r++)
        for (let q = 0; q < p; q++) {
          c[r * p + q] = Math.cos((-2 * Math.PI * ((r * q) % p)) / p);
          sn[r * p + q] = Math.sin((-2 * Math.PI * ((r * q) % p)) / p);
        }
      this.roots.set(p, { cos: c, sin: sn });
    }
    const largest = Math.max(1, ...this.factors);
    this.scratch = { re: new Float64Array(largest), im: new Float64Array(largest) };
  }

  /** `out = DFT(in)`: X[k] = Σ x[j]·e^(−2πi·jk/n). Input and output must not overlap. */
  transform(inRe: Float64Array, inIm: Float64Array, outRe: Float64Array, outIm: Float64Array): void {
    this.step(inRe, inIm, 0, 1, outRe, outIm, 0, this.n, 0);
  }

  private step(
    inRe: Float64Array,
    inIm: Float64Array,
    inAt: number,
    stride: number,
    outRe: Float64Array,
    outIm: Float64Array,
    outAt: number,
    n: number,
    f: number,
  ): void {
    if (n === 1) {
      outRe[outAt] = inRe[inAt]!;
      outIm[outAt] = inIm[inAt]!;
      return;
    }
    const p = this.factors[f]!;
    const m = n / p;
    if (m === 1)
      for (let r = 0; r < p; r++) {
        outRe[outAt + r] = inRe[inAt + r * stride]!;
        outIm[outAt + r] = inIm[inAt + r * stride]!;
      }
    else for (let r = 0; r < p; r++) this.step(inRe, inIm, inAt + r * stride, stride * p, outRe, outIm, outAt + r * m, m, f + 1);
    // Combine the p sub-transforms Y_r (at outAt + r·m): X[k + q·m] = Σ_r W_p^(rq) · W_n^(rk) Y_r[k].
    const unit = this.n / n; // W_n^j = W_N^(j·N/n); r·k·unit < N
    const { re: tr, im: ti } = this.scratch;
    const { cos, sin } = this;
    if (p === 4 || p === 2) {
      // Specialised butterflies (W_4 = −i, W_2 = −1).
      for (let k = 0; k < m; k++) {
        const i0 = outAt + k;
        const w1 = k * unit;
        const a0r = outRe[i0]!;
        const a0i = outIm[i0]!;
        const y1r = outRe[i0 + m]!;
        const y1i = outIm[i0 + m]!;
        const a1r = y1r * cos[w1]! - y1i * sin[w1]!;
        const a1i = y1r * sin[w1]! + y1i * cos[w1]!;
        if (p === 2) {
          outRe[i0] = a0r + a1r;
          outIm[i0] = a0i + a1i;
          outRe[i0 + m] = a0r - a1r;
          outIm[i0 + m] = a0i - a1i;
          continue;
        }
        const [w2, w3] = [2 * w1, 3 * w1];
        const y2r = outRe[i0 + 2 * m]!;
        const y2i = outIm[i0 + 2 * m]!;
        const y3r = outRe[i0 + 3 * m]!;
        const y3i = outIm[i0 + 3 * m]!;
        const a2r = y2r * cos[w2]! - y2i * sin[w2]!;
        const a2i = y2r * sin[w2]! + y2i * cos[w2]!;
        const a3r = y3r * cos[w3]! - y3i * sin[w3]!;
        const a3i = y3r * sin[w3]! + y3i * cos[w3]!;
        const [s02r, s02i, d02r, d02i] = [a0r + a2r, a0i + a2i, a0r - a2r, a0i - a2i];
        const [s13r, s13i, d13r, d13i] = [a1r + a3r, a1i + a3i, a1r - a3r, a1i - a3i];
        outRe[i0] = s02r + s13r;
        outIm[i0] = s02i + s13i;
        // X[k + m] = a0 − i a1 − a2 + i a3 = d02 − i d13
        outRe[i0 + m] = d02r + d13i;
        outIm[i0 + m] = d02i - d13r;
        outRe[i0 + 2 * m] = s02r - s13r;
        outIm[i0 + 2 * m] = s02i - s13i;
        // X[k + 3m] = a0 + i a1 − a2 − i a3 = d02 + i d13
        outRe[i0 + 3 * m] = d02r - d13i;
        outIm[i0 + 3 * m] = d02i + d13r;
      }
      return;
    }
    const { cos: rc, sin: rs } = this.roots.get(p)!;
    for (let k = 0; k < m; k++) {
      for (let r = 0; r < p; r++) {
        const w = r * k * unit;
        const yr = outRe[outAt + r * m + k]!;
        const yi = outIm[outAt + r * m + k]!;
        tr[r] = yr * cos[w]! - yi * sin[w]!;
        ti[r] = yr * sin[w]! + yi * cos[w]!;
      }
      for (let q = 0; q < p; q++) {
        let sr = 0;
        let si = 0;
        for (let r = 0; r < p; r++) {
          const c = rc[r * p + q]!;
          const sn = rs[r * p + q]!;
          sr += tr[r]! * c - ti[r]! * sn;
          si += tr[r]! * sn + ti[r]! * c;
        }
        outRe[outAt + q * m + k] = sr;
        outIm[outAt + q * m + k] = si;
      }
    }
  }
}

/**
 * torchaudio's `melscale_fbanks(n_freqs, f_min, f_max, n_mels, sample_rate, norm=None,
 * mel_scale='htk')`: `[nFreqs × nMels]` row-major triangular filters on `linspace(0, sr/2, nFreqs)`.
 */
export function melFilterbank(nFreqs: number, fMin: number, fMax: number, nMels: number, sampleRate: number): Float32Array {
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const [m0, m1] = [mel(fMin), mel(fMax)];
  const fPts = Array.from({ length: nMels + 2 }, (_, i) => hz(m0 + ((m1 - m0) * i) / (nMels + 1)));
  const fb = new Float32Array(nFreqs * nMels);
  for (let k = 0; k < nFreqs; k++) {
    const f = nFreqs === 1 ? 0 : ((sampleRate / 2) * k) / (nFreqs - 1);
    for (let j = 0; j < nMels; j++) {
      const down = (f - fPts[j]!) / (fPts[j + 1]! - fPts[j]!);
      const up = (fPts[j + 2]! - f) / (fPts[j + 2]! - fPts[j + 1]!);
      fb[k * nMels + j] = Math.max(0, Math.min(down, up));
    }
  }
  return fb;
}

/** Options of {@link MelSpectrogram} (torchaudio's names and defaults). */
export interface MelOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  /** Default `nFft`. */
  readonly winLength?: number;
  /** Default `floor(winLength / 2)`. */
  readonly hopLength?: number;
  readonly nMels: number;
  readonly fMin?: number;
  /** Default `sampleRate / 2`. */
  readonly fMax?: number;
  /** Exponent of the magnitude (default 2: power). */
  readonly power?: number;
}

/** torchaudio's `transforms.MelSpectrogram` with its defaults (centred, reflect padding, periodic Hann, HTK mels, no norm). */
export class MelSpectrogram {
  readonly nFft: number;
  readonly hopLength: number;
  readonly nMels: number;
  private readonly window: Float64Array;
  private readonly fb: Float32Array;
  /** Per mel band, the frequency bins where its filter is non-zero: [first, end). */
  private readonly support: Int32Array;
  private readonly fft: Fft;
  private readonly power: number;
  private readonly buf: { re: Float64Array; im: Float64Array; outRe: Float64Array; outIm: Float64Array };

  constructor(o: MelOptions) {
    this.nFft = o.nFft;
    const win = o.winLength ?? o.nFft;
    this.hopLength = o.hopLength ?? Math.floor(win / 2);
    this.nMels = o.nMels;
    this.power = o.power ?? 2;
    // torch.stft pads a shorter window with zeros on both sides to n_fft, left (n_fft − win) // 2.
    this.window = new Float64Array(o.nFft);
    const left = Math.floor((o.nFft - win) / 2);
    for (let i = 0; i < win; i++) this.window[left + i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / win);
    this.fb = melFilterbank(Math.floor(o.nFft / 2) + 1, o.fMin ?? 0, o.fMax ?? o.sampleRate / 2, o.nMels, o.sampleRate);
    const bins = Math.floor(o.nFft / 2) + 1;
    this.support = new Int32Array(2 * o.nMels);
    for (let j = 0; j < o.nMels; j++) {
      let [first, end] = [bins, 0];
      for (let k = 0; k < bins; k++)
        if (this.fb[k * o.nMels + j]! > 0) {
          first = Math.min(first, k);
          end = k + 1;
        }
      this.support[2 * j] = first;
      this.support[2 * j + 1] = Math.max(first, end);
    }
    this.fft = new Fft(o.nFft);
    this.buf = { re: new Float64Array(o.nFft), im: new Float64Array(o.nFft), outRe: new Float64Array(o.nFft), outIm: new Float64Array(o.nFft) };
  }

  /** `[nMels × frames]` row-major, frames = 1 + floor(len / hop). The input must be longer than nFft / 2 (reflect padding). */
  compute(samples: Float32Array): { data: Float32Array; mels: number; frames: number } {
    const pad = Math.floor(this.nFft / 2);
    const len = samples.length;
    if (len <= pad) throw new RangeError(`MelSpectrogram: ${len} samples are too few for reflect padding of ${pad}`);
    const at = (i: number) => {
      // reflect (no edge repeat) as torch.nn.functional.pad(mode='reflect')
      let j = i - pad;
      if (j < 0) j = -j;
      if (j >= len) j = 2 * (len - 1) - j;
      return samples[j]!;
    };
    const frames = 1 + Math.floor(len / this.hopLength);
    const bins = Math.floor(this.nFft / 2) + 1;
    const spec = new Float64Array(bins);
    const out = new Float32Array(this.nMels * frames);
    const { re, im, outRe, outIm } = this.buf;
    // Two real frames per complex transform (one as the real part, one as the imaginary part):
    // X_a[k] = (Z[k] + conj Z[n−k]) / 2, X_b[k] = (Z[k] − conj Z[n−k]) / 2i.
    const n = this.nFft;
    const specB = new Float64Array(bins);
    const project = (sp: Float64Array, t: number) => {
      for (let j = 0; j < this.nMels; j++) {
        let s = 0;
        for (let k = this.support[2 * j]!; k < this.support[2 * j + 1]!; k++) s += this.fb[k * this.nMels + j]! * sp[k]!;
        out[j * frames + t] = s;
      }
    };
    const mag = (x: number, y: number) => (this.power === 2 ? x * x + y * y : Math.sqrt(x * x + y * y) ** this.power);
    for (let t = 0; t < frames; t += 2) {
      const pair = t + 1 < frames;
      const [a, b] = [t * this.hopLength, (t + 1) * this.hopLength];
      for (let i = 0; i < n; i++) {
        const w = this.window[i]!;
        re[i] = w === 0 ? 0 : at(a + i) * w;
        im[i] = w === 0 || !pair ? 0 : at(b + i) * w;
      }
      this.fft.transform(re, im, outRe, outIm);
      for (let k = 0; k < bins; k++) {
        const nk = k === 0 ? 0 : n - k;
        const [zr, zi, cr, ci] = [outRe[k]!, outIm[k]!, outRe[nk]!, -outIm[nk]!];
        spec[k] = mag((zr + cr) / 2, (zi + ci) / 2);
        specB[k] = mag((zi - ci) / 2, -(zr - cr) / 2);
      }
      project(spec, t);
      if (pair) project(specB, t + 1);
    }
    return { data: out, mels: this.nMels, frames };
  }
}

/** librosa's `power_to_db(S, ref, amin, top_db)`: 10·log10(max(amin, S)) − 10·log10(max(amin, ref)), floored at max − top_db. */
export function powerToDb(spec: Float32Array, options: { ref?: number; amin?: number; topDb?: number | null } = {}): Float32Array {
  const { ref = 1, amin = 1e-10, topDb = 80 } = options;
  const offset = 10 * Math.log10(Math.max(amin, ref));
  const out = Float32Array.from(spec, (s) => 10 * Math.log10(Math.max(amin, s)) - offset);
  if (topDb !== null) {
    let max = -Infinity;
    for (const v of out) if (v > max) max = v;
    const floor = max - topDb;
    for (let i = 0; i < out.length; i++) if (out[i]! < floor) out[i] = floor;
  }
  return out;
}

const FSD50K_MEL = new Map<number, MelSpectrogram>();

/**
 * NAS-Bench-360's FSD50K features (`AudioParser(feature='melspectrogram')` after `load_audio`
 * with a 1-s minimum): tiled to 1 s, `MelSpectrogram(sr, n_fft=1920, win_length=int(0.03·sr),
 * hop_length=int(0.01·sr), n_mels=96)`, `power_to_db`, as float32 + 75 (the parser's top_db 150 / 2),
 * minus the spectrogram's mean. `[96 × frames]` row-major.
 */
export function fsd50kFeatures(samples: Float32Array, sampleRate = 22050): { data: Float32Array; mels: number; frames: number } {
  let mel = FSD50K_MEL.get(sampleRate);
  if (!mel) {
    mel = new MelSpectrogram({ sampleRate, nFft: 96 * 20, winLength: Math.floor(sampleRate * 0.03), hopLength: Math.floor(sampleRate * 0.01), nMels: 96 });
    FSD50K_MEL.set(sampleRate, mel);
  }
  const spec = mel.compute(tileToLength(samples, sampleRate));
  const db = powerToDb(spec.data);
  let mean = 0;
  for (let i = 0; i < db.length; i++) {
    db[i] = Math.fround(db[i]! + 75);
    mean += db[i]!;
  }
  mean /= db.length;
  for (let i = 0; i < db.length; i++) db[i] = db[i]! - mean;
  return { data: db, mels: spec.mels, frames: spec.frames };
}

/**
 * `[mels × frames]` → `[mels × size]`: NAS-Bench-360's `PadToSize(size)` (constant mode: the
 * spectrogram's minimum, `padding // 2` frames before and the rest after) for a shorter one, its
 * centre `size` frames for a longer one.
 */
export function fitFrames(spec: Float32Array, mels: number, frames: number, size: number): Float32Array {
  if (frames === size) return spec;
  const out = new Float32Array(mels * size);
  if (frames < size) {
    let min = Infinity;
    for (const v of spec) if (v < min) min = v;
    out.fill(min);
    const offset = Math.floor((size - frames) / 2);
    for (let m = 0; m < mels; m++) out.set(spec.subarray(m * frames, (m + 1) * frames), m * size + offset);
    return out;
  }
  const start = Math.floor((frames - size) / 2);
  for (let m = 0; m < mels; m++) out.set(spec.subarray(m * frames + start, m * frames + start + size), m * size);
  return out;
}

/**
 * The FSD50K features of a WAV file, fitted to `frames` frames: `[96 × frames]`. `rate` is the
 * sample rate the file must have (the release's 22,050 Hz).
 */
export function wavFeatures(file: string, bytes: Uint8Array, frames: number, rate: number): Float32Array {
  const w = decodeWav(bytes, file);
  if (w.sampleRate !== rate) throw dataError(file, `is sampled at ${w.sampleRate} Hz; expected ${rate} Hz`, `use the release's chunks (${rate} Hz)`);
  const f = fsd50kFeatures(w.samples, rate);
  return fitFrames(f.data, f.mels, f.frames, frames);
}
