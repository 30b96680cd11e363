#!/usr/bin/env python3
"""scikit-learn's values of the NAS-Bench-360 metrics on seeded inputs, for libs/stats/src/task-metrics.spec.ts.

Writes libs/stats/src/__fixtures__/task-metrics.sklearn.json. Scores are rounded to 2 decimals so
that ties occur; MAE8 follows NAS-Bench-360's backbone/utils_grid.py calculate_mae (reimplemented
here with NumPy, the reference being that code). Run: python3 tools/scripts/task-metrics-fixtures.py
"""
import json
import os
import warnings

import numpy as np
from sklearn import metrics

warnings.simplefilter('ignore')
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'libs', 'stats', 'src', '__fixtures__', 'task-metrics.sklearn.json')
rng = np.random.RandomState(0)


def fl(a):
    return [float(v) for v in np.asarray(a).ravel()]


def mae8_reference(P, Y, lengths, quirk):
    P = P.copy()
    n, side = P.shape[0], P.shape[1]
    if quirk:
        for j in range(side):
            for k in range(j, side):
                P[:, j, k] = (P[:, k, j] + P[:, j, k]) / 2.0
        P[P < 0.01] = 0.01
    out = np.zeros(n)
    for i in range(n):
        L = lengths[i]
        PAVG = np.full((L, L), 100.0)
        for j in range(L):
            for k in range(j, L):
                PAVG[j, k] = (P[i, k, j] + P[i, j, k]) / 2.0
        y = np.copy(Y[i, :L, :L])
        p = np.copy(PAVG)
        for a in range(L):
            for b in range(L):
                if b - a < 24 or y[a, b] > 8:
                    y[a, b] = np.nan
                    p[a, b] = np.nan
        out[i] = np.nanmean(np.abs(y - p)) if not np.isnan(np.abs(y - p)).all() else np.nan
    return float(np.nanmean(out))


def main():
    cases = {'f1': [], 'ap': [], 'auc': [], 'map': [], 'mauc': [], 'pooled': [], 'rel_l2': [], 'mae8': []}
    for n, k in [(30, 4), (200, 4), (500, 24), (50, 3)]:
        truth = rng.randint(0, k, n)
        pred = np.where(rng.rand(n) < 0.6, truth, rng.randint(0, k - 1, n))  # class k-1 rarely predicted
        cases['f1'].append({'truth': fl(truth), 'pred': fl(pred), 'classes': k, 'value': metrics.f1_score(truth, pred, labels=list(range(k)), average='macro', zero_division=0)})
    for n, p in [(40, 0.3), (300, 0.1), (600, 0.5), (25, 0.04)]:
        truth = (rng.rand(n) < p).astype(int)
        if truth.sum() == 0:
            truth[3] = 1
        scores = np.round(0.4 * truth + rng.rand(n), 2)
        cases['ap'].append({'truth': fl(truth), 'scores': fl(scores), 'value': metrics.average_precision_score(truth, scores)})
        cases['auc'].append({'truth': fl(truth), 'scores': fl(scores), 'value': metrics.roc_auc_score(truth, scores)})
    for n, k in [(60, 5), (150, 12), (80, 8)]:
        truth = (rng.rand(n, k) < 0.15).astype(int)
        truth[:, 1] = 0  # a label without positives
        scores = np.round(0.3 * truth + rng.rand(n, k), 2)
        cases['map'].append({'truth': fl(truth), 'scores': fl(scores), 'n': n, 'k': k, 'value': metrics.average_precision_score(truth, scores, average='macro')})
        keep = [j for j in range(k) if 0 < truth[:, j].sum() < n]
        cases['mauc'].append({'truth': fl(truth), 'scores': fl(scores), 'n': n, 'k': k, 'value': float(np.mean([metrics.roc_auc_score(truth[:, j], scores[:, j]) for j in keep]))})
        cases['pooled'].append({'truth': fl(truth), 'scores': fl(scores), 'n': n, 'k': k, 'value': metrics.roc_auc_score(truth.ravel(), scores.ravel()), 'thresholded': metrics.roc_auc_score(truth.ravel(), (scores.ravel() > 0.5).astype(int))})
    for n, d in [(5, 64), (3, 300)]:
        y = rng.randn(n, d)
        p = y + 0.3 * rng.randn(n, d)
        cases['rel_l2'].append({'pred': fl(np.round(p, 4)), 'truth': fl(np.round(y, 4)), 'n': n, 'd': d, 'value': float(np.mean(np.linalg.norm(np.round(p, 4) - np.round(y, 4), axis=1) / np.linalg.norm(np.round(y, 4), axis=1)))})
    side = 30
    for n in (2,):
        lengths = [int(v) for v in rng.randint(26, side + 1, n)]
        Y = np.round(np.abs(rng.randn(n, side, side)) * 8, 2)
        Y[0, 0, 27] = np.nan
        P = np.round(Y + rng.randn(n, side, side), 2)
        P[0, 2, 28] = -0.5
        for quirk in (False, True):
            cases['mae8'].append({'pred': [None if np.isnan(v) else v for v in fl(P)], 'truth': [None if np.isnan(v) else v for v in fl(Y)], 'n': n, 'side': side, 'lengths': lengths, 'quirk': quirk, 'value': mae8_reference(P, Y, lengths, quirk)})
    with open(OUT, 'w') as f:
        json.dump({'sklearn': __import__('sklearn').__version__, 'cases': cases}, f, separators=(',', ':'))


if __name__ == '__main__':
    main()
