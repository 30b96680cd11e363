#!/usr/bin/env python3
"""PyTorch side of step-vs-torch.bench.cjs: single-path (SPOS) training steps of the NAS-Bench-201
supernet, written here from the description of xautodl's TinyNetworkSPOS / NAS201SearchCell (the
supernet few-shot NAS and RLNAS train on NB201), doing what nasx's trainSupernet does per step.

  torch_supernet.py steps PATHS_JSON [--threads N]

PATHS_JSON: {"channels": C, "cells_per_stage": N, "batch": 64, "warmup": W, "lr": [...],
"paths": [[6 op indices], ...]}. Runs one step per path, in order, on random 3x32x32 inputs with
random labels of 10 classes, and prints one JSON object on its last line: the wall time of every
step, and the median (wall and CPU ms) and mean of the steps after the warm-up.

The supernet: stem (3x3 conv, BN), 3 stages of N search cells (C, 2C, 4C channels) with a residual
reduction block (ReLU-conv-BN stride 2, ReLU-conv-BN, 2x2 avg pool + 1x1 conv shortcut) between
stages, BN-ReLU, global average pool, linear. Every edge of every cell holds all 5 operations
(none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3) with their own weights; the convs
are ReLU-conv-BN with non-affine BN (affine=False), the rest keeps affine BN.

A step, as nasx's trainSupernet: the same path in every cell, only the ops the path uses run
(`none` edges contribute nothing, and a node that reaches the output through `none` edges only is
not computed, as nasx's liveNodes), cross-entropy, backward, and Nesterov SGD (momentum 0.9,
weight decay 5e-4) on the path's parameters only: gradients are set to None before each step, so
torch.optim.SGD skips the weights and momentum buffers of ops the path did not use. The loss and
the number of correct predictions are read back every step (nasx does too).
"""
import json
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

NONE, SKIP, CONV1, CONV3, POOL = range(5)
# Edges in NB201's arch-string order: (to, from) = 1<-0, 2<-0, 2<-1, 3<-0, 3<-1, 3<-2.
EDGES = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, k, stride, pad, affine):
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, k, stride, pad, bias=False), nn.BatchNorm2d(c_out, affine=affine))


def candidates(c):
    """The 5 candidate ops of an edge, indexed as nasx's path; `none` and skip hold no weights."""
    return nn.ModuleList([
        nn.Identity(),  # none: never called
        nn.Identity(),
        ReLUConvBN(c, c, 1, 1, 0, affine=False),
        ReLUConvBN(c, c, 3, 1, 1, affine=False),
        nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
    ])


def live_nodes(path):
    """Nodes that reach the cell output through edges other than `none` (node 0 and 3 always)."""
    live = [True, False, False, True]
    for j in (2, 1):
        live[j] = any(f == j and path[e] != NONE and live[t] for e, (t, f) in enumerate(EDGES))
    return live


class SearchCell(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.edges = nn.ModuleList([candidates(c) for _ in EDGES])

    def forward(self, x, path, live):
        nodes = [x]
        for j in (1, 2, 3):
            if not live[j]:
                nodes.append(None)
                continue
            terms = [self.edges[e][path[e]](nodes[f]) for e, (t, f) in enumerate(EDGES) if t == j and path[e] != NONE]
            nodes.append(sum(terms[1:], terms[0]) if terms else torch.zeros_like(x))
        return nodes[3]


class Reduction(nn.Module):
    """NB201's residual reduction block (xautodl's ResNetBasicblock, stride 2)."""

    def __init__(self, c_in, c_out):
        super().__init__()
        self.conv_a = ReLUConvBN(c_in, c_out, 3, 2, 1, affine=True)
        self.conv_b = ReLUConvBN(c_out, c_out, 3, 1, 1, affine=True)
        self.downsample = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(c_in, c_out, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.conv_b(self.conv_a(x)) + self.downsample(x)


class Supernet(nn.Module):
    def __init__(self, channels, cells_per_stage, classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, channels, 3, padding=1, bias=False), nn.BatchNorm2d(channels))
        cells = []
        c = channels
        for stage in range(3):
            width = channels << stage
            if stage > 0:
                cells.append(Reduction(c, width))
                c = width
            cells += [SearchCell(c) for _ in range(cells_per_stage)]
        self.cells = nn.ModuleList(cells)
        self.lastact = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(inplace=False))
        self.classifier = nn.Linear(c, classes)

    def forward(self, x, path):
        live = live_nodes(path)
        h = self.stem(x)
        for cell in self.cells:
            h = cell(h, path, live) if isinstance(cell, SearchCell) else cell(h)
        return self.classifier(F.adaptive_avg_pool2d(self.lastact(h), 1).flatten(1))


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def steps(spec):
    net = Supernet(spec['channels'], spec['cells_per_stage'])
    net.train()
    batch = spec['batch']
    paths = spec['paths']
    lrs = spec['lr']
    # A few distinct random batches, cycled (the data's values do not change the work).
    xs = [torch.randn(batch, 3, 32, 32) for _ in range(4)]
    ys = [torch.randint(0, 10, (batch,)) for _ in range(4)]
    opt = torch.optim.SGD(net.parameters(), lr=lrs[0], momentum=0.9, nesterov=True, weight_decay=5e-4)
    wall, cpu, losses = [], [], []
    for k, path in enumerate(paths):
        x, y = xs[k % len(xs)], ys[k % len(ys)]
        t, c = time.perf_counter(), time.process_time()
        for group in opt.param_groups:
            group['lr'] = lrs[k]
        opt.zero_grad(set_to_none=True)
        logits = net(x, path)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
        (logits.detach().argmax(1) == y).sum().item()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    timed = slice(spec['warmup'], None)
    return {
        'threads': torch.get_num_threads(),
        'params': sum(p.numel() for p in net.parameters()),
        'steps': len(paths) - spec['warmup'],
        'step_ms': median(wall[timed]),
        'cpu_ms': median(cpu[timed]),
        'mean_ms': sum(wall[timed]) / len(wall[timed]),
        'all_ms': [round(t, 1) for t in wall],
        'first_loss': losses[0],
        'last_loss': losses[-1],
    }


def main(argv):
    threads = None
    if '--threads' in argv:
        i = argv.index('--threads')
        threads = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(0)
    if len(argv) != 2 or argv[0] != 'steps':
        sys.exit('usage: torch_supernet.py steps PATHS_JSON [--threads N] (see the docstring at the top of this file)')
    with open(argv[1]) as f:
        spec = json.load(f)
    print(json.dumps(steps(spec)))


if __name__ == '__main__':
    main(sys.argv[1:])
