"""Nuclear medicine images: expected counts from soft-edged organ shapes, then Poisson
counting noise and a light smoothing, as a gamma camera or SPECT reconstruction shows
them. Planar neck images are anterior views in an inverted grey scale (counts dark);
the DaT SPECT slice uses a colour scale. Image-left is the patient's right.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import DPI, blur, ellipse

NM = 256  # matrix size of a planar acquisition / SPECT slice


def grid(n=NM):
    ys, xs = np.mgrid[0:n, 0:n].astype(float) / n
    return xs, ys


def counts(rng, expected: np.ndarray, total: float, smooth=1.0) -> np.ndarray:
    """Scale to ``total`` expected counts, draw Poisson counts, smooth lightly."""
    lam = expected / expected.sum() * total
    return blur(rng.poisson(lam).astype(float), smooth)


# --- neurology-104: dopamine transporter SPECT -------------------------------------

def striatum(X, Y, side, caudate, putamen, putamen_len=1.0):
    """Comma-shaped striatum: round caudate head plus a posterolateral putamen whose
    length (``putamen_len``) shrinks from the back when uptake is lost."""
    cx = 0.5 + side * 0.07
    head = caudate * ellipse(X, Y, cx, 0.42, 0.035, 0.045, edge=0.01)
    length = 0.075 * putamen_len
    py = 0.47 + 0.5 * length - 0.0375
    put = putamen * ellipse(X, Y, cx + side * 0.05, py, 0.028, length, angle=-side * 0.25,
                            edge=0.01)
    return np.maximum(head, put)


def dat_expected(caudate=(1.0, 1.0), putamen=(1.0, 1.0), length=(1.0, 1.0)):
    """Brain background plus both striata; tuples are (patient right, patient left)."""
    X, Y = grid()
    head = ellipse(X, Y, 0.5, 0.5, 0.36, 0.43, edge=0.02)
    s = sum(striatum(X, Y, side, c, p, ln)
            for side, c, p, ln in zip((-1, 1), caudate, putamen, length))
    return 0.12 * head + s


def dat_asymmetric_loss(rng=None):
    """Reduced putaminal uptake on both sides, far worse on the left (image right):
    there only the caudate head remains, a round "full stop"."""
    rng = rng or np.random.default_rng(5104)
    expected = dat_expected(caudate=(0.9, 0.8), putamen=(0.45, 0.1), length=(0.6, 0.2))
    return counts(rng, expected, 2.5e6, 1.6)


def make_spect_dat():
    img = dat_asymmetric_loss()
    fig = plt.figure(figsize=(7.2, 6.4), dpi=DPI, facecolor="black")
    ax = fig.add_axes([0.02, 0.02, 0.8, 0.96])
    shown = ax.imshow(img / img.max(), cmap="hot", vmin=0, vmax=1, interpolation="bilinear")
    ax.set_axis_off()
    ax.text(8, 20, "R", color="white", fontsize=22, fontweight="bold")
    ax.text(8, NM - 8, "123I-ioflupane SPECT, axial", color="white", fontsize=10)
    cb = fig.colorbar(shown, cax=fig.add_axes([0.85, 0.15, 0.04, 0.7]))
    cb.set_label("relative uptake", color="white")
    cb.ax.tick_params(colors="white")
    return fig, "P"


# --- planar neck images ------------------------------------------------------------

def salivary(X, Y, strength=1.0):
    glands = [ellipse(X, Y, 0.5 + s * 0.26, 0.16, 0.06, 0.085, edge=0.015) for s in (-1, 1)]
    glands += [ellipse(X, Y, 0.5 + s * 0.16, 0.34, 0.05, 0.04, edge=0.012) for s in (-1, 1)]
    return strength * np.maximum.reduce(glands)


def thyroid(X, Y, strength=1.0, left_pole=0.0):
    """Two lobes and an isthmus; ``left_pole`` adds a focus below the left lower pole
    (image right)."""
    lobes = [ellipse(X, Y, 0.5 + s * 0.07, 0.62, 0.035, 0.08, angle=s * 0.2, edge=0.012)
             for s in (-1, 1)]
    isthmus = ellipse(X, Y, 0.5, 0.67, 0.05, 0.015, edge=0.01)
    focus = left_pole * ellipse(X, Y, 0.565, 0.735, 0.02, 0.02, edge=0.008)
    return strength * np.maximum.reduce([*lobes, isthmus]) + focus


def neck_background(X, Y):
    neck = ellipse(X, Y, 0.5, 0.55, 0.2, 0.6, edge=0.03)
    face = ellipse(X, Y, 0.5, 0.12, 0.33, 0.22, edge=0.03)
    heart_pool = ellipse(X, Y, 0.5, 1.02, 0.3, 0.12, edge=0.03)
    return np.maximum.reduce([neck, face]) * 0.08 + 0.25 * heart_pool


def planar_panel(ax, img, title):
    ax.imshow(img / np.percentile(img, 99.7), cmap="gray_r", vmin=0, vmax=1,
              interpolation="bilinear")
    ax.set_title(title, color="black", fontsize=12)
    ax.text(6, 18, "R", fontsize=18, fontweight="bold")
    ax.set_axis_off()


def thyroid_scan_counts():
    """endocrinology-101: salivary glands normal, almost no thyroid bed activity."""
    rng = np.random.default_rng(5201)
    X, Y = grid()
    expected = neck_background(X, Y) + salivary(X, Y) + thyroid(X, Y, 0.04)
    return counts(rng, expected, 4e5, 1.2)


def make_thyroid_scan():
    fig, ax = plt.subplots(figsize=(6.4, 7.0), dpi=DPI, facecolor="white")
    planar_panel(ax, thyroid_scan_counts(), "99mTc-pertechnetate, anterior neck, 20 min")
    ax.text(NM / 2, NM - 6, "Thyroid uptake 0.2% (reference 0.4-4.0%)", ha="center",
            fontsize=11, bbox={"facecolor": "white", "edgecolor": "0.6"})
    fig.tight_layout()
    return fig, "L64"


def sestamibi_counts():
    """endocrinology-106: early image shows both thyroid lobes; on the delayed image the
    thyroid has washed out and one focus persists below the left lower pole."""
    rng = np.random.default_rng(5206)
    X, Y = grid()
    base = neck_background(X, Y) + salivary(X, Y, 0.8)
    early = counts(rng, base + thyroid(X, Y, 1.0, left_pole=0.9), 8e5, 1.2)
    late = counts(rng, base + thyroid(X, Y, 0.22, left_pole=0.85), 5e5, 1.2)
    return early, late


def make_sestamibi():
    early, late = sestamibi_counts()
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 6.2), dpi=DPI, facecolor="white")
    planar_panel(a, early, "99mTc-sestamibi, early (10 min)")
    planar_panel(b, late, "Delayed (2 h)")
    fig.tight_layout()
    return fig, "L64"
