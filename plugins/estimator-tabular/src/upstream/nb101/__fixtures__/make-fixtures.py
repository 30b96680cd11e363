#!/usr/bin/env python3
"""Writes small NAS-Bench-101 TFRecord fixtures exactly as the official release stores them.

The official files (nasbench_full.tfrecord, nasbench_only108.tfrecord) are TFRecord files of
JSON rows `[module_hash, epochs, raw_adjacency, raw_operations, raw_metrics]`, raw_metrics a
base64 `nasbench.ModelMetrics` protobuf (google-research/nasbench `nasbench/api.py`,
`nasbench/lib/model_metrics.proto`). This script writes the same format without TensorFlow:

- framing: uint64 length, masked CRC-32C of the length, data, masked CRC-32C of the data (the
  TFRecord format of tensorflow/core/lib/io/record_writer.cc), CRC-32C in pure Python;
- cells: real NB101 cells drawn like `nasbench/lib/graph_util.py`'s generator (random 7x7
  upper-triangular matrix, random ops, pruned as `ModelSpec._prune`, kept if valid with at most
  9 edges), hashed with a port of `graph_util.hash_module` (checked below against hashes computed
  with the upstream code);
- metrics: seeded random numbers (no value of the real benchmark), float32-rounded like the
  TPU-computed originals. ModelMetrics is encoded by hand; when python3-protobuf is installed the
  same message is also built with it from the .proto's descriptor and the bytes must agree.

It writes, beside itself:
  nb101-full.fixture.tfrecord     12 cells x 4 budgets x 3 repeats (one repeat missing), in
                                  shuffled order (records of one hash are not adjacent)
  nb101-only108.fixture.tfrecord  50 cells x 3 repeats at 108 epochs, grouped by hash
  *.expected.json                 per hash: adjacency, ops, params and, per budget, the number
                                  of repeats and the mean over repeats of the final validation
                                  accuracy, test accuracy and training time (sum in file order
                                  divided by the count)

Usage: python3 make-fixtures.py   (deterministic: the same files on every run)
"""

import base64
import hashlib
import json
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OPS = ['conv3x3-bn-relu', 'conv1x1-bn-relu', 'maxpool3x3']  # config['available_ops']
INPUT, OUTPUT = 'input', 'output'

# --- CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TFRecord framing -----------------

_CRC_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    # tensorflow/core/lib/hash/crc32c.h: Mask(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(data):
    length = struct.pack('<Q', len(data))
    return length + struct.pack('<I', masked_crc(length)) + data + struct.pack('<I', masked_crc(data))


assert crc32c(b'123456789') == 0xE3069283  # the standard CRC-32C check value

# --- graph_util.hash_module and ModelSpec._prune, without numpy ---------------------------------


def hash_module(matrix, labeling):
    """Port of nasbench/lib/graph_util.py hash_module (same strings, same md5s)."""
    vertices = len(matrix)
    in_edges = [sum(matrix[r][c] for r in range(vertices)) for c in range(vertices)]
    out_edges = [sum(matrix[r]) for r in range(vertices)]
    hashes = list(zip(out_edges, in_edges, labeling))
    hashes = [hashlib.md5(str(h).encode('utf-8')).hexdigest() for h in hashes]
    for _ in range(vertices):
        new_hashes = []
        for v in range(vertices):
            in_neighbors = [hashes[w] for w in range(vertices) if matrix[w][v]]
            out_neighbors = [hashes[w] for w in range(vertices) if matrix[v][w]]
            new_hashes.append(hashlib.md5(
                (''.join(sorted(in_neighbors)) + '|' + ''.join(sorted(out_neighbors)) + '|' + hashes[v]).encode('utf-8')).hexdigest())
        hashes = new_hashes
    return hashlib.md5(str(sorted(hashes)).encode('utf-8')).hexdigest()


def hash_spec(matrix, ops):
    """ModelSpec.hash_spec: labels are indices into available_ops, -1 input, -2 output."""
    return hash_module(matrix, [-1] + [OPS.index(op) for op in ops[1:-1]] + [-2])


def prune(matrix, ops):
    """ModelSpec._prune: (matrix, ops) of the vertices on an input-output path, or None."""
    n = len(matrix)
    seen_in, frontier = {0}, [0]
    while frontier:
        top = frontier.pop()
        for v in range(top + 1, n):
            if matrix[top][v] and v not in seen_in:
                seen_in.add(v)
                frontier.append(v)
    seen_out, frontier = {n - 1}, [n - 1]
    while frontier:
        top = frontier.pop()
        for v in range(0, top):
            if matrix[v][top] and v not in seen_out:
                seen_out.add(v)
                frontier.append(v)
    keep = sorted(seen_in & seen_out)
    if len(keep) < 2:
        return None
    return [[matrix[i][j] for j in keep] for i in keep], [ops[i] for i in keep]


