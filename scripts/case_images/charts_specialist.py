"""Physiology charts for the specialist packs: a 24-hour oesophageal pH trace, a gastric
emptying retention curve and a water deprivation test. Only values stated in the case
are plotted as measurements; the pH trace is simulated and its acid exposure time is
measured on the drawn trace itself.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import DPI

# --- gastroenterology-101: ambulatory pH-impedance --------------------------------

PH_DT_MIN = 0.1  # one sample every 6 s, as ambulatory recorders store
START_H = 9.0  # the recording starts at 09:00 and lasts 24 h


def reflux_events(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(start minute, duration minutes, acid?) for the 96 impedance-detected episodes.

    Acid episodes cluster after meals and, longest, in the supine period after the late
    meal; the rest are weakly acidic (impedance only, pH stays above 4).
    """
    upright = np.sort(rng.uniform(0, 13 * 60, 58))
    supine = 14 * 60 + np.sort(rng.exponential(100, 38)).clip(0, 8 * 60)
    starts = np.r_[upright, supine]
    dur = np.r_[rng.uniform(0.3, 2.5, 58), rng.uniform(2.0, 9.0, 38)]
    acid = np.r_[rng.uniform(size=58) < 0.45, rng.uniform(size=38) < 0.8]
    return starts, dur, acid


def ph_trace(rng: np.random.Generator, events, scale: float) -> tuple[np.ndarray, np.ndarray]:
    t = np.arange(0, 24 * 60, PH_DT_MIN)
    ph = 6.0 + 0.25 * np.convolve(rng.standard_normal(t.size), np.ones(25) / 5, "same")
    for s, d, acid in zip(*events):
        if not acid:
            continue
        inside = (t >= s) & (t < s + d * scale)
        ph[inside] = np.minimum(ph[inside], 2.2 + 0.8 * rng.uniform())
        tail = (t >= s + d * scale) & (t < s + d * scale + 1.5)  # clearance back up
        ph[tail] = np.minimum(ph[tail], 4.1 + (t[tail] - s - d * scale))
    return t, np.clip(ph, 0.5, 7.8)


def acid_fraction(ph: np.ndarray) -> float:
    return float(np.mean(ph < 4.0))


def ph_recording(target: float = 0.096):
    """Trace whose acid exposure time (pH < 4) is ``target`` of the 24 h recording."""
    rng = np.random.default_rng(2501)
    events = reflux_events(rng)
    lo, hi = 0.2, 8.0
    for _ in range(40):  # bisect the episode length scale; same noise every time
        mid = 0.5 * (lo + hi)
        frac = acid_fraction(ph_trace(np.random.default_rng(2502), events, mid)[1])
        lo, hi = (mid, hi) if frac < target else (lo, mid)
    t, ph = ph_trace(np.random.default_rng(2502), events, 0.5 * (lo + hi))
    return t, ph, events


def clock(ax):
    ticks = np.arange(0, 24 * 60 + 1, 120)
    ax.set_xticks(ticks, [f"{int((START_H + m / 60) % 24):02d}:00" for m in ticks])


def make_ph_impedance():
    t, ph, (starts, _, _) = ph_recording()
    fig, (ev, ax) = plt.subplots(2, 1, figsize=(14, 6.2), dpi=DPI, sharex=True,
                                 gridspec_kw={"height_ratios": [1, 4]}, facecolor="white")
    for a in (ev, ax):
        a.axvspan(14 * 60, 22 * 60, color="#dfe8f5", lw=0)
    for m, label in ((3.5 * 60, "meal"), (9.5 * 60, "meal"), (13.2 * 60, "late meal")):
        ax.axvspan(m, m + 30, color="#f3e0b5", lw=0)
        ax.text(m + 15, 7.55, label, ha="center", fontsize=9)
    ax.text(18 * 60, 7.55, "supine", ha="center", fontsize=10, color="#284a7a")
    ax.plot(t, ph, color="#222222", lw=0.6)
    ax.axhline(4, color="#c0392b", lw=1.2, ls="--")
    ax.set(ylim=(0, 8), ylabel="Distal oesophageal pH", xlim=(0, 24 * 60))
    clock(ax)
    ev.eventplot(starts, colors="#1f5fa8", lineoffsets=0.5, linelengths=0.8)
    ev.set(yticks=[], ylim=(0, 1), title="Impedance-detected reflux episodes")
    frac = acid_fraction(ph)
    ax.text(0.01, 0.04, f"Acid exposure time (pH < 4): {100 * frac:.1f}% (normal < 4%)   "
            f"Reflux episodes: {starts.size} (normal < 80)   Symptom association "
            f"probability: 98%", transform=ax.transAxes, fontsize=10,
            bbox={"facecolor": "white", "edgecolor": "0.6"})
    fig.tight_layout()
    return fig, "P"


