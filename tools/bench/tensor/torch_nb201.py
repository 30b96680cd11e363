#!/usr/bin/env python3
"""PyTorch side of the tensor benchmark: the NAS-Bench-201 network (Dong & Yang, ICLR 2020),
written here from the paper's description, timed for a forward pass and one SGD training step at
batch 64 and for the NASWOT v2 score (Mellor et al., ICML 2021) at batch 128, on 2 threads.
Prints one JSON object. Usage: torch_nb201.py '<arch string>' [repeats]
With --naswot-list FILE: scores every cell of FILE (one arch string a line) in turn, each a
freshly built network, as a scoring run does, and prints the wall time."""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)
torch.manual_seed(0)
OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out, k, stride, pad):
        super().__init__(nn.ReLU(inplace=False), nn.Conv2d(c_in, c_out, k, stride, pad, bias=False), nn.BatchNorm2d(c_out))


class Zero(nn.Module):
    def forward(self, x):
        return x.mul(0.0)


def make_op(name, c):
    if name == 'none':
        return Zero()
    if name == 'skip_connect':
        return nn.Identity()
    if name == 'nor_conv_1x1':
        return ReLUConvBN(c, c, 1, 1, 0)
    if name == 'nor_conv_3x3':
        return ReLUConvBN(c, c, 3, 1, 1)
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


class Cell(nn.Module):
    def __init__(self, ops, c):
        super().__init__()
        # edges in arch-string order: (1<-0), (2<-0), (2<-1), (3<-0), (3<-1), (3<-2)
        self.edges = nn.ModuleList([make_op(o, c) for o in ops])
        self.inputs = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)]

    def forward(self, x):
        nodes = [x]
        for j in (1, 2, 3):
            nodes.append(sum(self.edges[e](nodes[i]) for e, (t, i) in enumerate(self.inputs) if t == j))
        return nodes[3]


class Reduction(nn.Module):
    def __init__(self, c_in, c_out):
        super().__init__()
        self.a = ReLUConvBN(c_in, c_out, 3, 2, 1)
        self.b = ReLUConvBN(c_out, c_out, 3, 1, 1)
        self.shortcut = nn.Sequential(nn.AvgPool2d(2, 2), nn.Conv2d(c_in, c_out, 1, 1, 0, bias=False))

    def forward(self, x):
        return self.b(self.a(x)) + self.shortcut(x)


class Network(nn.Module):
    def __init__(self, ops, classes=10):
        super().__init__()
        layers = [nn.Conv2d(3, 16, 3, padding=1, bias=False), nn.BatchNorm2d(16)]
        c = 16
        for stage, width in enumerate((16, 32, 64)):
            if stage > 0:
                layers.append(Reduction(c, width))
                c = width
            layers += [Cell(ops, c) for _ in range(5)]
        layers += [nn.BatchNorm2d(c), nn.ReLU()]
        self.body = nn.Sequential(*layers)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.classifier = nn.Linear(c, classes)

    def forward(self, x):
        return self.classifier(self.pool(self.body(x)).flatten(1))


def parse(arch):
    nodes = arch.strip('|').split('|+|')
    return [tok.split('~')[0] for node in nodes for tok in node.strip('|').split('|')]


def naswot(net, x):
    """log|K_H|, K_H = codes·codesᵀ + (1−codes)·(1−codes)ᵀ over all ReLU units (Mellor et al. 2021)."""
    # float32 as the authors' code does; counts stay exact below 2^24 units.
    k = torch.zeros(x.shape[0], x.shape[0])

    def hook(module, inp, out):
        c = (out.detach().flatten(1) > 0).float()
        k.add_(c @ c.t() + (1 - c) @ (1 - c).t())

    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        net(x)
    for h in handles:
        h.remove()
    return torch.slogdet(k)[1].item()


def timed(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    times.sort()
    return times[len(times) // 2] * 1000


def naswot_list(file):
    archs = [l.strip() for l in open(file) if l.strip()]
    x128 = torch.randn(128, 3, 32, 32)
    started = time.perf_counter()
    scores = []
    for arch in archs:
        net = Network(parse(arch))
        net.train()
        scores.append(naswot(net, x128))
    print(json.dumps({'torch': torch.__version__, 'threads': torch.get_num_threads(), 'cells': len(archs), 'seconds': time.perf_counter() - started, 'scores': scores}))


def main():
    if sys.argv[1] == '--naswot-list':
        return naswot_list(sys.argv[2])
    arch = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    net = Network(parse(arch))
    params = sum(p.numel() for p in net.parameters())
    x64 = torch.randn(64, 3, 32, 32)
    y64 = torch.randint(0, 10, (64,))
    x128 = torch.randn(128, 3, 32, 32)
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()

    def forward():
        with torch.no_grad():
            net.eval()
            net(x64)

    def step():
        net.train()
        opt.zero_grad()
        loss_fn(net(x64), y64).backward()
        opt.step()

    score = {}

    def nw():
        net.train()
        score['v'] = naswot(net, x128)

    print(json.dumps({
        'torch': torch.__version__, 'threads': torch.get_num_threads(), 'params': params,
        'forward64_ms': timed(forward, repeats), 'train_step64_ms': timed(step, repeats),
        'naswot128_ms': timed(nw, repeats), 'naswot128': score['v'],
    }))


if __name__ == '__main__':
    main()
