"""Scalp EEG pages for the neurology pack.

Potentials are simulated at the 10-20 electrodes (background rhythms plus events with a
spatial field) and shown in the longitudinal bipolar montage, negative up, 30 mm/s,
so a focal negative sharp wave phase-reverses between the chains that share its peak
electrode, as on a real recording. Each ``*_eeg`` function returns the electrode
potentials (µV) that its ``make_*`` function draws.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import DPI

FS = 256.0
SECONDS = 10.0
ELECTRODES = ("Fp1", "Fp2", "F7", "F3", "Fz", "F4", "F8", "T3", "C3", "Cz", "C4", "T4",
              "T5", "P3", "Pz", "P4", "T6", "O1", "O2")
MONTAGE = (("Fp1", "F7"), ("F7", "T3"), ("T3", "T5"), ("T5", "O1"),
           ("Fp2", "F8"), ("F8", "T4"), ("T4", "T6"), ("T6", "O2"),
           ("Fp1", "F3"), ("F3", "C3"), ("C3", "P3"), ("P3", "O1"),
           ("Fp2", "F4"), ("F4", "C4"), ("C4", "P4"), ("P4", "O2"),
           ("Fz", "Cz"), ("Cz", "Pz"))
# Rough anterior-posterior position (0 front, 1 back) of each electrode, for fields.
AP = {"Fp1": 0.0, "Fp2": 0.0, "F7": 0.25, "F3": 0.25, "Fz": 0.25, "F4": 0.25, "F8": 0.25,
      "T3": 0.5, "C3": 0.5, "Cz": 0.5, "C4": 0.5, "T4": 0.5, "T5": 0.75, "P3": 0.75,
      "Pz": 0.75, "P4": 0.75, "T6": 0.75, "O1": 1.0, "O2": 1.0}


# A generalised discharge is not uniform over the scalp: it peaks frontocentrally and
# falls off toward the temporal and occipital electrodes, which is what makes it show
# in a bipolar montage.
FRONTAL_FIELD = {"Fp1": 0.55, "Fp2": 0.55, "F7": 0.55, "F3": 1.0, "Fz": 1.05, "F4": 1.0,
                 "F8": 0.55, "T3": 0.3, "C3": 0.65, "Cz": 0.75, "C4": 0.65, "T4": 0.3,
                 "T5": 0.12, "P3": 0.35, "Pz": 0.4, "P4": 0.35, "T6": 0.12, "O1": 0.05,
                 "O2": 0.05}


def time_axis() -> np.ndarray:
    return np.arange(0, SECONDS, 1 / FS)


def coloured_noise(rng, n, smooth=10, amp=4.0):
    x = np.convolve(rng.standard_normal(n), np.ones(smooth) / smooth, mode="same")
    return amp * x / x.std()


def background(t, rng, alpha_hz=10.0, alpha_uv=30.0, slow_uv=0.0, slow_hz=(1.5, 4.0)):
    """Per-electrode background: posterior alpha, a little beta, noise, optional slowing.

    Neighbouring electrodes share part of their activity (volume conduction), so the
    bipolar differences stay small unless something focal happens.
    """
    shared = coloured_noise(rng, t.size, 14, 6.0)
    v = {}
    alpha_phase = rng.uniform(0, 2 * np.pi)
    waxing = 0.6 + 0.4 * np.sin(2 * np.pi * 0.23 * t + rng.uniform(0, 6))
    slow = sum(np.sin(2 * np.pi * rng.uniform(*slow_hz) * t + rng.uniform(0, 6))
               for _ in range(3)) / 1.7
    for e in ELECTRODES:
        post = AP[e] ** 2
        alpha = alpha_uv * post * waxing * np.sin(2 * np.pi * alpha_hz * t + alpha_phase +
                                                  rng.normal(0, 0.3))
        v[e] = shared + coloured_noise(rng, t.size) + alpha + slow_uv * slow * \
            (0.7 + 0.3 * rng.uniform())
    return v


def sharp_wave(t, t0, width=0.07):
    """Negative sharp transient then a smaller, slower positive after-going wave."""
    spike = -np.exp(-0.5 * ((t - t0) / (width / 4)) ** 2)
    after = 0.35 * np.exp(-0.5 * ((t - t0 - 2.2 * width) / (width * 1.2)) ** 2)
    return spike + after


def polyspike_wave(t, t0, dur=1.4, rate=5.0):
    """Generalised irregular polyspike-and-wave at ``rate`` Hz for ``dur`` seconds."""
    y = np.zeros_like(t)
    for k, tk in enumerate(np.arange(t0, t0 + dur, 1 / rate)):
        n_spikes = 3 if k % 2 == 0 else 2
        for j in range(n_spikes):
            y += -0.8 * np.exp(-0.5 * ((t - tk - 0.018 * j) / 0.006) ** 2)
        y += 0.35 * np.exp(-0.5 * ((t - tk - 0.06) / 0.015) ** 2)  # positive transient
        y += -0.9 * np.exp(-0.5 * ((t - tk - 0.13) / 0.045) ** 2)  # negative slow wave
    return y


def jme_eeg():
    """juvenile myoclonic pattern (neurology-113): normal background, then bursts of
    generalised, frontally maximal polyspike-and-wave at about 4-6 Hz."""
    rng = np.random.default_rng(4113)
    t = time_axis()
    v = background(t, rng)
    burst = 240 * (polyspike_wave(t, 2.3, 1.3, 5.0) + polyspike_wave(t, 7.1, 0.9, 4.5))
    for e in ELECTRODES:
        v[e] = v[e] + FRONTAL_FIELD[e] * burst
    return t, v


LEFT_TEMPORAL = {"F7": 1.0, "T3": 0.95, "Fp1": 0.35, "T5": 0.3, "F3": 0.3, "C3": 0.2,
                 "O1": 0.05, "P3": 0.1}


def temporal_sharp_eeg():
    """Left anterior temporal sharp waves maximal at F7 and T3, plus intermittent left
    temporal theta (neurology-117); normal posterior rhythm."""
    rng = np.random.default_rng(4117)
    t = time_axis()
    v = background(t, rng)
    events = sum(sharp_wave(t, t0) for t0 in (1.6, 4.9, 8.3))
    theta = np.sin(2 * np.pi * 5.5 * t) * np.exp(-0.5 * ((t - 6.6) / 0.7) ** 2)
    for e, w in LEFT_TEMPORAL.items():
        v[e] = v[e] + 160 * w * events + 50 * w * theta
    return t, v


def periodic_complexes_eeg():
    """Diffuse slowing with generalised periodic sharp-wave complexes about once a
    second (neurology-121)."""
    rng = np.random.default_rng(4121)
    t = time_axis()
    v = background(t, rng, alpha_uv=5.0, slow_uv=35.0)
    times = 0.6 + np.cumsum(np.r_[0, rng.normal(1.0, 0.05, 10)])
    complexes = sum(sharp_wave(t, t0, width=0.16) for t0 in times if t0 < SECONDS)
    for e in ELECTRODES:
        v[e] = v[e] + 220 * (0.3 + 0.7 * FRONTAL_FIELD[e]) * complexes
    return t, v


def montage(v: dict[str, np.ndarray]) -> list[tuple[str, np.ndarray]]:
    return [(f"{a}-{b}", v[a] - v[b]) for a, b in MONTAGE]


def draw_eeg(t, v, uv_per_row=140.0, note=""):
    """18-channel bipolar page; negative is drawn upward by EEG convention."""
    chans = montage(v)
    fig = plt.figure(figsize=(15, 9.5), dpi=DPI, facecolor="white")
    ax = fig.add_axes([0.07, 0.07, 0.91, 0.9])
    for k, (name, y) in enumerate(chans):
        base = -k * uv_per_row - (k // 4) * 0.3 * uv_per_row
        ax.plot(t, base - y, color="#111111", lw=0.6)
        ax.text(-0.12, base, name, ha="right", va="center", fontsize=10)
    for s in np.arange(0, SECONDS + 0.01, 1.0):
        ax.axvline(s, color="#d0d0d0", lw=0.6, zorder=0)
    low = -len(chans) * uv_per_row - 2.0 * uv_per_row
    ax.plot([8.8, 9.8], [low, low], color="black", lw=2)
    ax.plot([9.8, 9.8], [low, low + 100], color="black", lw=2)
    ax.text(9.3, low - 25, "1 s", ha="center", va="top", fontsize=10)
    ax.text(9.85, low + 50, "100 µV", va="center", fontsize=10)
    ax.text(0, low - 25, "Longitudinal bipolar montage   negative up   " + note,
            fontsize=10, va="top")
    ax.set_xlim(0, SECONDS)
    ax.set_ylim(low - 90, 1.3 * uv_per_row)
    ax.set_axis_off()
    return fig


def make_eeg_polyspike_wave():
    return draw_eeg(*jme_eeg(), note="sleep-deprived recording"), "L64"


def make_eeg_temporal_sharp():
    return draw_eeg(*temporal_sharp_eeg()), "L64"


def make_eeg_periodic_complexes():
    return draw_eeg(*periodic_complexes_eeg()), "L64"


# --- infectious-disease-111: lateralised periodic discharges -----------------------

def lateralised_periodic_eeg():
    """Diffuse slowing with sharp periodic discharges over the left temporal region
    every 1-2 seconds."""
    rng = np.random.default_rng(8111)
    t = time_axis()
    v = background(t, rng, alpha_uv=6.0, slow_uv=30.0)
    times = 0.7 + np.cumsum(np.r_[0, rng.uniform(1.1, 1.8, 8)])
    pds = sum(sharp_wave(t, t0, width=0.12) for t0 in times if t0 < SECONDS - 0.2)
    for e, w in LEFT_TEMPORAL.items():
        v[e] = v[e] + 170 * w * pds
    return t, v


def make_eeg_lateralised_periodic():
    return draw_eeg(*lateralised_periodic_eeg()), "L64"


# --- pediatrics-112: 3 Hz spike-and-wave on hyperventilation ------------------------

def spike_wave_3hz_eeg(onset: float = 3.0, duration: float = 6.0):
    """Normal background, then a generalised, symmetric 3 Hz spike-and-wave discharge
    starting abruptly during hyperventilation."""
    rng = np.random.default_rng(8212)
    t = time_axis()
    v = background(t, rng, alpha_hz=8.5, alpha_uv=35.0)
    y = np.zeros_like(t)
    for tk in np.arange(onset, onset + duration, 1 / 3.0):
        y += -0.8 * np.exp(-0.5 * ((t - tk) / 0.008) ** 2)
        y += 0.3 * np.exp(-0.5 * ((t - tk - 0.06) / 0.02) ** 2)
        y += -1.0 * np.exp(-0.5 * ((t - tk - 0.17) / 0.06) ** 2)
    for e in ELECTRODES:
        v[e] = v[e] + 230 * FRONTAL_FIELD[e] * y
    return t, v


def make_eeg_spike_wave_3hz():
    fig = draw_eeg(*spike_wave_3hz_eeg(), note="recorded during hyperventilation")
    return fig, "L64"
