#!/usr/bin/env python3
"""PyTorch side of the nasx vs PyTorch benchmark (vs-torch.bench.cjs): the NAS-Bench-201 network
(Dong & Yang, ICLR 2020), written here from the paper's description, on every core.

  torch_nb201.py info                              the set-up: version, build config, threads, the
                                                   BLAS library loaded and a 1024² matmul's GFLOP/s
  torch_nb201.py bench ARCH [REPEATS]              forward and SGD training step at batch 64,
                                                   NASWOT v2 score (Mellor et al., ICML 2021) at 128
  torch_nb201.py naswot-list FILE                  scores every cell of FILE (one arch a line) in
                                                   turn, each a freshly built network
  torch_nb201.py train DIR ARCH EPOCHS BATCH       trains on DIR/train.f32 + train.i32, evaluates on
                                                   DIR/val.f32 + val.i32 after every epoch; times
                                                   and resident memory per epoch
  torch_nb201.py step-memory ARCH BATCH            resident memory of two training steps

Every mode prints one JSON object on its last line. --threads N (default: every core) sets
torch's intra-op threads."""
import ctypes
import json
import os
import resource
import sys
import time

import numpy
import torch
import torch.nn as nn

OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']
PAGE = os.sysconf('SC_PAGE_SIZE')


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


def rss():
    """Resident set size now, bytes."""
    with open('/proc/self/statm') as f:
        return int(f.read().split()[1]) * PAGE


def max_rss():
    """Peak resident set size of this process, bytes (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def sgd(net, steps):
    """NAS-Bench-201's optimiser, as nasx's trainNetwork: Nesterov SGD, cosine schedule per step from 0.1."""
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4)
    return opt, torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps, eta_min=0)


def blas_libraries():
    """Resolved paths of the BLAS/LAPACK libraries mapped into this process (after a matmul ran)."""
    found = []
    with open('/proc/self/maps') as f:
        for line in f:
            parts = line.split()
            p = parts[-1] if len(parts) >= 6 else ''
            name = os.path.basename(p)
            if ('blas' in name or 'lapack' in name or 'mkl' in name or 'blis' in name) and p not in found:
                found.append(p)
    return found


def openblas(paths):
    """OpenBLAS's own build string and thread count, when an OpenBLAS is loaded."""
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
            get_config = lib.openblas_get_config
        except (OSError, AttributeError):
            continue
        get_config.restype = ctypes.c_char_p
        return {'config': get_config().decode(), 'threads': lib.openblas_get_num_threads(), 'library': p}
    return None


def info():
    a = torch.randn(1024, 1024)
    b = torch.randn(1024, 1024)
    a @ b  # loads the BLAS and warms it up
    runs = 5
    t = time.perf_counter()
    for _ in range(runs):
        a @ b
    seconds = (time.perf_counter() - t) / runs
    libs = blas_libraries()
    return {
        'torch': torch.__version__,
        'config': torch.__config__.show(),
        'threads': torch.get_num_threads(),
        'interop_threads': torch.get_num_interop_threads(),
        'cpu_count': os.cpu_count(),
        'blas_libraries': libs,
        'openblas': openblas(libs),
        'matmul1024_gflops': 2 * 1024 ** 3 / seconds / 1e9,
        'env': {k: v for k, v in os.environ.items() if k in ('OMP_NUM_THREADS', 'OPENBLAS_NUM_THREADS', 'MKL_NUM_THREADS', 'LD_LIBRARY_PATH', 'LD_PRELOAD')},
    }


def naswot_list(file):
    archs = [l.strip() for l in open(file) if l.strip()]
    x128 = torch.randn(128, 3, 32, 32)
    started = time.perf_counter()
    scores = []
    for arch in archs:
        net = Network(parse(arch))
        net.train()
        scores.append(naswot(net, x128))
    return {'threads': torch.get_num_threads(), 'cells': len(archs), 'seconds': time.perf_counter() - started, 'scores': scores}


