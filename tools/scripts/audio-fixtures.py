#!/usr/bin/env python3
"""Reference values for @nasx/data's audio features (libs/data/src/formats/audio.spec.ts).

A direct NumPy implementation of what NAS-Bench-360's FSD50K loader computes — torchaudio's
MelSpectrogram(sample_rate=22050, n_fft=1920, win_length=661, hop_length=220, n_mels=96) (periodic
Hann window zero-padded to n_fft, centred frames with reflect padding, |rfft|^2, HTK mel filters
without norm), librosa.power_to_db (ref 1, amin 1e-10, top_db 80), + 75, minus the mean — written
from those libraries' documented formulas with numpy.fft.rfft, on deterministic signals. Writes
libs/data/src/formats/__fixtures__/audio.numpy.json. Run: python3 tools/scripts/audio-fixtures.py
"""
import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'libs', 'data', 'src', 'formats', '__fixtures__', 'audio.numpy.json')
SR, NFFT, WIN, HOP, NMELS = 22050, 1920, 661, 220, 96


def mel_fb(n_freqs, f_min, f_max, n_mels, sr):
    all_freqs = np.linspace(0, sr // 2, n_freqs)
    mel = lambda f: 2595.0 * np.log10(1.0 + f / 700.0)
    m_pts = np.linspace(mel(f_min), mel(f_max), n_mels + 2)
    f_pts = 700.0 * (10 ** (m_pts / 2595.0) - 1.0)
    f_diff = f_pts[1:] - f_pts[:-1]
    slopes = f_pts[None, :] - all_freqs[:, None]
    down = -slopes[:, :-2] / f_diff[:-1]
    up = slopes[:, 2:] / f_diff[1:]
    return np.maximum(0, np.minimum(down, up))


def melspec(x):
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)
    left = (NFFT - WIN) // 2
    w = np.zeros(NFFT)
    w[left:left + WIN] = window
    padded = np.pad(x.astype(np.float64), NFFT // 2, mode='reflect')
    frames = 1 + (len(padded) - NFFT) // HOP
    spec = np.stack([np.abs(np.fft.rfft(padded[t * HOP:t * HOP + NFFT] * w)) ** 2 for t in range(frames)], axis=1)
    return mel_fb(NFFT // 2 + 1, 0.0, SR / 2, NMELS, SR).T @ spec


def features(x):
    if len(x) < SR:
        x = np.tile(x, SR // len(x) + 1)[:SR]
    s = melspec(x)
    db = 10 * np.log10(np.maximum(1e-10, s))
    db = np.maximum(db, db.max() - 80.0)
    db = db.astype(np.float32) + 75
    return db - db.mean()


def main():
    t = np.arange(SR) / SR
    # noise[i] = 2 ((1103515245 i + 12345) mod 2^31) / 2^31 - 1: the same in the spec without storing it
    noise = 2 * ((1103515245 * np.arange(SR, dtype=np.int64) + 12345) % 2 ** 31) / 2 ** 31 - 1
    signal = (0.5 * np.sin(2 * np.pi * 440 * t) + 0.25 * np.sin(2 * np.pi * 3000 * t) + 0.05 * noise).astype(np.float32)
    short = signal[:9000]
    fb = mel_fb(NFFT // 2 + 1, 0.0, SR / 2, NMELS, SR)
    spec = melspec(signal)
    out = {
        'note': 'NumPy reference of torchaudio MelSpectrogram + librosa power_to_db as NAS-Bench-360 uses them for FSD50K; see tools/scripts/audio-fixtures.py',
        'fbColumnSums': fb.sum(axis=0).tolist(),
        'fbEntries': [[k, j, float(fb[k, j])] for k, j in ((10, 3), (100, 20), (500, 70), (960, 95), (37, 11))],
        'melFrames': spec.shape[1],
        'melEntries': [[j, f, float(spec[j, f])] for j, f in ((0, 0), (5, 50), (11, 17), (40, 100), (60, 3), (95, 99))],
        # every 13th value of the [96, 101] features (row-major), rounded to 1e-4
        'features': np.round(features(signal).ravel()[::13], 4).tolist(),
        'featuresShort': np.round(features(short).ravel()[::13], 4).tolist(),
        'featuresMax': float(features(signal).max()),
    }
    with open(OUT, 'w') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
