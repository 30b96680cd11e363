#!/usr/bin/env python3
"""PyTorch side of step-vs-torch.bench.cjs: search steps of the Auto-DeepLab supernet, written here
from the description of nasx's buildAdlSupernet (itself after Liu et al., CVPR 2019, and the
reference implementation's hierarchical search network), doing what nasx's autodeeplab searcher
does per step.

  torch_autodeeplab.py steps CONFIG_JSON [--threads N]

CONFIG_JSON: {"blocks": B, "layers": L, "filters": F, "stem": S, "aspp": A, "aspp_rate": R,
"batch": N, "height": H, "width": W, "classes": K, "warmup": W0, "repeats": R0}. Prints one JSON
object on its last line: the median wall and CPU milliseconds of a weight step and of an
architecture step, after the warm-up.

The supernet: a stem of three 3x3 convolutions (stride 2, 1, 2) with BN and ReLU; the trellis of L
layers over levels 0-3 (rates 4-32), node (l, t) summing, weighted by beta, the cells fed by the
nodes of layer l-1 at levels t-1, t, t+1 (each cell its own weights); a cell's inputs resized
(bilinear) and mapped by ReLU-conv1x1-BN to F*2^t channels, B blocks mixing by softmax(alpha) the 7
operations (max and average pooling, skip, separable 3x3/5x5 twice, atrous 3x3/5x5 at rate 2) on
every earlier node, the blocks concatenated; an ASPP head (1x1 conv, 3x3 atrous conv, image
pooling, projection, per-pixel linear) on every level of the last layer, up-sampled and summed.

A weight step: forward under the current alpha and beta (not trained), per-pixel cross-entropy,
backward, gradient clipped to norm 5, SGD (momentum 0.9, weight decay 3e-4). An architecture step
(first order): forward, the loss's gradient with respect to alpha and beta only
(torch.autograd.grad), Adam.
"""
import json
import math
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

OPS = ["none", "max_pool_3x3", "avg_pool_3x3", "skip_connect", "sep_conv_3x3", "sep_conv_5x5", "dil_conv_3x3", "dil_conv_5x5"]