# Hashes computed with the upstream numpy code (as in @nasx/search-space-nb101's hash spec).
assert hash_spec([[0, 1], [0, 0]], [INPUT, OUTPUT]) == '043721b9c7fe8c5fad811d47d83132ec'
assert hash_spec([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [INPUT, OPS[0], OUTPUT]) == 'b49ac8c578b4561d79ac7087988f1c61'
assert hash_spec([[0, 1, 1], [0, 0, 1], [0, 0, 0]], [INPUT, OPS[2], OUTPUT]) == '6f6257bc3b12d87b8736e81cd4b7ed8b'
INCEPTION = ([[0, 1, 1, 1, 0, 1, 0], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 0, 0],
              [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 0, 0, 0]],
             [INPUT, OPS[1], OPS[0], OPS[0], OPS[0], OPS[2], OUTPUT])
assert hash_spec(*INCEPTION) == '28cfc7874f6d200472e1a9dcd8650aa0'


def random_cells(rng, count):
    """Distinct valid NB101 cells (pruned, <= 9 edges), the trivial and Inception cells first."""
    cells, seen = [], set()

    def add(matrix, ops):
        h = hash_spec(matrix, ops)
        if h not in seen:
            seen.add(h)
            cells.append((h, matrix, ops))

    add([[0, 1], [0, 0]], [INPUT, OUTPUT])
    add(*INCEPTION)
    while len(cells) < count:
        matrix = [[rng.randint(0, 1) if j > i else 0 for j in range(7)] for i in range(7)]
        ops = [INPUT] + [rng.choice(OPS) for _ in range(5)] + [OUTPUT]
        pruned = prune(matrix, ops)
        if pruned is None or sum(map(sum, pruned[0])) > 9:
            continue
        add(*pruned)
    return cells


# --- ModelMetrics, by hand (proto2 wire format) and, when available, with python3-protobuf -------


def varint(x):
    out = bytearray()
    while True:
        b = x & 0x7F
        x >>= 7
        if x:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def key(field, wire):
    return varint((field << 3) | wire)


def encode_evaluation(ev):
    out = b''
    for field, name in enumerate(['current_epoch', 'training_time', 'train_accuracy', 'validation_accuracy', 'test_accuracy'], 1):
        out += key(field, 1) + struct.pack('<d', ev[name])
    if ev.get('checkpoint_path'):
        path = ev['checkpoint_path'].encode('utf-8')
        out += key(6, 2) + varint(len(path)) + path
    return out


def encode_metrics(m):
    out = b''
    for ev in m['evaluation_data']:
        body = encode_evaluation(ev)
        out += key(1, 2) + varint(len(body)) + body
    out += key(2, 0) + varint(m['trainable_parameters'])
    out += key(3, 1) + struct.pack('<d', m['total_time'])
    return out


def protobuf_encoder():
    """A ModelMetrics class built from model_metrics.proto's descriptor, or None without protobuf."""
    try:
        from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
    except ImportError:
        return None
    fdp = descriptor_pb2.FileDescriptorProto(name='model_metrics.proto', package='nasbench', syntax='proto2')
    F = descriptor_pb2.FieldDescriptorProto
    mm = fdp.message_type.add(name='ModelMetrics')
    mm.field.add(name='evaluation_data', number=1, label=F.LABEL_REPEATED, type=F.TYPE_MESSAGE, type_name='.nasbench.EvaluationData')
    mm.field.add(name='trainable_parameters', number=2, label=F.LABEL_OPTIONAL, type=F.TYPE_INT32)
    mm.field.add(name='total_time', number=3, label=F.LABEL_OPTIONAL, type=F.TYPE_DOUBLE)
    ed = fdp.message_type.add(name='EvaluationData')
    for number, name in enumerate(['current_epoch', 'training_time', 'train_accuracy', 'validation_accuracy', 'test_accuracy'], 1):
        ed.field.add(name=name, number=number, label=F.LABEL_OPTIONAL, type=F.TYPE_DOUBLE)
    ed.field.add(name='checkpoint_path', number=6, label=F.LABEL_OPTIONAL, type=F.TYPE_STRING)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    desc = pool.FindMessageTypeByName('nasbench.ModelMetrics')
    if hasattr(message_factory, 'GetMessageClass'):
        cls = message_factory.GetMessageClass(desc)
    else:
        cls = message_factory.MessageFactory(pool).GetPrototype(desc)

    def encode(m):
        msg = cls(trainable_parameters=m['trainable_parameters'], total_time=m['total_time'])
        for ev in m['evaluation_data']:
            msg.evaluation_data.add(**ev)
        return msg.SerializeToString()

    return encode


