#!/usr/bin/env python3
"""Writes small NAS-Bench-201 v1.1 benchmark files with torch.save, for the converter's tests.

The objects have the exact structure of NAS-Bench-201-v1_1-096897.pth as the official API reads
it (D-X-Y/NAS-Bench-201, nas_201_api/api_201.py and api_utils.py): a dict with 'meta_archs',
'arch2infos' {index: {'less': ArchResults.state_dict() (12 epochs), 'full': (200 epochs)}},
'evaluated_indexes' and 'total_archs'; ArchResults and ResultsCount below keep the upstream
attribute order and state_dict(), and eval keys are built as upstream does ('x-valid@199').
Every number is a seeded random draw: nothing is copied from the real benchmark.

It also writes expected.json: the table rows the converter must produce, computed here with the
upstream semantics (get_more_info(..., is_random=False) / ArchResults.get_metrics: np.mean over
the dataset's seeds of the eval accuracy at the last epoch; get_compute_costs: np.mean of params)
and NATS-Bench's get_unique_str (Structure.to_unique_str(consider_zero=True)).

Needs torch and numpy (Debian: python3-torch). Usage:
  python3 make-fixtures.py                      # the committed fixtures, into this folder
  python3 make-fixtures.py --out DIR --archs 15625 --full-epochs 200 --formats legacy --no-expected
"""
import argparse
import json
import os
import random

import numpy as np
import torch

OPS = ['none', 'skip_connect', 'nor_conv_1x1', 'nor_conv_3x3', 'avg_pool_3x3']
SEEDS = [777, 888, 999]
# Evaluation sets per training setting, as in NAS-Bench-201 v1.1.
EVAL_SETS = {
    'cifar10-valid': ['x-valid', 'ori-test'],
    'cifar10': ['ori-test'],
    'cifar100': ['ori-test', 'x-valid', 'x-test'],
    'ImageNet16-120': ['ori-test', 'x-valid', 'x-test'],
}
NUM_CLASSES = {'cifar10-valid': 10, 'cifar10': 10, 'cifar100': 100, 'ImageNet16-120': 120}


class ResultsCount(object):
    """Upstream's ResultsCount (one trial), attributes in the upstream order."""

    def __init__(self, name, state_dict, train_accs, train_losses, params, flop, arch_config, seed, epochs, latency):
        self.name = name
        self.net_state_dict = state_dict
        self.train_acc1es = train_accs
        self.train_acc5es = None
        self.train_losses = train_losses
        self.train_times = None
        self.arch_config = arch_config
        self.params = params
        self.flop = flop
        self.seed = seed
        self.epochs = epochs
        self.latency = latency
        self.eval_names = []
        self.eval_acc1es = {}
        self.eval_times = {}
        self.eval_losses = {}

    def update_train_info(self, train_acc1es, train_acc5es, train_losses, train_times):
        self.train_acc1es = train_acc1es
        self.train_acc5es = train_acc5es
        self.train_losses = train_losses
        self.train_times = train_times

    def update_eval(self, accs, losses, times):
        data_names = set([x.split('@')[0] for x in accs.keys()])
        for data_name in sorted(data_names):
            self.eval_names.append(data_name)
            for iepoch in range(self.epochs):
                xkey = '{:}@{:}'.format(data_name, iepoch)
                self.eval_acc1es[xkey] = accs[xkey]
                self.eval_losses[xkey] = losses[xkey]
                self.eval_times[xkey] = times[xkey]

    def state_dict(self):
        return {key: value for key, value in self.__dict__.items()}