def bench(arch, repeats):
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

    # The training step is timed first: a forward pass timed on a fresh process runs 3-4x slower
    # (557 against 150 ms, best cell, 2 threads) until large blocks have been freed once, because
    # glibc's malloc serves each activation with a fresh mmap (page faults) until its dynamic mmap
    # threshold has risen; with MALLOC_MMAP_THRESHOLD_ set the forward is fast from the start. After
    # the steps, both sides also evaluate with calibrated batch-norm statistics, as real inference does.
    train_step = timed(step, repeats)
    return {
        'threads': torch.get_num_threads(), 'params': params,
        'train_step64_ms': train_step, 'forward64_ms': timed(forward, repeats),
        'naswot128_ms': timed(nw, repeats), 'naswot128': score['v'],
    }


def load_split(folder, name):
    x = torch.from_numpy(numpy.fromfile(os.path.join(folder, name + '.f32'), dtype='float32'))
    y = torch.from_numpy(numpy.fromfile(os.path.join(folder, name + '.i32'), dtype='int32')).long()
    return x.view(-1, 3, 32, 32), y


def train(folder, arch, epochs, batch):
    """Epochs over the split in file order (as nasx without an rng), then an evaluation pass."""
    x, y = load_split(folder, 'train')
    vx, vy = load_split(folder, 'val')
    net = Network(parse(arch))
    per_epoch = (len(y) + batch - 1) // batch
    opt, schedule = sgd(net, per_epoch * epochs)
    loss_fn = nn.CrossEntropyLoss()
    start_rss = rss()
    out = []
    for epoch in range(epochs):
        t = time.perf_counter()
        net.train()
        loss_sum = 0.0
        for i in range(0, len(y), batch):
            opt.zero_grad()
            loss = loss_fn(net(x[i:i + batch]), y[i:i + batch])
            loss.backward()
            opt.step()
            schedule.step()
            loss_sum += loss.item() * len(y[i:i + batch])
        train_seconds = time.perf_counter() - t
        t = time.perf_counter()
        net.eval()
        correct = 0
        with torch.no_grad():
            for i in range(0, len(vy), batch):
                correct += (net(vx[i:i + batch]).argmax(1) == vy[i:i + batch]).sum().item()
        out.append({
            'epoch': epoch + 1, 'train_seconds': train_seconds, 'train_images': len(y), 'eval_seconds': time.perf_counter() - t,
            'eval_images': len(vy), 'loss': loss_sum / len(y), 'val_acc': 100.0 * correct / len(vy), 'rss': rss(),
        })
    return {'threads': torch.get_num_threads(), 'batch': batch, 'start_rss': start_rss, 'max_rss': max_rss(), 'epochs': out}


def step_memory(arch, batch):
    """Resident memory before and at the peak of two SGD steps on a fresh network (fresh process)."""
    net = Network(parse(arch))
    x = torch.randn(batch, 3, 32, 32)
    y = torch.randint(0, 10, (batch,))
    opt, _ = sgd(net, 2)
    loss_fn = nn.CrossEntropyLoss()
    before = rss()
    for _ in range(2):
        opt.zero_grad()
        loss_fn(net(x), y).backward()
        opt.step()
    return {'batch': batch, 'rss_before': before, 'rss_after': rss(), 'max_rss': max_rss()}


def main(argv):
    threads = os.cpu_count()
    if '--threads' in argv:
        i = argv.index('--threads')
        threads = int(argv[i + 1])
        argv = argv[:i] + argv[i + 2:]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    mode, args = argv[0], argv[1:]
    if mode.startswith('|'):  # the older form `torch_nb201.py ARCH [REPEATS]`, which other benches call
        mode, args = 'bench', argv
    if mode == 'info':
        result = info()
    elif mode == 'bench':
        result = bench(args[0], int(args[1]) if len(args) > 1 else 5)
    elif mode == 'naswot-list':
        result = naswot_list(args[0])
    elif mode == 'train':
        result = train(args[0], args[1], int(args[2]), int(args[3]))
    elif mode == 'step-memory':
        result = step_memory(args[0], int(args[1]))
    else:
        sys.exit(f'torch_nb201.py: unknown mode {mode!r}; see the docstring at the top of this file')
    print(json.dumps(result))


if __name__ == '__main__':
    main(sys.argv[1:])
