"""Findings that can be laid over the chest radiograph model of :mod:`cxr_model`.

Everything is a density map in the model's coordinates (x in units of image width, y
down; the image is 40 cm wide, so 0.025 units = 1 cm). Image-left is the patient's
right. A :class:`Chest` holds the normal film's densities; findings add to ``d``
(soft tissue, fluid, calcium) or subtract from it (air).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import ellipse, pil_mask, sigmoid, smooth_noise
from .cxr_model import (
    CXR_H,
    CXR_W,
    HILUM,
    cxr_base_density,
    cxr_bones,
    cxr_figure,
    cxr_grid,
    cxr_to_image,
    cxr_vessels,
    lung_field,
    mediastinum,
)

CM = 0.025  # model units per centimetre
RIGHT, LEFT = -1, 1  # patient's side; right is drawn on the image left


@dataclass
class Chest:
    """A normal frontal film as densities, ready for findings."""

    X: np.ndarray
    Y: np.ndarray
    d: np.ndarray
    thick: np.ndarray
    lung: dict[int, np.ndarray]
    hemi: dict[int, np.ndarray]

    def image(self, rng):
        return cxr_figure(cxr_to_image(self.d, rng))


def normal_chest(rng, bones=None, vessel_rng=None, inflation: float = 1.0) -> Chest:
    """Body, bones, mediastinum, aerated lungs and vessel markings.

    ``inflation`` > 1 lowers and flattens the domes (more lung below the ribs).
    """
    X, Y = cxr_grid()
    med = mediastinum(X, Y)
    y_scale = 1.0 / inflation
    hemi = {s: lung_field(X, 0.12 + (Y - 0.12) * y_scale, s) * (1 - med) for s in (RIGHT, LEFT)}
    d, thick = cxr_base_density(X, Y, bones)
    vessels = cxr_vessels(vessel_rng or rng)
    lungs = hemi[RIGHT] + hemi[LEFT]
    d = d + thick * (-0.78 * lungs + 0.3 * vessels * lungs)
    return Chest(X, Y, d, thick, dict(hemi), hemi)


def blob_patch(chest: Chest, rng, cx, cy, rx, ry, n=70, side=RIGHT, blur_px=10.0):
    """Patchy air-space shadowing: a soft core plus many overlapping small blobs."""
    def blobs(dr):
        for _ in range(n):
            x, y = rng.normal(cx, rx / 1.8), rng.normal(cy, ry / 1.8)
            r = rng.uniform(0.012, 0.03)
            dr.ellipse([(x - r) * CXR_W, (y - r) * CXR_W, (x + r) * CXR_W, (y + r) * CXR_W],
                       fill=255)
    core = ellipse(chest.X, chest.Y, cx, cy, rx, ry, edge=0.015)
    patch = np.clip(0.7 * core + pil_mask(CXR_W, CXR_H, blobs, blur_px), 0, 1)
    return patch * chest.lung[side]


def add_opacity(chest: Chest, mask, strength=0.75):
    """Soft-tissue or fluid density replacing aerated lung where ``mask`` is 1."""
    chest.d += chest.thick * strength * mask


def cavity(chest: Chest, cx, cy, r, wall, fluid_y=None, rng=None):
    """Thick-walled air-containing cavity; with ``fluid_y`` an air-fluid level (a flat
    top, since the film is taken erect) fills it below that height."""
    X, Y = chest.X, chest.Y
    wobble = 0.0 if rng is None else 0.004 * smooth_noise(rng, X.shape, 12)
    outer = ellipse(X + wobble, Y, cx, cy, r, r * 0.95, edge=0.004)
    inner = ellipse(X - wobble, Y, cx + 0.1 * wall, cy, r - wall, (r - wall) * 0.93, edge=0.003)
    chest.d += chest.thick * (0.6 * (outer - inner) - 0.12 * inner)
    if fluid_y is not None:
        fluid = inner * sigmoid((Y - fluid_y) / 0.0015)
        chest.d += chest.thick * 0.9 * fluid
    return outer


def effusion(chest: Chest, side, top, lateral_rise=0.11, edge=0.012):
    """Erect pleural fluid: fills the costophrenic angle and climbs the lateral wall
    (meniscus), hiding the dome beneath it."""
    X, Y = chest.X, chest.Y
    x_lat, x_med = (0.13, 0.45) if side == RIGHT else (0.87, 0.55)
    u = np.clip((X - x_lat) / (x_med - x_lat), 0, 1)  # 0 at the chest wall, 1 medially
    y_top = top - lateral_rise * (1 - u) ** 2
    fluid = chest.hemi[side] * sigmoid((Y - y_top) / edge)
    add_opacity(chest, fluid, 0.8)
    return fluid


def nodules(chest: Chest, rng, n, y_max, r_px=(3, 6), strength=0.35, sides=(RIGHT, LEFT),
            x_range=None, y_min=0.12, blur_px=1.0):
    """Many small round nodules within the lungs between ``y_min`` and ``y_max``;
    ``blur_px`` softens their edges (ill-defined nodules)."""
    def draw(dr):
        placed = 0
        while placed < n:
            side = sides[placed % len(sides)]
            lo, hi = x_range or ((0.14, 0.46) if side == RIGHT else (0.54, 0.86))
            x, y = rng.uniform(lo, hi), rng.uniform(y_min, y_max)
            r = rng.uniform(*r_px)
            dr.ellipse([x * CXR_W - r, y * CXR_W - r, x * CXR_W + r, y * CXR_W + r], fill=255)
            placed += 1
    mask = pil_mask(CXR_W, CXR_H, draw, blur_px)
    lungs = sum(chest.hemi[s] for s in sides)
    add_opacity(chest, mask * lungs, strength)
    return mask * lungs


def hilar_mass(chest: Chest, side, size, rng, paratracheal=0.0):
    """Lobulated hilar soft-tissue mass (a few overlapping lobes) and an optional
    widened paratracheal stripe on the same side."""
    hx, hy = HILUM[side]
    X, Y = chest.X, chest.Y
    lobes = [ellipse(X, Y, hx + side * rng.uniform(-0.3, 0.4) * size,
                     hy + rng.uniform(-0.4, 0.4) * size, size * rng.uniform(0.55, 0.75),
                     size * rng.uniform(0.55, 0.75), edge=0.004) for _ in range(4)]
    mass = np.maximum.reduce(lobes)
    if paratracheal:
        mass = np.maximum(mass, ellipse(X, Y, 0.5 + side * 0.045, 0.31, paratracheal, 0.075,
                                        edge=0.004))
    chest.d += chest.thick * 0.3 * mass * (1 - 0.5 * chest.hemi[side]) + \
        chest.thick * 0.7 * mass * chest.hemi[side]
    return mass


def eggshell_rim(chest: Chest, cx, cy, rx, ry, rng):
    """Thin calcified rim around a lymph node, broken in places."""
    X, Y = chest.X, chest.Y
    ring = ellipse(X, Y, cx, cy, rx, ry, edge=0.0015) - \
        ellipse(X, Y, cx, cy, rx - 0.003, ry - 0.003, edge=0.0015)
    gaps = sigmoid(smooth_noise(rng, X.shape, 8) / 0.3)
    chest.d += 0.9 * np.clip(ring, 0, 1) * gaps


def rib_destroyed(side, index, start, stop):
    """Bone masks with part of one posterior rib missing (``start``..``stop`` along it,
    0 at the spine, 1 laterally)."""
    from .cxr_model import rib_paths
    post, ant, clav = cxr_bones()
    path = rib_paths(side, index)[0]
    seg = path[int(start * len(path)):int(stop * len(path)) + 1]
    gap = pil_mask(CXR_W, CXR_H, lambda dr: dr.line([tuple(p) for p in seg], fill=255,
                                                     width=26, joint="curve"), 2.0)
    return post * (1 - gap), ant, clav


def air_streaks(chest: Chest, paths, width_px=4, strength=0.35):
    """Thin lucent lines (gas tracking along tissue planes)."""
    def draw(dr):
        for pts in paths:
            dr.line([(x * CXR_W, y * CXR_W) for x, y in pts], fill=255, width=width_px,
                    joint="curve")
    streaks = pil_mask(CXR_W, CXR_H, draw, 1.2)
    chest.d -= strength * streaks
    return streaks
