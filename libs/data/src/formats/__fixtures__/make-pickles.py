#!/usr/bin/env python3
"""Writes pickles.json: one object pickled with every protocol 0-5 (base64), for pickle.reader.spec.ts.

Plain Python (no torch). Usage: python3 make-pickles.py
"""
import base64
import json
import os
import pickle
from collections import OrderedDict

shared = [7]
obj = {
    'small': 1, 'neg': -5, 'i16': 40000, 'i32': 100000, 'big': 2 ** 70, 'negbig': -(2 ** 65),
    'float': 0.1, 'str': 'h\u00e9llo \u2603', 'bytes': b'\x00\x01\xff', 'none': None, 't': True, 'f': False,
    'tuple': (1, 'a', 2.5), 'empty_tuple': (), 'list': list(range(1100)), 'set': {1, 2}, 'frozen': frozenset([3]),
    'od': OrderedDict([('b', 1), ('a', 2)]), 'shared': [shared, shared], 'tuple_key': {(1, 2): 'x'},
    'long_str': 'x' * 300, 'many': {str(i): i for i in range(1050)},
}
out = {str(p): base64.b64encode(pickle.dumps(obj, protocol=p)).decode('ascii') for p in range(0, 6)}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'pickles.json'), 'w') as f:
    json.dump(out, f)
    f.write('\n')