class Separable(nn.Module):
    """ReLU, depthwise k x k (dilation d), pointwise 1x1, BN."""

    def __init__(self, c, k, d):
        super().__init__()
        self.dw = nn.Conv2d(c, c, k, 1, (k - 1) * d // 2, dilation=d, groups=c, bias=False)
        self.pw = nn.Conv2d(c, c, 1, bias=False)
        self.bn = nn.BatchNorm2d(c)

    def forward(self, x):
        return self.bn(self.pw(self.dw(F.relu(x))))


def make_op(name, c):
    if name == "max_pool_3x3":
        return nn.MaxPool2d(3, 1, 1)
    if name == "avg_pool_3x3":
        return nn.AvgPool2d(3, 1, 1, count_include_pad=False)
    if name == "skip_connect":
        return nn.Identity()
    if name.startswith("sep_conv"):
        k = int(name[-1])
        return nn.Sequential(Separable(c, k, 1), Separable(c, k, 1))
    return Separable(c, int(name[-1]), 2)


class ReLUConvBN(nn.Sequential):
    def __init__(self, c_in, c_out):
        super().__init__(nn.ReLU(), nn.Conv2d(c_in, c_out, 1, bias=False), nn.BatchNorm2d(c_out))


class Cell(nn.Module):
    def __init__(self, blocks, c_pp, c_p, c):
        super().__init__()
        self.blocks = blocks
        self.pre0 = ReLUConvBN(c_pp, c)
        self.pre1 = ReLUConvBN(c_p, c)
        self.edges = nn.ModuleList()
        for j in range(blocks):
            for _ in range(j + 2):
                self.edges.append(nn.ModuleList([make_op(o, c) for o in OPS[1:]]))

    def forward(self, pp, p, size, alpha):
        nodes = [self.pre0(resize(pp, size)), self.pre1(resize(p, size))]
        e = 0
        for j in range(self.blocks):
            s = 0
            for i in range(j + 2):
                w = alpha[e]
                s = s + sum(w[k + 1] * op(nodes[i]) for k, op in enumerate(self.edges[e]))
                e += 1
            nodes.append(s)
        return torch.cat(nodes[2:], 1)


def resize(x, size):
    if tuple(x.shape[2:]) == tuple(size):
        return x
    return F.interpolate(x, size=size, mode="bilinear", align_corners=False)


class ASPP(nn.Module):
    def __init__(self, c_in, a, k, rate):
        super().__init__()
        self.b0 = nn.Sequential(nn.Conv2d(c_in, a, 1, bias=False), nn.BatchNorm2d(a), nn.ReLU())
        self.b1 = nn.Sequential(nn.Conv2d(c_in, a, 3, 1, rate, dilation=rate, bias=False), nn.BatchNorm2d(a), nn.ReLU())
        self.pool = nn.Linear(c_in, a)
        self.proj = nn.Sequential(nn.Conv2d(3 * a, a, 1, bias=False), nn.BatchNorm2d(a), nn.ReLU())
        self.cls = nn.Conv2d(a, k, 1)

    def forward(self, x, out):
        n, _, h, w = x.shape
        pooled = F.relu(self.pool(x.mean((2, 3)))).view(n, -1, 1, 1).expand(-1, -1, h, w)
        y = self.cls(self.proj(torch.cat([self.b0(x), self.b1(x), pooled], 1)))
        return resize(y, out)


def max_level(layer):
    return 0 if layer < 0 else min(layer + 1, 3)


class Supernet(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        B, L, Fm, S, A = cfg["blocks"], cfg["layers"], cfg["filters"], cfg["stem"], cfg["aspp"]
        self.B, self.L = B, L
        self.stem = nn.Sequential(
            nn.Conv2d(3, S, 3, 2, 1, bias=False), nn.BatchNorm2d(S), nn.ReLU(),
            nn.Conv2d(S, S, 3, 1, 1, bias=False), nn.BatchNorm2d(S), nn.ReLU(),
            nn.Conv2d(S, S, 3, 2, 1, bias=False), nn.BatchNorm2d(S), nn.ReLU(),
        )
        h, w = cfg["height"], cfg["width"]
        h, w = math.ceil(h / 2), math.ceil(w / 2)
        self.sizes = []
        for _ in range(4):
            h, w = math.ceil(h / 2), math.ceil(w / 2)
            self.sizes.append((h, w))
        self.out = (cfg["height"], cfg["width"])
        ch = lambda layer, level: S if layer < 0 else B * (Fm << level)
        self.cells = nn.ModuleDict()
        for l in range(L):
            for t in range(max_level(l) + 1):
                ppl = min(t, max_level(l - 2))
                for s in range(max(0, t - 1), min(max_level(l - 1), t + 1) + 1):
                    self.cells[f"{l}_{t}_{s}"] = Cell(B, ch(l - 2, ppl), ch(l - 1, s), Fm << t)
        self.aspp = nn.ModuleList([ASPP(B * (Fm << t), A, cfg["classes"], max(1, round(cfg["aspp_rate"] / (4 << t)))) for t in range(max_level(L - 1) + 1)])

    def forward(self, x, alpha_raw, beta_raw):
        alpha = F.softmax(alpha_raw, -1)
        mask = beta_mask(self.L)
        beta = F.softmax(beta_raw + (mask - 1) * 1e9, -1) * mask
        s0 = self.stem(x)
        nodes = [[s0], [s0]]
        for l in range(self.L):
            row = []
            for t in range(max_level(l) + 1):
                pp = nodes[l][min(t, max_level(l - 2))]
                total = 0
                for s in range(max(0, t - 1), min(max_level(l - 1), t + 1) + 1):
                    total = total + beta[l, s, t - s + 1] * self.cells[f"{l}_{t}_{s}"](pp, nodes[l + 1][s], self.sizes[t], alpha)
                row.append(total)
            nodes.append(row)
        return sum(head(h, self.out) for head, h in zip(self.aspp, nodes[self.L + 1]))


def beta_mask(layers):
    m = torch.zeros(layers, 4, 3)
    for l in range(layers):
        for s in range(4):
            for d in range(3):
                t = s + d - 1
                if s <= max_level(l - 1) and 0 <= t < 4:
                    m[l, s, d] = 1
    return m


def steps(cfg):
    torch.manual_seed(0)
    net = Supernet(cfg)
    net.train()
    edges = sum(j + 2 for j in range(cfg["blocks"]))
    alpha = (1e-3 * torch.randn(edges, 8)).requires_grad_()
    beta = (1e-3 * torch.randn(cfg["layers"], 4, 3)).requires_grad_()
    sgd = torch.optim.SGD(net.parameters(), lr=0.025, momentum=0.9, weight_decay=3e-4)
    adam = torch.optim.Adam([alpha, beta], lr=0.003, betas=(0.9, 0.999), weight_decay=1e-3)
    n, h, w, k = cfg["batch"], cfg["height"], cfg["width"], cfg["classes"]
    x = torch.randn(n, 3, h, w)
    y = torch.randint(0, k, (n, h, w))
    timings = {"weight": [], "arch": []}

    def weight_step():
        sgd.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x, alpha.detach(), beta.detach()), y)
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 5)
        sgd.step()
        return loss.item()

    def arch_step():
        adam.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x, alpha, beta), y)
        ga, gb = torch.autograd.grad(loss, [alpha, beta])
        alpha.grad, beta.grad = ga, gb
        adam.step()
        return loss.item()

    for r in range(cfg["warmup"] + cfg["repeats"]):
        for name, fn in (("weight", weight_step), ("arch", arch_step)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            if r >= cfg["warmup"]:
                timings[name].append(((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000))
    params = sum(p.numel() for p in net.parameters())
    out = {"params": params, "threads": torch.get_num_threads()}
    for name, ts in timings.items():
        out[name] = {"wall_ms": statistics.median(t[0] for t in ts), "cpu_ms": statistics.median(t[1] for t in ts)}
    return out


def main():
    args = sys.argv[1:]
    if "--threads" in args:
        i = args.index("--threads")
        torch.set_num_threads(int(args[i + 1]))
        del args[i : i + 2]
    if args[0] == "steps":
        print(json.dumps(steps(json.loads(args[1]))))
    else:
        raise SystemExit(f"unknown mode {args[0]}")


if __name__ == "__main__":
    main()
