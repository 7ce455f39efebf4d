"""Clinical charts for the internal medicine and paediatric packs: a platelet trend,
tympanograms and a repetitive nerve stimulation train. Plotted values are the ones the
case states; curve shapes between them follow the standard physiology of each test.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import DPI

# --- internal-medicine-112: platelet count after surgery ----------------------------

PLATELETS = {"day": [-1, 1, 4, 6, 8], "count": [262, 231, 298, 176, 94]}


def make_platelet_trend():
    fig, ax = plt.subplots(figsize=(10, 6), dpi=DPI, facecolor="white")
    ax.axhspan(150, 400, color="#cfe8cf", label="reference range 150-400")
    ax.plot(PLATELETS["day"], PLATELETS["count"], "o-", color="#23507a", lw=2, ms=8)
    for d, c in zip(PLATELETS["day"], PLATELETS["count"]):
        ax.annotate(str(c), (d, c), textcoords="offset points", xytext=(0, 10), ha="center",
                    fontsize=11)
    ax.axvline(0, color="0.3", ls="--", lw=1.2)
    ax.text(0.1, 30, "surgery", fontsize=10)
    ax.set(xlim=(-1.8, 9), ylim=(0, 420), xlabel="Day after surgery",
           ylabel="Platelets (x10^9/L)", title="Platelet count")
    ax.set_xticks(range(-1, 10))
    ax.grid(color="0.9")
    ax.legend(loc="upper right")
    fig.tight_layout()
    return fig, "P"


# --- pediatrics-103: tympanometry ----------------------------------------------------

def tympanogram(pressure, peak_daPa=0.0, peak_ml=0.6, width=80.0, flat=False):
    """Admittance (mL) against ear canal pressure (daPa). A mobile drum gives a peak at
    the middle ear pressure; fluid behind the drum gives a flat trace (type B)."""
    if flat:
        return 0.08 + 0.00001 * (pressure + 400)
    return 0.1 + peak_ml * np.exp(-0.5 * ((pressure - peak_daPa) / width) ** 2)


def make_tympanograms():
    p = np.linspace(-400, 200, 300)
    fig, axes = plt.subplots(1, 2, figsize=(12, 5.5), dpi=DPI, facecolor="white",
                             sharey=True)
    panels = (("Right ear", tympanogram(p, flat=True)),
              ("Left ear", tympanogram(p, peak_daPa=-210, peak_ml=0.45)))
    for ax, (title, y) in zip(axes, panels):
        ax.add_patch(plt.Rectangle((-100, 0.2), 150, 1.2, color="#cfe8cf", lw=0,
                                   label="normal peak region"))
        ax.plot(p, y, color="#8e2c1f", lw=2.2)
        ax.set(title=title, xlabel="Ear canal pressure (daPa)", xlim=(-400, 200),
               ylim=(0, 1.6))
        ax.grid(color="0.9")
    axes[0].set_ylabel("Admittance (mL)")
    axes[1].legend(loc="upper right")
    fig.tight_layout()
    return fig, "P"


# --- pediatrics-121: repetitive nerve stimulation ---------------------------------

def cmap_train(n=20, first_mv=0.9, increment=0.7):
    """Amplitudes of the compound muscle action potentials in a 50 Hz train: small at
    first, then growing as transmitter release builds up (here by ``increment``)."""
    k = np.arange(n)
    return first_mv * (1 + increment * (1 - np.exp(-k / 5.0)) / (1 - np.exp(-(n - 1) / 5.0)))


def cmap_wave(t, amp):
    """One biphasic compound muscle action potential on a millisecond axis."""
    return amp * (np.exp(-0.5 * ((t - 5.0) / 1.0) ** 2) - 0.6 * np.exp(-0.5 * ((t - 8.5) / 1.5) ** 2))


def make_rns_train():
    amps = cmap_train()
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 5.5), dpi=DPI, facecolor="white",
                                 gridspec_kw={"width_ratios": [3, 2]})
    t = np.linspace(0, 20, 400)  # each response gets a 20 ms window (50 Hz)
    for k, a in enumerate(amps):
        ax.plot(t + 20 * k, cmap_wave(t, a), color="#111111", lw=1)
    ax.set(xlabel="ms (stimuli at 50 Hz)", ylabel="mV", title="Repetitive stimulation at 50 Hz",
           xlim=(0, 20 * len(amps)))
    ax.grid(color="0.9")
    bx.bar(np.arange(1, len(amps) + 1), amps, color="#23507a")
    bx.set(xlabel="Response number", ylabel="CMAP amplitude (mV)",
           title=f"Increment {100 * (amps[-1] / amps[0] - 1):.0f}%")
    bx.grid(color="0.9", axis="y")
    fig.tight_layout()
    return fig, "P"