class ArchResults(object):
    def __init__(self, arch_index, arch_str):
        self.arch_index = int(arch_index)
        self.arch_str = arch_str
        self.all_results = dict()
        self.dataset_seed = dict()
        self.clear_net_done = False

    def update(self, dataset_name, seed, result):
        self.dataset_seed.setdefault(dataset_name, []).append(seed)
        self.dataset_seed[dataset_name] = sorted(self.dataset_seed[dataset_name])
        self.all_results[(dataset_name, seed)] = result

    def state_dict(self):
        state_dict = dict()
        for key, value in self.__dict__.items():
            if key == 'all_results':
                state_dict[key] = {k: v.state_dict() for k, v in value.items()}
            else:
                state_dict[key] = value
        return state_dict

    # The upstream semantics the expected values follow.
    def get_metrics_mean(self, dataset, setname):
        """ArchResults.get_metrics(dataset, setname, iepoch=None, is_random=False)['accuracy']."""
        if dataset not in self.dataset_seed:
            return None
        values = []
        for seed in self.dataset_seed[dataset]:
            r = self.all_results[(dataset, seed)]
            key = '{:}@{:}'.format(setname, r.epochs - 1)
            if key not in r.eval_acc1es:
                return None  # upstream raises KeyError; get_more_info reports no value
            values.append(r.eval_acc1es[key])
        return float(np.mean(values))

    def params_mean(self, dataset):
        """ArchResults.get_compute_costs(dataset)['params']."""
        if dataset not in self.dataset_seed:
            return None
        return float(np.mean([self.all_results[(dataset, s)].params for s in self.dataset_seed[dataset]]))


def arch_str(ops):
    o = [OPS[i] for i in ops]
    return '|{}~0|+|{}~0|{}~1|+|{}~0|{}~1|{}~2|'.format(*o)


def unique_str(ops):
    """NATS-Bench get_unique_str: Structure.to_unique_str(consider_zero=True)."""
    nodes = ['0']
    e = 0
    for j in range(1, 4):
        terms = []
        for i in range(j):
            op, src = OPS[ops[e]], nodes[i]
            e += 1
            if op == 'none' or src == '#':
                terms.append('#')
            elif op == 'skip_connect':
                terms.append(src)
            else:
                terms.append('({:})@{:}'.format(src, op))
        nodes.append('+'.join(sorted(terms)))
    return nodes[3]


def trial(rng, dataset, seed, epochs, arch, params, with_tensor):
    accs, losses, times = {}, {}, {}
    level = rng.uniform(30, 95) if dataset.startswith('cifar10') else rng.uniform(5, 70)
    for name in EVAL_SETS[dataset]:
        for i in range(epochs):
            key = '{:}@{:}'.format(name, i)
            accs[key] = level * (i + 1) / epochs + rng.gauss(0, 1)
            losses[key] = rng.uniform(0.1, 3)
            times[key] = rng.uniform(0.5, 2)
    config = {'name': 'infer.tiny', 'channel': 16, 'num_cells': 5, 'arch_str': arch, 'class_num': NUM_CLASSES[dataset]}
    net = {'classifier.weight': torch.zeros(2, 3)} if with_tensor else None
    r = ResultsCount(dataset, net, None, None, params, rng.uniform(10, 200), config, seed, epochs, [rng.uniform(0.005, 0.03)])
    r.update_train_info(
        {i: rng.uniform(10, 100) for i in range(epochs)},
        {i: rng.uniform(10, 100) for i in range(epochs)},
        {i: rng.uniform(0.1, 3) for i in range(epochs)},
        {i: rng.uniform(5, 20) for i in range(epochs)},
    )
    r.update_eval(accs, losses, times)
    return r


