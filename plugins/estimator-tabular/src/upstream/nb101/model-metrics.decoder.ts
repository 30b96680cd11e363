/**
 * A hand-written decoder of NAS-Bench-101's `nasbench.ModelMetrics` protobuf
 * (google-research/nasbench `nasbench/lib/model_metrics.proto`, proto2), so that converting the
 * release needs no protobuf dependency. It reads the wire format (protobuf.dev/programming-guides/
 * encoding): varint (0), 64-bit (1), length-delimited (2) and 32-bit (5) fields; unknown fields
 * are skipped, and a repeated optional scalar keeps its last value, as proto2 parsers do.
 */

/** `nasbench.EvaluationData`: the metrics of one evaluation during training. */
export interface EvaluationData {
  /** 1: epoch at this evaluation (0, half the budget, the budget). */
  currentEpoch?: number;
  /** 2: training time in seconds up to this point (evaluation time excluded). */
  trainingTime?: number;
  /** 3: accuracy on 10,000 fixed training images, fraction. */
  trainAccuracy?: number;
  /** 4: accuracy on the 10,000-image validation split, fraction. */
  validationAccuracy?: number;
  /** 5: accuracy on the 10,000-image CIFAR-10 test set, fraction. */
  testAccuracy?: number;
  /** 6: checkpoint location (usually empty). */
  checkpointPath?: string;
}

/** `nasbench.ModelMetrics`: one training run of one cell at one epoch budget. */
export interface ModelMetrics {
  /** 1: evaluations at step 0, halfway and at the end of training (NB101's `api.py` reads [1] and [2]). */
  evaluationData: EvaluationData[];
  /** 2: trainable parameters of the whole network (int32). */
  trainableParameters?: number;
  /** 3: total time for training and evaluation, seconds. */
  totalTime?: number;
}

/** A malformed message; `at` is the byte offset inside the message. */
export class ProtobufDecodeError extends Error {
  constructor(
    message: string,
    readonly at: number,
  ) {
    super(message);
    this.name = 'ProtobufDecodeError';
  }
}

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;

/** A cursor over one message (or an embedded one: `end` bounds it). */
class Reader {
  pos: number;
  /** High 32 bits of the last varint (for int64 / negative int32). */
  hi = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly view: DataView,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
  }

  /** A varint: returns its low 32 bits (unsigned), leaves bits 32..63 in `hi`. */
  varint(): number {
    const b = this.bytes;
    const at = this.pos;
    let lo = 0;
    let hi = 0;
    let i = this.pos;
    for (let shift = 0; ; shift += 7) {
      if (i >= this.end) throw new ProtobufDecodeError('a varint runs past the end of the message', at);
      const x = b[i++]!;
      if (shift < 28) lo |= (x & 0x7f) << shift;
      else if (shift === 28) {
        lo |= (x & 0x0f) << 28;
        hi = (x & 0x7f) >>> 4;
      } else if (shift < 64) hi |= (x & 0x7f) << (shift - 32);
      if ((x & 0x80) === 0) break;
      if (shift >= 63) throw new ProtobufDecodeError('a varint is longer than 10 bytes', at);
    }
    this.pos = i;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  double(): number {
    if (this.pos + 8 > this.end) throw new ProtobufDecodeError('a 64-bit field runs past the end of the message', this.pos);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Start and end of a length-delimited field's payload; moves past it. */
  delimited(): [number, number] {
    const at = this.pos;
    const len = this.varint();
    if (this.hi !== 0 || this.pos + len > this.end)
      throw new ProtobufDecodeError(`a length-delimited field of ${len} bytes runs past the end of the message`, at);
    const start = this.pos;
    this.pos += len;
    return [start, this.pos];
  }

  skip(wire: number, at: number): void {
    if (wire === VARINT) this.varint();
    else if (wire === I64) {
      if (this.pos + 8 > this.end) throw new ProtobufDecodeError('a 64-bit field runs past the end of the message', at);
      this.pos += 8;
    } else if (wire === LEN) this.delimited();
    else if (wire === I32) {
      if (this.pos + 4 > this.end) throw new ProtobufDecodeError('a 32-bit field runs past the end of the message', at);
      this.pos += 4;
    } else throw new ProtobufDecodeError(`wire type ${wire} is not valid here (groups are not used by model_metrics.proto)`, at);
  }

  /** The next field's key as [field number, wire type]. */
  key(): [number, number] {
    const at = this.pos;
    const k = this.varint();
    if (this.hi !== 0 || k >>> 3 === 0) throw new ProtobufDecodeError(`invalid field key ${k}`, at);
    return [k >>> 3, k & 7];
  }
}

const UTF8 = new TextDecoder();

const DOUBLE_FIELDS = ['', 'currentEpoch', 'trainingTime', 'trainAccuracy', 'validationAccuracy', 'testAccuracy'] as const;
/** Their names in model_metrics.proto (for messages). */
const PROTO_NAMES = ['', 'current_epoch', 'training_time', 'train_accuracy', 'validation_accuracy', 'test_accuracy'] as const;

function expectWire(wire: number, want: number, field: string, at: number): void {
  if (wire !== want) throw new ProtobufDecodeError(`field ${field} has wire type ${wire}, model_metrics.proto declares ${want}`, at);
}

function decodeEvaluation(r: Reader, end: number): EvaluationData {
  const out: EvaluationData = {};
  const sub = new Reader(r.bytes, r.view, r.pos, end);
  while (sub.pos < end) {
    const at = sub.pos;
    const [field, wire] = sub.key();
    if (field >= 1 && field <= 5) {
      expectWire(wire, I64, `EvaluationData.${PROTO_NAMES[field]}`, at);
      out[DOUBLE_FIELDS[field] as Exclude<(typeof DOUBLE_FIELDS)[number], ''>] = sub.double();
    } else if (field === 6) {
      expectWire(wire, LEN, 'EvaluationData.checkpoint_path', at);
      const [s, e] = sub.delimited();
      out.checkpointPath = UTF8.decode(r.bytes.subarray(s, e));
    } else sub.skip(wire, at);
  }
  r.pos = end;
  return out;
}

/**
 * Decodes one serialized `ModelMetrics` (the base64-decoded `raw_metrics` of a NB101 record).
 * Throws {@link ProtobufDecodeError} with the byte offset of a malformed field.
 */
export function decodeModelMetrics(bytes: Uint8Array): ModelMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const r = new Reader(bytes, view, 0, bytes.length);
  const out: ModelMetrics = { evaluationData: [] };
  while (r.pos < bytes.length) {
    const at = r.pos;
    const [field, wire] = r.key();
    if (field === 1) {
      expectWire(wire, LEN, 'ModelMetrics.evaluation_data', at);
      const [s, e] = r.delimited();
      r.pos = s;
      out.evaluationData.push(decodeEvaluation(r, e));
    } else if (field === 2) {
      expectWire(wire, VARINT, 'ModelMetrics.trainable_parameters', at);
      out.trainableParameters = r.varint() | 0; // int32: the low 32 bits, two's complement
    } else if (field === 3) {
      expectWire(wire, I64, 'ModelMetrics.total_time', at);
      out.totalTime = r.double();
    } else r.skip(wire, at);
  }
  return out;
}
