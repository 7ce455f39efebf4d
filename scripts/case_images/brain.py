"""Generic axial brain slice at the level of the lateral ventricle bodies, for the
neurology pack: tissue masks (skull, cortex, white matter, CSF) that can be rendered as
a CT in Hounsfield units or as an MRI FLAIR image, with findings added per case.

Coordinates are in units of image width, y down, anterior at the top; image-left is the
patient's right. The head is 18.6 cm across the inner table (0.62 units), so one
centimetre is 0.0333 units.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import (
    blur,
    ellipse,
    pil_mask,
    raster_figure,
    scale_bar,
    side_marker,
    sigmoid,
)

N = 800
C, A, B, INNER = (0.5, 0.52), 0.335, 0.415, 0.925
CM = 2 * A * INNER / 18.6  # units per centimetre
PX_PER_CM = CM * N


def wrap(a):
    return (a + np.pi) % (2 * np.pi) - np.pi


def polar():
    ys, xs = np.mgrid[0:N, 0:N].astype(float) / N
    u, v = (xs - C[0]) / A, (ys - C[1]) / B
    return xs, ys, np.hypot(u, v), np.arctan2(v, u)


@dataclass
class Slice:
    """Masks in [0, 1]; ``surf`` is the brain surface radius per pixel (rho units)."""

    X: np.ndarray
    Y: np.ndarray
    rho: np.ndarray
    theta: np.ndarray
    surf: np.ndarray
    brain: np.ndarray
    grey: np.ndarray
    csf: np.ndarray
    bone: np.ndarray
    scalp: np.ndarray


def sulcal_pattern(rng, rho, theta, surf, width=0.24, effaced=None):
    """Winding, mostly radial clefts: zero crossings of noise smooth along the radius and
    rough around the circumference. ``width`` widens them (atrophy) or narrows them
    (tight sulci); ``effaced`` (0..1 per pixel) closes them under mass effect."""
    n_r, n_th = 140, 1200
    field = blur(rng.standard_normal((n_r, n_th)), (18, 2.6))
    field /= field.std()
    depth = surf - rho
    ir = np.clip(depth / 0.15 * (n_r - 1), 0, n_r - 1).astype(int)
    it = ((theta + np.pi) / (2 * np.pi) * (n_th - 1)).astype(int)
    f = field[ir, it]
    band = sigmoid((0.075 - depth) / 0.01) * sigmoid(depth / 0.003)
    open_ = 1.0 if effaced is None else 1 - effaced
    sulci = blur(np.exp(-(f / width) ** 2) * band * open_, 0.8)
    grey = np.exp(-(f / 0.9) ** 2) * band
    return sulci, grey


def lateral_ventricles(X, Y, size=1.0, shift=0.0, right_scale=1.0):
    """Bodies and frontal horns of both lateral ventricles plus the atria, as CSF.

    ``size`` scales their width (1 normal, ~1.6 for an Evans index near 0.38);
    ``right_scale`` < 1 compresses the right one (image left).
    """
    vx = C[0] + shift
    parts = []
    for side, scale in ((-1, right_scale), (1, 1.0)):
        w = 0.022 * size * scale
        parts += [ellipse(X, Y, vx + side * (0.012 + w), 0.43, w, 0.10, angle=side * 0.18,
                          edge=0.002),
                  ellipse(X, Y, vx + side * (0.045 + 0.6 * w), 0.60, 0.9 * w + 0.008, 0.04,
                          angle=-side * 0.5, edge=0.002)]
    parts.append(ellipse(X, Y, vx, 0.535, 0.005 * size, 0.03, edge=0.002))  # third
    return np.maximum.reduce(parts)


def midline(shift_fn=None, width=3):
    """Interhemispheric fissure as a mask, bent by ``shift_fn(y)`` (units)."""
    def draw(d):
        for y0, y1 in ((0.12, 0.33), (0.67, 0.93)):
            ys = np.linspace(y0, y1, 30)
            d.line([((C[0] + (shift_fn(y) if shift_fn else 0.0)) * N, y * N) for y in ys],
                   fill=255, width=width)
    return pil_mask(N, N, draw, 0.6)


def build(rng, surf_offset=0.0, sulcal_width=0.24, effaced=None, ventricle_size=1.0,
          shift=0.0, right_scale=1.0, sylvian=0.0) -> Slice:
    """A normal slice, optionally atrophic, with large ventricles or with mass effect.

    ``surf_offset`` (rho units, or a function of the polar angle) moves the brain surface
    inward (atrophy, or room for a collection); ``sylvian`` widens the Sylvian fissures
    (0 normal); ``effaced(theta)`` closes sulci.
    """
    X, Y, rho, theta = polar()
    surf = INNER - 0.015 - (surf_offset(theta) if callable(surf_offset) else surf_offset)
    brain = sigmoid((surf - rho) / 0.004)
    sulci, grey = sulcal_pattern(rng, rho, theta, surf, sulcal_width,
                                 None if effaced is None else effaced(theta))
    gm = np.clip(np.maximum(sigmoid((rho - (surf - 0.04)) / 0.008), grey), 0, 1)
    csf = sulci + lateral_ventricles(X, Y, ventricle_size, shift, right_scale)
    shift_fn = (lambda y: shift * np.exp(-((y - 0.5) / 0.16) ** 2)) if shift else None
    csf = csf + midline(shift_fn)
    if sylvian:
        for s in (-1, 1):
            csf += ellipse(X, Y, C[0] + s * 0.27, 0.47, 0.05 * sylvian, 0.012,
                           angle=-s * 0.35, edge=0.003) * brain
    bone = sigmoid((1 - rho) / 0.004) * sigmoid((rho - INNER) / 0.004)
    scalp = sigmoid((1.045 - rho) / 0.004)
    return Slice(X, Y, rho, theta, surf, brain, gm, np.clip(csf, 0, 1), bone, scalp)


def ct_hu(s: Slice, rng, extra=None) -> np.ndarray:
    """Hounsfield units: CSF 8, white matter 27, grey matter 38, bone 1400, air -1000.
    ``extra`` (HU, mask) pairs replace the tissue under their masks (collections)."""
    hu = 8 + s.brain * (27 + 11 * s.grey - 8) * (1 - s.csf)
    for value, mask in extra or []:
        hu = hu * (1 - mask) + value * mask
    hu = np.where(s.rho < INNER, hu, 38.0) * s.scalp - 1000 * (1 - s.scalp)
    hu = hu * (1 - s.bone) + 1400 * s.bone
    return hu + 2.0 * blur(rng.standard_normal(hu.shape), 1.0) / 0.28


def flair(s: Slice, rng, lesions=None) -> np.ndarray:
    """FLAIR-like contrast: CSF dark, white matter mid-grey, cortex a little brighter,
    lesions bright; bone dark, scalp fat bright."""
    img = s.brain * (0.42 + 0.1 * s.grey) * (1 - s.csf) + 0.04 * s.csf * s.brain
    if lesions is not None:
        img = img * (1 - lesions) + 0.9 * lesions
    img = np.where(s.rho < INNER, img, 0.0)
    img = img * (1 - s.bone) + 0.03 * s.bone
    img += 0.6 * s.scalp * sigmoid((s.rho - 1.005) / 0.004)
    return np.clip(img + 0.012 * blur(rng.standard_normal(img.shape), 1.0) / 0.28, 0, 1)


def figure(img, label, ruler=True):
    fig, ax = raster_figure(img)
    side_marker(ax, x=22, y=40)
    if ruler:
        scale_bar(ax, N - 50 - 5 * PX_PER_CM, N - 32, 5 * PX_PER_CM, "5 cm")
    ax.text(24, N - 24, label, color="white", fontsize=12)
    return fig