def arch_results(rng, index, ops, epochs, hp, small):
    s = arch_str(ops)
    ar = ArchResults(index, s)
    # Parameters are a property of the network: the same for every seed of a setting (a few
    # upstream records differ, which the mean over seeds absorbs; one fixture arch varies them).
    base = {d: round(rng.uniform(0.07, 1.6), 6) for d in EVAL_SETS}
    for dataset in EVAL_SETS:
        seeds = SEEDS[:]
        if small:
            # Irregularities the real file has: a setting with one seed, a setting missing.
            if index % 3 == 1:
                seeds = SEEDS[:1]
            if index % 4 == 2 and hp == 'full' and dataset == 'ImageNet16-120':
                continue
        for seed in seeds:
            params = base[dataset] + (rng.uniform(0, 0.01) if small and index == 0 else 0.0)
            with_tensor = small and index == 0 and seed == 777 and dataset == 'cifar10'
            ar.update(dataset, seed, trial(rng, dataset, seed, epochs, s, params, with_tensor))
    return ar


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('--out', default=here)
    p.add_argument('--archs', type=int, default=5, help='architectures (15625 = the whole space, in code order)')
    p.add_argument('--less-epochs', type=int, default=12)
    p.add_argument('--full-epochs', type=int, default=20, help='the real benchmark has 200; fewer keep the committed files small')
    p.add_argument('--formats', default='zip,legacy')
    p.add_argument('--seed', type=int, default=20260101)
    p.add_argument('--name', default='NAS-Bench-201-v1_1-096897.pth')
    p.add_argument('--no-expected', action='store_true')
    a = p.parse_args()
    rng = random.Random(a.seed)
    small = a.archs < 15625
    if small:
        codes = rng.sample(range(5 ** 6), a.archs)
    else:
        codes = list(range(5 ** 6))
    meta_archs, arch2infos, expected_ar = [], {}, []
    for index, code in enumerate(codes):
        ops = [(code // 5 ** i) % 5 for i in range(6)]
        meta_archs.append(arch_str(ops))
        less = arch_results(rng, index, ops, a.less_epochs, 'less', small)
        full = arch_results(rng, index, ops, a.full_epochs, 'full', small)
        arch2infos[index] = {'less': less.state_dict(), 'full': full.state_dict()}
        if not a.no_expected:
            expected_ar.append((index, ops, less, full))
    data = {
        'meta_archs': meta_archs,
        'arch2infos': arch2infos,
        'evaluated_indexes': set(range(len(meta_archs))),
        'total_archs': len(meta_archs),
    }
    os.makedirs(a.out, exist_ok=True)
    for fmt in a.formats.split(','):
        d = os.path.join(a.out, fmt) if len(a.formats.split(',')) > 1 else a.out
        os.makedirs(d, exist_ok=True)
        torch.save(data, os.path.join(d, a.name), _use_new_zipfile_serialization=(fmt == 'zip'))
    if a.no_expected:
        return
    nats, mini, naswot = [], [], []
    for index, ops, less, full in expected_ar:
        s = arch_str(ops)
        nats.append({
            'index': index, 'arch_str': s,
            'cifar10_test_acc': full.get_metrics_mean('cifar10', 'ori-test'),
            'cifar100_test_acc': full.get_metrics_mean('cifar100', 'x-test'),
            'imagenet16_120_test_acc': full.get_metrics_mean('ImageNet16-120', 'x-test'),
            'nats_unique_str': unique_str(ops),
        })
        mini.append({
            'index': index, 'arch_str': s,
            'cifar10_test_acc': less.get_metrics_mean('cifar10', 'ori-test'),
            'cifar10_valid_val_acc': less.get_metrics_mean('cifar10-valid', 'x-valid'),
            'cifar100_test_acc': less.get_metrics_mean('cifar100', 'x-test'),
            'cifar100_val_acc': less.get_metrics_mean('cifar100', 'x-valid'),
            'imagenet16_120_test_acc': less.get_metrics_mean('ImageNet16-120', 'x-test'),
            'imagenet16_120_val_acc': less.get_metrics_mean('ImageNet16-120', 'x-valid'),
        })
        naswot.append({
            'index': index, 'arch_str': s,
            'params_mb': full.params_mean('cifar10-valid'),
            'naswot_v1_score': None,
            'cifar10_test_acc': full.get_metrics_mean('cifar10', 'ori-test'),
            'cifar10_valid_val_acc': full.get_metrics_mean('cifar10-valid', 'x-valid'),
            'cifar10_valid_test_acc': full.get_metrics_mean('cifar10-valid', 'ori-test'),
        })
    expected = {
        'nb201_test_acc_200ep_nats.csv.gz': nats,
        'nb201_acc_12ep_minibench.csv.gz': mini,
        'nb201_cifar10_naswot.csv.gz': naswot,
    }
    with open(os.path.join(a.out, 'expected.json'), 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