# --- seeded metrics ------------------------------------------------------------------------------


def f32(x):
    return struct.unpack('<f', struct.pack('<f', x))[0]


def run_metrics(rng, params, epochs, quality, checkpoint=None):
    """One training run: evaluations at step 0, halfway and the end (api.py reads [1] and [2])."""
    per_epoch = rng.uniform(2.5, 50.0)
    progress = epochs / 108.0
    final_val = f32(min(0.95, 0.1 + quality * (0.45 + 0.4 * progress ** 0.3) + rng.gauss(0, 0.004)))
    evs = []
    for frac in (0.0, 0.5, 1.0):
        val = f32(0.1 + (final_val - 0.1) * frac ** 0.5 + (rng.gauss(0, 0.002) if frac < 1 else 0))
        evs.append({
            'current_epoch': epochs * frac,
            'training_time': f32(per_epoch * epochs * frac * rng.uniform(0.97, 1.03)) if frac else 0.0,
            'train_accuracy': f32(min(1.0, val + rng.uniform(0, 0.05))),
            'validation_accuracy': val,
            'test_accuracy': f32(val + rng.gauss(-0.005, 0.004)),
        })
    if checkpoint:
        evs[2]['checkpoint_path'] = checkpoint
    return {'evaluation_data': evs, 'trainable_parameters': params, 'total_time': f32(evs[2]['training_time'] * rng.uniform(1.05, 1.2))}


def write_fixture(name, rng, cells, budgets, shuffle, drop=None):
    """Writes <name>.tfrecord and <name>.expected.json; returns the number of records."""
    encode_pb = protobuf_encoder()
    rows = []
    for h, matrix, ops in cells:
        params = rng.randint(227274, 49979274)
        quality = rng.uniform(0.5, 1.0)
        for epochs in budgets:
            for repeat in range(3):
                if drop == (h, epochs, repeat):
                    continue
                ckpt = 'gs://bucket/%s/repeat_%d/model.ckpt-%d' % (h, repeat + 1, epochs * 390) if repeat == 1 and epochs == budgets[-1] else None
                rows.append((h, epochs, matrix, ops, run_metrics(rng, params, epochs, quality, ckpt)))
    if shuffle:
        rng.shuffle(rows)
    out = bytearray()
    models = {}
    for h, epochs, matrix, ops, m in rows:
        raw = encode_metrics(m)
        if encode_pb is not None:
            assert encode_pb(m) == raw, 'hand encoding differs from python3-protobuf'
        adjacency = ''.join(str(x) for row in matrix for x in row)
        line = json.dumps([h, epochs, adjacency, ','.join(ops), base64.b64encode(raw).decode('ascii')])
        out += tfrecord(line.encode('utf-8'))
        entry = models.setdefault(h, {'adjacency': adjacency, 'operations': ','.join(ops), 'trainable_params': m['trainable_parameters'], 'runs': {}})
        entry['runs'].setdefault(str(epochs), []).append(m['evaluation_data'][2])
    expected = {
        'file': name + '.tfrecord',
        'records': len(rows),
        'bytes': len(out),
        'epochs': budgets,
        'models': {},
    }
    for h in sorted(models):
        e = models[h]
        budgets_out = {}
        for epochs, finals in sorted(e['runs'].items(), key=lambda kv: int(kv[0])):
            budgets_out[epochs] = {
                'repeats': len(finals),
                'val_acc': sum(f['validation_accuracy'] for f in finals) / len(finals),
                'test_acc': sum(f['test_accuracy'] for f in finals) / len(finals),
                'train_time_s': sum(f['training_time'] for f in finals) / len(finals),
            }
        expected['models'][h] = {'adjacency': e['adjacency'], 'operations': e['operations'], 'trainable_params': e['trainable_params'], 'budgets': budgets_out}
    with open(os.path.join(HERE, name + '.tfrecord'), 'wb') as f:
        f.write(out)
    with open(os.path.join(HERE, name + '.expected.json'), 'w') as f:
        json.dump(expected, f, indent=1, sort_keys=False)
        f.write('\n')
    print('%s: %d records, %d models, %d bytes (ModelMetrics checked against python3-protobuf: %s)'
          % (name, len(rows), len(models), len(out), 'yes' if encode_pb else 'no, not installed'))


def main():
    rng = random.Random(101)
    cells = random_cells(rng, 50)
    full_cells = cells[:12]
    # Records of one hash are spread over the file, and one cell misses a 4-epoch repeat.
    write_fixture('nb101-full.fixture', random.Random(4), full_cells, [4, 12, 36, 108], shuffle=True, drop=(full_cells[3][0], 4, 2))
    write_fixture('nb101-only108.fixture', random.Random(108), cells, [108], shuffle=False)


if __name__ == '__main__':
    main()
