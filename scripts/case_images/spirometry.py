"""Flow-volume loops for the pulmonology pack. As in the core pack, each expiratory limb
is bisected until the FEV1 computed from the drawn curve is the intended one, and the
table prints values measured on the curves, so the picture and the numbers agree.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .charts_core import fit_curve, spiro_table
from .common import DPI

PRED = {"color": "0.35", "ls": "--", "lw": 1.8}
PRE = {"color": "#c0392b", "lw": 2.2}
POST = {"color": "#1f5fa8", "lw": 2.2}


def inspiratory(fvc: float, pif: float, n: int = 400) -> tuple[np.ndarray, np.ndarray]:
    """Normal, rounded inspiratory limb (flow negative), from FVC back to zero volume."""
    vi = np.linspace(fvc, 0, n)
    return vi, -pif * np.sin(np.pi * vi / fvc) ** 0.7


def loop(ax, fvc, pef, v_peak, fev1_target, pif, style, label, insp=None):
    """Draw one loop; returns (FEV1, FVC, PEF) measured on the drawn expiratory limb."""
    v, f, fev = fit_curve(fvc, pef, v_peak, fev1_target)
    vi, fi = insp if insp is not None else inspiratory(fvc, pif)
    ax.plot(np.r_[v, vi], np.r_[f, fi], label=label, **style)
    return fev, fvc, float(f.max())


def loops_axes(fig, xlim, ylim):
    ax = fig.add_axes([0.06, 0.09, 0.52, 0.84])
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlim=xlim, ylim=ylim, xlabel="Volume (L)", ylabel="Flow (L/s)",
           title="Flow-volume loops")
    ax.grid(color="0.88")
    return ax


def bronchodilator_figure(curves: dict, xlim, ylim):
    """Predicted, pre- and post-bronchodilator loops with a table of measured values.

    ``curves`` maps the three labels to (FVC, PEF, volume at PEF, FEV1, PIF).
    """
    fig = plt.figure(figsize=(13.0, 7.5), dpi=DPI, facecolor="white")
    ax = loops_axes(fig, xlim, ylim)
    res = {name: loop(ax, *spec, style, name)
           for (name, spec), style in zip(curves.items(), (PRED, PRE, POST))}
    ax.legend(loc="upper right", frameon=True)
    p, a, b = res.values()
    d_ml = (b[0] - a[0]) * 1000
    rows = {"FEV1 (L)": (p[0], a[0], b[0], f"{d_ml:+.0f} mL ({100 * d_ml / 1000 / a[0]:+.0f}%)"),
            "FVC (L)": (p[1], a[1], b[1], f"{(b[1] - a[1]) * 1000:+.0f} mL"),
            "FEV1/FVC": (p[0] / p[1], a[0] / a[1], b[0] / b[1], ""),
            "PEF (L/s)": (p[2], a[2], b[2], "")}
    spiro_table(fig.add_axes([0.615, 0.36, 0.37, 0.3]), rows)
    return fig, res


def make_spirometry_copd():
    """pulmonology-101: concave expiratory limb; FEV1 +90 mL (5%) after salbutamol;
    post-bronchodilator FEV1/FVC about 0.61."""
    curves = {"Predicted": (3.30, 6.6, 0.45, 2.62, 5.0),
              "Pre-bronchodilator": (3.05, 4.4, 0.35, 1.80, 4.3),
              "Post-bronchodilator": (3.10, 4.6, 0.35, 1.89, 4.4)}
    fig, _ = bronchodilator_figure(curves, (0, 4), (-6, 8))
    return fig, "RGB"


def make_spirometry_severe_scooped():
    """pulmonology-120: severe obstruction, markedly scooped limb, FEV1 +60 mL (4%)."""
    curves = {"Predicted": (5.20, 10.0, 0.6, 4.20, 7.5),
              "Pre-bronchodilator": (4.00, 4.2, 0.30, 1.50, 5.5),
              "Post-bronchodilator": (4.05, 4.3, 0.30, 1.56, 5.6)}
    fig, _ = bronchodilator_figure(curves, (0, 6), (-8, 11))
    return fig, "RGB"


def truncated_inspiration(fvc: float, pif: float, cap: float, rng) -> tuple:
    """Inspiratory limb flattened at ``cap`` L/s with irregular flutter on the plateau."""
    vi, fi = inspiratory(fvc, pif)
    jitter = 0.4 * np.convolve(rng.standard_normal(vi.size), np.ones(9) / 9, mode="same")
    capped = np.maximum(fi, -cap + jitter)
    return vi, np.minimum(capped, 0.0)


def make_spirometry_inspiratory_flattening():
    """pulmonology-123: same expiratory limb at rest and during symptoms; the inspiratory
    limb is flattened and irregular only during the symptomatic episode."""
    rng = np.random.default_rng(2323)
    fig = plt.figure(figsize=(13.0, 7.5), dpi=DPI, facecolor="white")
    ax = loops_axes(fig, (0, 4.5), (-6, 9))
    rest = loop(ax, 3.75, 7.2, 0.45, 3.15, 5.2, PRED | {"ls": "-", "color": "0.25"}, "At rest")
    insp = truncated_inspiration(3.70, 5.1, 1.6, rng)
    symp = loop(ax, 3.70, 7.0, 0.45, 3.10, 5.1, PRE, "During symptoms", insp)
    ax.legend(loc="upper right", frameon=True)
    mif50 = [5.2 * np.sin(np.pi / 2) ** 0.7, float(-np.interp(3.70 / 2, insp[0][::-1],
                                                              insp[1][::-1]))]
    cells = [["FEV1 (L)", f"{rest[0]:.2f}", f"{symp[0]:.2f}"],
             ["FVC (L)", f"{rest[1]:.2f}", f"{symp[1]:.2f}"],
             ["PEF (L/s)", f"{rest[2]:.1f}", f"{symp[2]:.1f}"],
             ["MIF50 (L/s)", f"{mif50[0]:.1f}", f"{mif50[1]:.1f}"]]
    tab = fig.add_axes([0.62, 0.36, 0.34, 0.3]).table(
        cellText=cells, colLabels=["", "At rest", "Symptoms"], loc="center", cellLoc="center",
        colWidths=[0.36, 0.3, 0.3])
    tab.auto_set_font_size(False)
    tab.set_fontsize(11)
    tab.scale(1, 1.7)
    fig.axes[-1].set_axis_off()
    return fig, "RGB"
