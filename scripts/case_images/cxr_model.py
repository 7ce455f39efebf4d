"""Frontal chest radiograph model (coordinates in units of image width; y points down).

Densities are summed per pixel (body, bones, mediastinum, vessels) and turned into an
X-ray transmission image; findings add or subtract density on top of the model."""
from __future__ import annotations

import numpy as np

from .common import (
    branch,
    ellipse,
    pil_mask,
    raster_figure,
    side_marker,
    sigmoid,
    smooth_noise,
)

CXR_W, CXR_H = 1000, 1100
HILUM = {-1: (0.415, 0.45), 1: (0.585, 0.43)}  # image-left = patient's right


def cxr_grid():
    ys, xs = np.mgrid[0:CXR_H, 0:CXR_W].astype(float)
    return xs / CXR_W, ys / CXR_W


def body_thickness(X, Y):
    """Path length through the body: thickest centrally, thin at the chest wall."""
    chest = ellipse(X, Y, 0.5, 0.68, 0.44, 0.64, power=4, edge=0.004)
    neck = ellipse(X, Y, 0.5, 0.02, 0.10, 0.14, edge=0.004)
    shoulders = sum(ellipse(X, Y, 0.5 + s * 0.30, 0.14, 0.17, 0.10, angle=-s * 0.25,
                            edge=0.004) for s in (-1, 1))
    mask = np.clip(chest + neck + shoulders, 0, 1)
    depth = np.sqrt(np.clip(1 - ((X - 0.5) / 0.47) ** 2, 0, 1))
    return mask * (0.45 + 0.65 * depth), mask


def lung_field(X, Y, side):
    """Hemithorax air space: rounded apex, square-ish base, cut by the diaphragm dome.

    The right dome (image left) sits higher than the left, as in most people.
    """
    cx, cy, ry = (0.30, 0.46, 0.36) if side < 0 else (0.70, 0.47, 0.37)
    power = np.where(Y < cy, 2.2, 4.0)
    rho = (np.abs((X - cx) / 0.175) ** power + np.abs((Y - cy) / ry) ** power) ** (1 / power)
    dome = (0.70 if side < 0 else 0.74) + 3.2 * (X - cx + 0.01 * side) ** 2
    return sigmoid((1 - rho) / 0.004) * sigmoid((dome - Y) / 0.003)


def mediastinum(X, Y):
    upper = ellipse(X, Y, 0.503, 0.30, 0.062, 0.30, power=4, edge=0.003)
    heart = ellipse(X, Y, 0.545, 0.64, 0.155, 0.125, angle=0.3, edge=0.003)
    knob = ellipse(X, Y, 0.556, 0.335, 0.026, 0.028, edge=0.003)  # aortic knuckle
    return np.maximum.reduce([upper, heart, knob])


def rib_paths(side, i):
    """Posterior rib i (arching from the spine) and its anterior continuation."""
    y0, hw = 0.15 + 0.062 * i, 0.40 * min(1.0, 0.55 + 0.15 * i)
    u = np.linspace(0, 1, 40)
    x = 0.5 + side * (0.035 + hw * u)
    y = y0 - 0.04 * np.sin(np.pi * 0.9 * u) + 0.10 * u ** 2
    v = np.linspace(0, 1, 30)
    xa = x[-1] - side * 0.24 * v
    ya = y[-1] + 0.12 * v - 0.02 * v ** 2
    return np.c_[x, y] * CXR_W, np.c_[xa, ya] * CXR_W


def cxr_bones():
    def posterior(d):
        for side in (-1, 1):
            for i in range(10):
                pts = [tuple(p) for p in rib_paths(side, i)[0]]
                d.line(pts, fill=255, width=20, joint="curve")
                d.line(pts, fill=140, width=12, joint="curve")  # cortex brighter than marrow

    def anterior(d):
        for side in (-1, 1):
            for i in range(7):
                d.line([tuple(p) for p in rib_paths(side, i)[1]], fill=255, width=14,
                       joint="curve")

    def clavicles(d):
        for side in (-1, 1):
            u = np.linspace(0, 1, 30)
            x = 0.5 + side * (0.04 + 0.25 * u)
            y = 0.175 - 0.055 * u - 0.012 * np.sin(np.pi * u)
            d.line([tuple(p) for p in np.c_[x, y] * CXR_W], fill=255, width=22, joint="curve")

    return (pil_mask(CXR_W, CXR_H, posterior, 2.0), pil_mask(CXR_W, CXR_H, anterior, 3.0),
            pil_mask(CXR_W, CXR_H, clavicles, 2.0))


def cxr_spine(X, Y):
    column = ellipse(X, Y, 0.5, 0.6, 0.027, 0.7, power=6, edge=0.002)
    discs = 0.5 + 0.5 * np.cos(2 * np.pi * (Y - 0.12) / 0.052)  # vertebral bodies
    return column * (0.7 + 0.3 * discs ** 8)


def cxr_vessels(rng, left_scale=1.0):
    """Hilar vessel trees; left_scale < 1 shortens them for a collapsed left lung."""
    def draw(d):
        for side in (-1, 1):
            hx, hy = HILUM[side]
            scale = left_scale if side > 0 else 1.0
            for a, w in ((-0.95, 6), (-0.5, 7), (0.0, 8), (0.45, 9), (0.85, 9)):
                ang = (np.pi - a) if side < 0 else a
                branch(d, hx * CXR_W, hy * CXR_W, ang, 0.07 * CXR_W * scale, w, 6, rng,
                       fill=255, fade=0.8)
    return pil_mask(CXR_W, CXR_H, draw, 2.0)


def cxr_base_density(X, Y, bones=None):
    """Body, bones, airway and stomach gas; lungs are subtracted by the callers.

    ``bones`` replaces the (posterior, anterior, clavicle) masks of :func:`cxr_bones`,
    for findings in bone such as a destroyed rib.
    """
    thick, body = body_thickness(X, Y)
    post, ant, clav = cxr_bones() if bones is None else bones
    d = thick + 0.1 * mediastinum(X, Y) * body
    d += body * (0.2 * post + 0.07 * ant + 0.3 * clav + 0.12 * cxr_spine(X, Y))
    trachea = pil_mask(CXR_W, CXR_H, lambda dr: dr.line(
        [(500, 30), (500, 360), (462, 405), (500, 360), (540, 400)], fill=255, width=20,
        joint="curve"), 3.0)
    d -= 0.25 * trachea
    d -= 0.4 * ellipse(X, Y, 0.69, 0.83, 0.05, 0.028, edge=0.004)  # gastric bubble
    for side, (hx, hy) in HILUM.items():
        d += 0.10 * ellipse(X, Y, hx + 0.01 * side, hy, 0.028, 0.05, edge=0.01)
    return d, thick


def cxr_to_image(density, rng):
    """X-ray transmission: bright where tissue is thick, plus faint quantum mottle."""
    img = 1 - np.exp(-1.7 * np.clip(density, 0, None))
    img += 0.004 * smooth_noise(rng, img.shape, 4.0)
    return np.clip(img, 0, 1) ** 1.15


def cxr_figure(img):
    fig, ax = raster_figure(img)
    side_marker(ax)
    return fig
