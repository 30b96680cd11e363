import { decodeModelMetrics, ProtobufDecodeError } from './model-metrics.decoder';

// Hand-assembled wire bytes (protobuf.dev encoding guide), field by field.
const key = (field: number, wire: number): number[] => varint((field << 3) | wire);
function varint(x: number | bigint): number[] {
  let v = BigInt.asUintN(64, BigInt(x));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v ? b | 0x80 : b);
  } while (v);
  return out;
}
const double = (x: number): number[] => [...Buffer.from(new Float64Array([x]).buffer)];
const delimited = (field: number, body: number[]): number[] => [...key(field, 2), ...varint(body.length), ...body];
const decode = (bytes: number[]): ReturnType<typeof decodeModelMetrics> => decodeModelMetrics(Uint8Array.from(bytes));

function decodeError(bytes: number[]): ProtobufDecodeError {
  try {
    decode(bytes);
  } catch (e) {
    if (e instanceof ProtobufDecodeError) return e;
    throw e;
  }
  throw new Error('expected a ProtobufDecodeError');
}

describe('decodeModelMetrics', () => {
  it('reads every field of model_metrics.proto, repeated evaluations in order', () => {
    const ev = (epoch: number, path?: string): number[] => [
      ...key(1, 1),
      ...double(epoch),
      ...key(2, 1),
      ...double(epoch * 10.5),
      ...key(3, 1),
      ...double(0.5),
      ...key(4, 1),
      ...double(0.25),
      ...key(5, 1),
      ...double(0.125),
      ...(path === undefined ? [] : delimited(6, [...Buffer.from(path)])),
    ];
    const m = decode([
      ...delimited(1, ev(0)),
      ...delimited(1, ev(54)),
      ...delimited(1, ev(108, 'gs://ck/é')),
      ...key(2, 0),
      ...varint(3_468_426),
      ...key(3, 1),
      ...double(1234.5),
    ]);
    expect(m).toEqual({
      evaluationData: [
        { currentEpoch: 0, trainingTime: 0, trainAccuracy: 0.5, validationAccuracy: 0.25, testAccuracy: 0.125 },
        { currentEpoch: 54, trainingTime: 567, trainAccuracy: 0.5, validationAccuracy: 0.25, testAccuracy: 0.125 },
        { currentEpoch: 108, trainingTime: 1134, trainAccuracy: 0.5, validationAccuracy: 0.25, testAccuracy: 0.125, checkpointPath: 'gs://ck/é' },
      ],
      trainableParameters: 3_468_426,
      totalTime: 1234.5,
    });
    expect(decode([])).toEqual({ evaluationData: [] });
  });

  it('skips unknown fields of every wire type, keeps the last of a repeated scalar, and reads int32 as two’s complement', () => {
    const m = decode([
      ...key(9, 0),
      ...varint(2n ** 63n),
      ...key(10, 1),
      ...double(1),
      ...delimited(11, [1, 2, 3]),
      ...key(12, 5),
      1,
      2,
      3,
      4,
      ...key(2, 0),
      ...varint(7),
      ...key(2, 0),
      ...varint(-5), // 10-byte varint
      ...delimited(1, [...key(7, 0), ...varint(300), ...key(4, 1), ...double(0.9)]),
    ]);
    expect(m).toEqual({ trainableParameters: -5, evaluationData: [{ validationAccuracy: 0.9 }] });
  });

  it('names the byte offset of a truncated or ill-typed field', () => {
    expect(decodeError([...key(3, 1), 1, 2, 3])).toMatchObject({ at: 1, message: 'a 64-bit field runs past the end of the message' });
    expect(decodeError([...key(1, 2), 10, 1])).toMatchObject({ at: 1, message: 'a length-delimited field of 10 bytes runs past the end of the message' });
    expect(decodeError([...key(2, 0), 0x80, 0x80])).toMatchObject({ at: 1, message: 'a varint runs past the end of the message' });
    expect(decodeError([...key(2, 0), ...Array(10).fill(0x80), 1])).toMatchObject({ message: 'a varint is longer than 10 bytes' });
    expect(decodeError([...key(2, 1), ...double(1)]).message).toBe('field ModelMetrics.trainable_parameters has wire type 1, model_metrics.proto declares 0');
    expect(decodeError([...delimited(1, [...key(4, 5), 0, 0, 0, 0])])).toMatchObject({
      at: 2,
      message: 'field EvaluationData.validation_accuracy has wire type 5, model_metrics.proto declares 1',
    });
    expect(decodeError([...key(8, 3)]).message).toMatch(/wire type 3 is not valid here/);
    expect(decodeError([0]).message).toBe('invalid field key 0');
  });
});
