"""The charts of the core pack: flow-volume loops whose FEV1 is computed from the drawn
curves, and a creatine kinase / creatinine trend."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import DPI


def fv_expiratory(fvc, pef, k, v_peak, n=4000):
    """Expiratory limb: quick rise to PEF, then flow ~ (remaining volume)^k.

    k > 1 gives the concave ("scooped") limb of airflow obstruction.
    """
    v = np.linspace(0, fvc, n)
    rise = pef * np.sin(0.5 * np.pi * np.clip(v / v_peak, 0, 1)) ** 0.6
    fall = pef * np.clip((fvc - v) / (fvc - v_peak), 0, None) ** k
    return v, np.where(v <= v_peak, rise, fall)


def fev1(v, flow):
    """FEV1 from a flow-volume curve, time zero by back-extrapolation (ATS/ERS)."""
    f_mid = np.maximum(0.5 * (flow[1:] + flow[:-1]), 1e-6)
    t = np.concatenate([[0.0], np.cumsum(np.diff(v) / f_mid)])
    ip = int(np.argmax(flow))
    t0 = t[ip] - v[ip] / flow[ip]
    return float(np.interp(t0 + 1.0, t, v))


def fit_curve(fvc, pef, v_peak, target):
    """Bisect the shape exponent so the drawn curve has the intended FEV1."""
    lo, hi = 0.3, 6.0
    for _ in range(60):
        k = 0.5 * (lo + hi)
        if fev1(*fv_expiratory(fvc, pef, k, v_peak)) > target:
            lo = k
        else:
            hi = k
    v, f = fv_expiratory(fvc, pef, k, v_peak)
    return v, f, fev1(v, f)


def spiro_table(ax, rows):
    cells = [[name, f"{r[0]:.2f}", f"{r[1]:.2f}", f"{r[2]:.2f}", r[3]]
             for name, r in rows.items()]
    tab = ax.table(cellText=cells, colLabels=["", "Pred", "Pre", "Post", "Change"],
                   colWidths=[0.22, 0.13, 0.13, 0.13, 0.39], loc="center",
                   cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(11)
    tab.scale(1, 1.7)
    ax.set_axis_off()


def make_spirometry_obstructive_reversible():
    curves = {  # name: (FVC L, PEF L/s, volume at PEF, target FEV1 L, PIF L/s, style)
        "Predicted": (4.30, 9.0, 0.55, 3.45, 7.0, {"color": "0.35", "ls": "--", "lw": 1.8}),
        "Pre-bronchodilator": (3.85, 5.0, 0.40, 2.25, 5.6, {"color": "#c0392b", "lw": 2.2}),
        "Post-bronchodilator": (4.10, 8.0, 0.50, 2.70, 6.0, {"color": "#1f5fa8", "lw": 2.2}),
    }
    fig = plt.figure(figsize=(13.0, 7.5), dpi=DPI, facecolor="white")
    ax = fig.add_axes([0.06, 0.09, 0.52, 0.84])
    res = {}
    for name, (fvc, pef, vp, target, pif, style) in curves.items():
        v, f, fev = fit_curve(fvc, pef, vp, target)
        vi = np.linspace(fvc, 0, 400)
        fi = -pif * np.sin(np.pi * vi / fvc) ** 0.7
        ax.plot(np.r_[v, vi], np.r_[f, fi], label=name, **style)
        res[name] = (fev, fvc, pef)
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlim=(0, 5), ylim=(-8, 10.5), xlabel="Volume (L)", ylabel="Flow (L/s)",
           title="Flow-volume loops")
    ax.grid(color="0.88")
    ax.legend(loc="upper right", frameon=True)
    p, a, b = res["Predicted"], res["Pre-bronchodilator"], res["Post-bronchodilator"]
    d_ml = (b[0] - a[0]) * 1000
    rows = {"FEV1 (L)": (p[0], a[0], b[0], f"+{d_ml:.0f} mL (+{100 * d_ml / 1000 / a[0]:.0f}%)"),
            "FVC (L)": (p[1], a[1], b[1], f"+{(b[1] - a[1]) * 1000:.0f} mL"),
            "FEV1/FVC": (p[0] / p[1], a[0] / a[1], b[0] / b[1], ""),
            "PEF (L/s)": (p[2], a[2], b[2], "")}
    spiro_table(fig.add_axes([0.615, 0.36, 0.37, 0.3]), rows)
    return fig, "RGB"


def make_lab_ck_creatinine_trend():
    days = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 5])
    ck = np.array([18500, 52000, 79000, 85000, 61000, 28000, 12500, 5400])
    cr = np.array([1.1, 1.5, 2.0, 2.5, 2.8, 3.1, 3.4, 3.4])
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(12.0, 8.5), dpi=DPI, sharex=True,
                                 facecolor="white")
    a1.semilogy(days, ck, "o-", color="#8e2c1f", lw=2)
    a1.axhline(200, color="0.3", ls="--", lw=1.3)
    a1.text(5.1, 230, "upper reference limit 200", ha="right", va="bottom", fontsize=10)
    for d, c in zip(days, ck):
        a1.annotate(f"{c:,}", (d, c), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=9)
    a1.set(ylim=(80, 400000), title="Creatine kinase (U/L)", ylabel="U/L (log scale)")
    a2.axhspan(0.6, 1.2, color="#cfe8cf", label="reference range 0.6-1.2")
    a2.plot(days, cr, "s-", color="#23507a", lw=2)
    for d, c in zip(days, cr):
        a2.annotate(f"{c:.1f}", (d, c), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=9)
    a2.set(ylim=(0, 4.2), title="Serum creatinine (mg/dL)", ylabel="mg/dL",
           xlabel="Hospital day", xlim=(-0.3, 5.3))
    a2.legend(loc="lower right")
    for a in (a1, a2):
        a.grid(color="0.9")
    fig.tight_layout()
    return fig, "RGB"