# --- gastroenterology-106: gastric emptying scintigraphy --------------------------

EMPTYING = {"hours": [0, 1, 2, 4], "retained": [100, 92, 74, 41]}
NORMAL_RETENTION = {1: (37, 90), 2: (0, 60), 4: (0, 10)}


def make_gastric_emptying():
    fig, ax = plt.subplots(figsize=(10, 6.5), dpi=DPI, facecolor="white")
    for h, (lo, hi) in NORMAL_RETENTION.items():
        ax.add_patch(plt.Rectangle((h - 0.12, lo), 0.24, hi - lo, color="#cfe8cf", lw=0))
    ax.plot(EMPTYING["hours"], EMPTYING["retained"], "o-", color="#8e2c1f", lw=2, ms=8,
            label="Patient (radiolabelled egg meal)")
    for h, r in zip(EMPTYING["hours"], EMPTYING["retained"]):
        ax.annotate(f"{r}%", (h, r), textcoords="offset points", xytext=(10, 6), fontsize=11)
    ax.add_patch(plt.Rectangle((0, 0), 0, 0, color="#cfe8cf", label="Normal range"))
    ax.set(xlim=(-0.2, 4.5), ylim=(0, 105), xticks=[0, 1, 2, 3, 4], xlabel="Hours after meal",
           ylabel="Meal retained in stomach (%)", title="Gastric emptying scintigraphy")
    ax.grid(color="0.9")
    ax.legend(loc="lower left")
    fig.tight_layout()
    return fig, "P"


# --- endocrinology-117: water deprivation test -------------------------------------

WATER_DEPRIVATION = {  # hour: (serum osm, urine osm, sodium, weight change %)
    0: (298, 96, 146, 0.0), 8: (306, 164, 150, -3.2), 9: (None, 592, None, None)}


def make_water_deprivation():
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(13, 6), dpi=DPI, facecolor="white",
                                 gridspec_kw={"width_ratios": [3, 2]})
    hours = sorted(WATER_DEPRIVATION)
    urine = [WATER_DEPRIVATION[h][1] for h in hours]
    ax.plot(hours, urine, "s-", color="#1f5fa8", lw=2, ms=8, label="Urine osmolality")
    ax.plot(hours[:2], [WATER_DEPRIVATION[h][0] for h in hours[:2]], "o-", color="#8e2c1f",
            lw=2, ms=8, label="Serum osmolality")
    for h, u in zip(hours, urine):
        ax.annotate(str(u), (h, u), textcoords="offset points", xytext=(-12, 10), fontsize=11)
    ax.axvline(8.05, color="0.3", ls="--", lw=1.2)
    ax.text(8.12, 700, "desmopressin\n2 µg IM", fontsize=10, va="top")
    ax.set(xlim=(-0.5, 10), ylim=(0, 750), xlabel="Hours without fluids",
           ylabel="mOsm/kg", title="Water deprivation test")
    ax.grid(color="0.9")
    ax.legend(loc="upper left")
    rows = [["", "0 h", "8 h"], ["Serum sodium (mmol/L)", "146", "150"],
            ["Serum osmolality (mOsm/kg)", "298", "306"],
            ["Urine osmolality (mOsm/kg)", "96", "164"], ["Weight change", "-", "-3.2%"],
            ["Urine osm 1 h after desmopressin", "", "592"]]
    tab = bx.table(cellText=rows[1:], colLabels=rows[0], loc="center", cellLoc="center",
                   colWidths=[0.6, 0.2, 0.2])
    tab.auto_set_font_size(False)
    tab.set_fontsize(11)
    tab.scale(1, 1.8)
    bx.set_axis_off()
    fig.tight_layout()
    return fig, "P"
