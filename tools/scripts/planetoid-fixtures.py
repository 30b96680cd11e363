#!/usr/bin/env python3
"""Writes a tiny graph in Planetoid's release layout (ind.citeseer.{x,y,tx,ty,allx,ally,graph,test.index})
and the graph Kipf & Welling's load_data (gcn/utils.py) assembles from it, for the task-planetoid specs.

The graph is made from formulas (no real data): 540 nodes, 8 binary features, 3 classes; 510
nodes in allx (the first 4 of them labelled in x/y; validation is the next 500, as in load_data),
test ids 510..539 listed out of order with ids 517 and 523 missing from tx (Citeseer's isolated
test-range nodes), so the reader's reordering and its zero rows are exercised. Pickled with protocol 2, as Python 2 wrote them.

    python3 tools/scripts/planetoid-fixtures.py plugins/task-planetoid/src/__fixtures__/planetoid-raw
"""
import collections
import json
import os
import pickle
import sys

import numpy as np
import scipy.sparse as sp

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
F, C = 8, 3
n_all = 510
N = 540
test_ids = [i for i in range(n_all, N) if i not in (517, 523)]
order = sorted(test_ids, key=lambda i: (i * 7) % 19)  # the file's order is not sorted


def feat(i):
    return np.array([1.0 if (i * 3 + f * 5) % 7 < 3 else 0.0 for f in range(F)], dtype=np.float32)


def onehot(i):
    v = np.zeros(C, dtype=np.float64)
    v[(i * 2 + 1) % C] = 1
    return v


allx = sp.csr_matrix(np.stack([feat(i) for i in range(n_all)]))
ally = np.stack([onehot(i) for i in range(n_all)])
x = allx[:4]
y = ally[:4]
tx = sp.csr_matrix(np.stack([feat(i) for i in order]))
ty = np.stack([onehot(i) for i in order])
graph = collections.defaultdict(list)
for i in range(N):
    for j in ((i + 1) % N, (i * 5 + 3) % N):
        if j != i:
            graph[i].append(j)
graph[4].append(4)  # a self-loop, dropped by the reader

name = 'citeseer'
for key, obj in [('x', x), ('y', y), ('tx', tx), ('ty', ty), ('allx', allx), ('ally', ally), ('graph', graph)]:
    with open(os.path.join(out, f'ind.{name}.{key}'), 'wb') as f:
        pickle.dump(obj, f, protocol=2)
with open(os.path.join(out, f'ind.{name}.test.index'), 'w') as f:
    f.write(''.join(f'{i}\n' for i in order))

# Kipf & Welling's load_data, as in gcn/utils.py.
test_idx_reorder = order
test_idx_range = np.sort(test_idx_reorder)
test_idx_range_full = range(min(test_idx_reorder), max(test_idx_reorder) + 1)
tx_extended = sp.lil_matrix((len(test_idx_range_full), x.shape[1]))
tx_extended[test_idx_range - min(test_idx_range), :] = tx
tx2 = tx_extended
ty_extended = np.zeros((len(test_idx_range_full), y.shape[1]))
ty_extended[test_idx_range - min(test_idx_range), :] = ty
ty2 = ty_extended
features = sp.vstack((allx, tx2)).tolil()
features[test_idx_reorder, :] = features[test_idx_range, :]
labels = np.vstack((ally, ty2))
labels[test_idx_reorder, :] = labels[test_idx_range, :]
features = features.tocsr()
label_ids = [int(np.argmax(r)) if r.sum() > 0 else -1 for r in labels]
edges = sorted({(min(u, v), max(u, v)) for u, vs in graph.items() for v in vs if u != v})
expected = {
    'num_nodes': features.shape[0],
    'num_features': F,
    'num_classes': C,
    'indptr': features.indptr.tolist(),
    'indices': features.indices.tolist(),
    'labels': label_ids,
    'edges': [list(e) for e in edges],
    'train': list(range(len(y))),
    'val': list(range(len(y), len(y) + 500)),
    'test': test_idx_range.tolist(),
}
with open(os.path.join(out, 'expected.json'), 'w') as f:
    json.dump(expected, f)
    f.write('\n')
