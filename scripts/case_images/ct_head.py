"""Axial head CT of the core pack (Hounsfield units, coordinates in units of image width):
a lens-shaped extra-axial collection with mass effect, shown in a brain window."""
from __future__ import annotations

import numpy as np

from .common import (
    blur,
    ellipse,
    pil_mask,
    raster_figure,
    scale_bar,
    side_marker,
    sigmoid,
    smooth_noise,
)

CT_N = 1000
CT_PX_PER_CM = 45.0
CT_C, CT_A, CT_B, CT_INNER = (0.5, 0.52), 0.335, 0.415, 0.925
EDH_SPAN, EDH_THICK = 0.42, 0.24  # half-angle (rad) and max thickness (radius units)
FRACTURE_THETA = -np.pi + 0.22  # just anterior to the lateral point, patient's right


def wrap(a):
    return (a + np.pi) % (2 * np.pi) - np.pi


def ct_polar():
    ys, xs = np.mgrid[0:CT_N, 0:CT_N].astype(float) / CT_N
    u, v = (xs - CT_C[0]) / CT_A, (ys - CT_C[1]) / CT_B
    return xs, ys, np.hypot(u, v), np.arctan2(v, u)


def ct_point(rho, theta):
    return ((CT_C[0] + CT_A * rho * np.cos(theta)) * CT_N,
            (CT_C[1] + CT_B * rho * np.sin(theta)) * CT_N)


def edh_thickness(theta):
    """Lens profile centred on the lateral right convexity (image left, theta = pi).

    The elliptical profile bulges more than the skull curves, so the inner margin is
    convex toward the brain (biconvex); it ends at +-EDH_SPAN, where the sutures are.
    """
    phi = wrap(theta - np.pi)
    return EDH_THICK * np.sqrt(np.clip(1 - (phi / EDH_SPAN) ** 2, 0, 1))


def midline_shift(y):
    """Subfalcine shift toward the image right, maximal at the ventricles."""
    return 0.032 * np.exp(-((y - 0.50) / 0.16) ** 2)


def ct_sulci(rng, rho, theta, surf):
    """Winding, mostly radial CSF clefts in the cortex; effaced near the collection.

    Zero crossings of noise that is smooth along the radius and rough around the
    circumference give sulcus-like lines; their neighbourhood is cortical grey matter.
    """
    n_r, n_th = 160, 1440
    field = blur(rng.standard_normal((n_r, n_th)), (22, 3.0))
    field /= field.std()
    depth = surf - rho
    ir = np.clip(depth / 0.15 * (n_r - 1), 0, n_r - 1).astype(int)
    it = ((theta + np.pi) / (2 * np.pi) * (n_th - 1)).astype(int)
    f = field[ir, it]
    band = sigmoid((0.075 - depth) / 0.01) * sigmoid(depth / 0.003)
    effaced = 1 - 0.9 * np.exp(-(wrap(theta - np.pi) / 0.9) ** 2)  # mass effect
    sulci = blur(np.exp(-(f / 0.24) ** 2) * band * effaced, 0.8)
    grey = np.exp(-(f / 0.9) ** 2) * band
    return sulci, grey


def ct_midline_and_fracture():
    def fissure(d):
        for y0, y1 in ((0.12, 0.36), (0.63, 0.93)):
            ys = np.linspace(y0, y1, 30)
            d.line([((CT_C[0] + midline_shift(y)) * CT_N, y * CT_N) for y in ys],
                   fill=255, width=6)

    def falx(d):
        for y0, y1 in ((0.12, 0.36), (0.63, 0.93)):
            ys = np.linspace(y0, y1, 30)
            d.line([((CT_C[0] + midline_shift(y)) * CT_N, y * CT_N) for y in ys],
                   fill=255, width=2)

    def gaps(d):
        d.line([ct_point(1.03, FRACTURE_THETA), ct_point(0.975, FRACTURE_THETA + 0.03),
                ct_point(0.945, FRACTURE_THETA + 0.02), ct_point(0.9, FRACTURE_THETA + 0.05)],
               fill=255, width=3)

    def sutures(d):
        for th in (-np.pi + EDH_SPAN, np.pi - EDH_SPAN, -EDH_SPAN, EDH_SPAN):
            pts = [ct_point(r, th + 0.012 * (-1) ** k) for k, r in
                   enumerate(np.linspace(0.91, 1.01, 8))]
            d.line(pts, fill=255, width=2)

    return tuple(pil_mask(CT_N, CT_N, f, 0.5) for f in (fissure, falx, gaps, sutures))


