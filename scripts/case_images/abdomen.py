"""Abdominal plain film and barium swallow for the gastroenterology pack.

Same transmission model as the chest film (density -> 1 - exp(-k d)); gas lowers the
density, barium raises it a lot. Coordinates in units of image width, y down; 0.025
units = 1 cm (the film is 40 cm wide). Image-left is the patient's right.
"""
from __future__ import annotations

from itertools import pairwise

import numpy as np

from .common import ellipse, pil_mask, raster_figure, side_marker, sigmoid, smooth_noise

W, H = 900, 1000
CM = 0.025


def grid():
    ys, xs = np.mgrid[0:H, 0:W].astype(float)
    return xs / W, ys / W


def to_image(d, rng):
    img = 1 - np.exp(-1.5 * np.clip(d, 0, None))
    img += 0.005 * smooth_noise(rng, img.shape, 3.0)
    return np.clip(img, 0, 1) ** 1.1


def abdomen_base(X, Y):
    """Soft tissue thickest centrally, lumbar spine, iliac wings and psoas shadows."""
    body = ellipse(X, Y, 0.5, 0.55, 0.46, 0.75, power=4, edge=0.005)
    depth = np.sqrt(np.clip(1 - ((X - 0.5) / 0.47) ** 2, 0, 1))
    d = body * (0.5 + 0.6 * depth)
    spine = ellipse(X, Y, 0.5, 0.5, 0.035, 0.8, power=6, edge=0.003)
    discs = 0.5 + 0.5 * np.cos(2 * np.pi * (Y - 0.05) / 0.09)
    d += 0.3 * spine * (0.75 + 0.25 * discs ** 8)
    for s in (-1, 1):
        d += 0.25 * ellipse(X, Y, 0.5 + s * 0.25, 0.98, 0.17, 0.14, angle=s * 0.5, edge=0.01)
        d += 0.05 * ellipse(X, Y, 0.5 + s * 0.07, 0.6, 0.035, 0.3, angle=-s * 0.2, edge=0.02)
    return d


def loop_path(rng, x0, y0, x1, y1, n=40, wiggle=0.03):
    t = np.linspace(0, 1, n)
    x = x0 + (x1 - x0) * t + wiggle * np.sin(np.pi * t * rng.uniform(1.5, 2.5))
    y = y0 + (y1 - y0) * t + wiggle * np.sin(np.pi * t * rng.uniform(1, 2) + 1)
    return np.c_[x, y]


def tube(paths, width_units, folds=0.0, fold_step=0.025):
    """Gas-filled bowel: a lucent tube; ``folds`` > 0 adds thin mucosal folds drawn
    straight across the full width of the lumen (small-bowel valvulae)."""
    w = int(width_units * W)

    def gas(d):
        for p in paths:
            d.line([tuple(q) for q in p * W], fill=255, width=w, joint="curve")
    lumen = pil_mask(W, H, gas, 2.0)

    def fold_lines(d):
        for p in paths:
            seg = np.diff(p, axis=0)
            length = np.r_[0, np.cumsum(np.hypot(*seg.T))]
            for s in np.arange(fold_step / 2, length[-1], fold_step):
                i = min(np.searchsorted(length, s), len(seg)) - 1
                (x, y), (dx, dy) = p[i], seg[i] / np.hypot(*seg[i])
                half = 0.5 * width_units
                d.line([((x - dy * half) * W, (y + dx * half) * W),
                        ((x + dy * half) * W, (y - dx * half) * W)], fill=255, width=3)
    fold = pil_mask(W, H, fold_lines, 0.8) if folds else 0.0
    return lumen, fold


def small_bowel_film():
    """gastroenterology-107: central dilated small-bowel loops up to 4.3 cm with folds
    across the whole lumen; little colonic gas and none in the rectum."""
    rng = np.random.default_rng(7107)
    X, Y = grid()
    d = abdomen_base(X, Y)
    # One continuous stack of loops ("step ladder") across the centre of the abdomen.
    turns = [(0.34, 0.30), (0.66, 0.32), (0.67, 0.43), (0.33, 0.45), (0.34, 0.56),
             (0.66, 0.58), (0.64, 0.69), (0.40, 0.70)]
    path = np.concatenate([loop_path(rng, *a, *b, n=20, wiggle=0.012)
                           for a, b in pairwise(turns)])
    lumen, folds = tube([path], 4.3 * CM, folds=1.0)
    for x, y in (turns[0], turns[-1]):  # round off the two blind ends
        lumen = np.maximum(lumen, ellipse(X, Y, x, y, 2.1 * CM, 2.1 * CM, edge=0.003))
    d -= 0.7 * lumen - 0.45 * folds * lumen
    colon, _ = tube([np.array([[0.76, 0.24], [0.83, 0.26]]),
                     np.array([[0.17, 0.78], [0.18, 0.72]])], 1.2 * CM)
    d -= 0.25 * colon
    return d, rng, lumen


def make_axr_small_bowel():
    d, rng, _ = small_bowel_film()
    fig, ax = raster_figure(to_image(d, rng))
    side_marker(ax, x=24, y=40)
    ax.text(24, H - 30, "SUPINE", color="white", fontsize=14)
    return fig, "L64"


def barium_swallow():
    """gastroenterology-103: a 5 cm wide barium-filled oesophagus with a fluid level
    and debris, tapering smoothly to a narrow beak at the gastro-oesophageal junction;
    a little barium in a small stomach."""
    rng = np.random.default_rng(7103)
    X, Y = grid()
    d = 0.55 * ellipse(X, Y, 0.5, 0.55, 0.48, 0.75, power=4, edge=0.005)
    d += 0.3 * ellipse(X, Y, 0.47, 0.5, 0.035, 0.8, power=6, edge=0.003)  # spine
    for s in (-1, 1):  # aerated lungs either side
        d -= 0.3 * ellipse(X, Y, 0.5 + s * 0.24, 0.35, 0.15, 0.33, edge=0.01)
    ys = np.linspace(0.08, 0.84, 200)
    half = np.where(ys < 0.2, 0.012 + 0.05 * (ys - 0.08),
                    np.where(ys < 0.7, 2.5 * CM, 2.5 * CM * np.clip((0.84 - ys) / 0.14, 0.05, 1)))
    cx = 0.5 + 0.04 * np.sin(np.pi * (ys - 0.08) / 0.76)
    u = (Y[:, :1] - 0.08) / 0.76 * 199
    idx = np.clip(u, 0, 199).astype(int)
    inside = sigmoid((half[idx] - np.abs(X - cx[idx])) / 0.002) * (Y > 0.08) * (Y < 0.86)
    level = 0.84 - 9 * CM  # erect: a 9 cm barium column; retained fluid and food above
    barium = inside * sigmoid((Y - level) / 0.002) * (1 - 0.25 * (smooth_noise(rng, X.shape, 6) > 1.2))
    retained = inside * sigmoid((Y - 0.36) / 0.002) * (1 - barium)  # fluid and food
    air = inside * sigmoid((0.36 - Y) / 0.002) * (Y > 0.2)  # air cap above the fluid
    d += 1.6 * barium + 0.12 * retained - 0.25 * air
    stomach = ellipse(X, Y, 0.64, 0.9, 0.09, 0.05, angle=-0.3, edge=0.006)
    d += 0.9 * stomach
    return d, rng, inside


def make_barium_swallow():
    d, rng, _ = barium_swallow()
    fig, ax = raster_figure(to_image(d, rng))
    side_marker(ax, x=24, y=40)
    ax.text(24, H - 30, "ERECT  AP  5 min", color="white", fontsize=14)
    return fig, "L64"
