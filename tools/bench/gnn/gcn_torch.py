#!/usr/bin/env python3
"""PyTorch side of gcn-speed.bench.cjs: Kipf & Welling's two-layer GCN on a Planetoid graph in plain
PyTorch with sparse matrices (what PyTorch Geometric's GCNConv computes, without the library):
H = Â · relu(Â · X W1) W2 with Â = D^-1/2 (A + I) D^-1/2 as a sparse COO tensor, X the
row-normalised sparse bag-of-words features, dropout 0.5 on the (sparse) input and the hidden
layer, Adam 0.01 with L2 5e-4 on the first layer, full-batch, one step per epoch followed by an
evaluation pass, as nasx's trainGraphNetwork does.

  gcn_torch.py train GRAPH_JSON_GZ [--epochs 200] [--seed 0] [--threads N]

GRAPH_JSON_GZ: nasx's one-file Planetoid layout. Prints one JSON object on its last line: epochs,
seconds, epochs per second (after 10 warm-up epochs), and the final test accuracy.
"""
import gzip
import json
import sys
import time

import torch
import torch.nn.functional as F


def arg(name, default):
    return type(default)(sys.argv[sys.argv.index(name) + 1]) if name in sys.argv else default


def main():
    path = sys.argv[2]
    epochs = arg('--epochs', 200)
    torch.manual_seed(arg('--seed', 0))
    torch.set_num_threads(arg('--threads', torch.get_num_threads()))
    g = json.loads(gzip.open(path).read())
    n, f, c = g['num_nodes'], g['num_features'], g['num_classes']
    indptr, indices = g['features']['indptr'], g['features']['indices']
    rows = [r for r in range(n) for _ in range(indptr[r + 1] - indptr[r])]
    counts = torch.tensor([indptr[r + 1] - indptr[r] for r in range(n)], dtype=torch.float32).clamp(min=1)
    vals = 1.0 / counts[torch.tensor(rows)]
    x_idx = torch.tensor([rows, indices])
    edges = torch.tensor(g['edges']).t()
    src = torch.cat([edges[0], edges[1], torch.arange(n)])
    dst = torch.cat([edges[1], edges[0], torch.arange(n)])
    deg = torch.zeros(n).index_add_(0, dst, torch.ones(dst.numel()))
    norm = deg[src].rsqrt() * deg[dst].rsqrt()
    adj = torch.sparse_coo_tensor(torch.stack([dst, src]), norm, (n, n)).coalesce()
    labels = torch.tensor(g['labels'])
    train, val, test = (torch.tensor(g['split'][k]) for k in ('train', 'val', 'test'))

    w1 = torch.nn.Parameter(torch.empty(f, 16))
    w2 = torch.nn.Parameter(torch.empty(16, c))
    b1 = torch.nn.Parameter(torch.zeros(16))
    b2 = torch.nn.Parameter(torch.zeros(c))
    torch.nn.init.xavier_uniform_(w1)
    torch.nn.init.xavier_uniform_(w2)
    opt = torch.optim.Adam([w1, w2, b1, b2], lr=0.01)

    def forward(training):
        v = vals
        if training:
            v = F.dropout(vals, 0.5, True)
        x = torch.sparse_coo_tensor(x_idx, v, (n, f))
        h = torch.sparse.mm(adj, torch.sparse.mm(x, w1)) + b1
        h = F.dropout(F.relu(h), 0.5, training)
        return torch.sparse.mm(adj, h @ w2) + b2

    times = []
    for epoch in range(epochs):
        t0 = time.perf_counter()
        opt.zero_grad()
        out = forward(True)
        loss = F.cross_entropy(out[train], labels[train]) + 5e-4 * (w1 ** 2).sum() / 2
        loss.backward()
        opt.step()
        with torch.no_grad():
            out = forward(False)
            val_loss = F.cross_entropy(out[val], labels[val]).item()
        times.append(time.perf_counter() - t0)
    with torch.no_grad():
        acc = (forward(False).argmax(1)[test] == labels[test]).float().mean().item() * 100
    steady = times[10:]
    print(json.dumps({'epochs': epochs, 'seconds': sum(times), 'epochs_per_s': len(steady) / sum(steady), 'test_acc': acc, 'threads': torch.get_num_threads(), 'last_val_loss': val_loss}))


if __name__ == '__main__':
    main()