def ct_ventricles(X, Y):
    vx = CT_C[0] + midline_shift(0.47)
    # Right lateral ventricle (image left) is squashed; the left one is normal.
    parts = [ellipse(X, Y, vx - 0.026, 0.465, 0.009, 0.085, angle=0.18, edge=0.002),
             ellipse(X, Y, vx + 0.034, 0.465, 0.022, 0.105, angle=-0.18, edge=0.002),
             ellipse(X, Y, vx - 0.075, 0.615, 0.012, 0.025, angle=0.5, edge=0.002),
             ellipse(X, Y, vx + 0.09, 0.64, 0.022, 0.038, angle=-0.5, edge=0.002),
             ellipse(X, Y, vx + 0.003, 0.60, 0.004, 0.025, edge=0.002)]
    return np.maximum.reduce(parts)


def ct_hu(rng):
    X, Y, rho, theta = ct_polar()
    thick = edh_thickness(theta)
    surf = CT_INNER - 0.015 - thick
    scalp_r = 1.045 + 0.06 * np.exp(-(wrap(theta - FRACTURE_THETA) / 0.28) ** 2)
    fissure, falx, fracture, sutures = ct_midline_and_fracture()
    brain = sigmoid((surf - rho) / 0.004)
    edh = sigmoid((CT_INNER - rho) / 0.004) * sigmoid((rho - (CT_INNER - thick)) / 0.004)
    sulci, grey = ct_sulci(rng, rho, theta, surf)
    gm = np.maximum(sigmoid((rho - (surf - 0.04)) / 0.008), grey)
    parenchyma = 25 + 13 * np.clip(gm, 0, 1)
    parenchyma += 4 * sum(ellipse(X, Y, CT_C[0] + midline_shift(0.6) + s, 0.6, 0.038,
                                  0.05, edge=0.01) for s in (-0.045, 0.05))  # thalami
    csf = np.clip(sulci + fissure + ct_ventricles(X, Y), 0, 1)
    hu = 8 + brain * (parenchyma - 8) * (1 - csf)
    hu += 35 * falx
    hu = hu * (1 - edh) + (64 + 2 * smooth_noise(rng, X.shape, 6)) * edh
    bone = sigmoid((1 - rho) / 0.004) * sigmoid((rho - CT_INNER) / 0.004)
    bone = np.clip(bone - 1.5 * fracture - 1.2 * sutures, 0, 1)
    scalp = sigmoid((scalp_r - rho) / 0.004)
    hu = np.where(rho < CT_INNER, hu, 38.0) * scalp + (-1000) * (1 - scalp)
    hu = hu * (1 - bone) + 1400 * bone
    return hu + 2.0 * smooth_noise(rng, hu.shape, 1.0)


def make_ct_epidural_hematoma():
    """Axial non-contrast head CT, brain window W80/L40."""
    rng = np.random.default_rng(1301)
    img = np.clip(ct_hu(rng) / 80.0, 0, 1)
    fig, ax = raster_figure(img)
    side_marker(ax)
    scale_bar(ax, CT_N - 60 - 5 * CT_PX_PER_CM, CT_N - 40, 5 * CT_PX_PER_CM, "5 cm")
    ax.text(30, CT_N - 30, "W 80  L 40", color="white", fontsize=12)
    return fig, "L"
