"""Ultrasound images of the specialist packs: a linear-array thyroid view, a pelvic view
of an ovary, and two right upper quadrant views. Same physics as :mod:`us_engine`
(speckle, cumulative attenuation, shadowing); sizes follow each case report.
"""
from __future__ import annotations

import numpy as np

from .common import blur, ellipse, raster_figure, smooth_noise
from .us_engine import (
    ALPHA_TISSUE,
    Sector,
    depth_ruler,
    layer,
    skin_layers,
    us_beamform,
    us_image,
)


class Linear:
    """Linear array: parallel beam lines, so display pixels map straight onto samples."""

    def __init__(self, w, h, top, depth_px, px_per_cm, n_r=560, n_th=480):
        self.w, self.h, self.px_per_cm = w, h, px_per_cm
        self.r0, self.r1, self.n_r, self.n_th = top, top + depth_px, n_r, n_th
        self.r = np.linspace(self.r0, self.r1, n_r)[:, None]
        self.th = np.zeros((1, n_th))
        xs = np.linspace(0, w - 1, n_th)[None, :]
        self.X, self.Y = xs + 0 * self.r, self.r + 0 * xs

    def texture(self, rng, sigma_px):
        field = smooth_noise(rng, (self.h, self.w), sigma_px)
        return field[np.clip(self.Y, 0, self.h - 1).astype(int),
                     np.clip(self.X, 0, self.w - 1).astype(int)]

    def image(self, echo, alpha, rng):
        """Beam-form, then resample the rectangle onto the display (64 grey levels)."""
        b = us_beamform(self, echo, alpha, rng)
        ys = (np.arange(self.h) - self.r0) / (self.r1 - self.r0) * (self.n_r - 1)
        xs = np.arange(self.w) / (self.w - 1) * (self.n_th - 1)
        iy = np.clip(ys, 0, self.n_r - 1).astype(int)
        ix = np.clip(xs, 0, self.n_th - 1).astype(int)
        img = b[iy][:, ix] * ((ys >= 0) & (ys <= self.n_r - 1))[:, None]
        return np.round(np.clip(blur(img, 0.9), 0, 1) * 63) / 63


def labels(ax, text, x=20, y=30):
    ax.text(x, y, text, color="white", fontsize=14, fontweight="bold", va="top")


def calipers(ax, p, q, note, where):
    for x, y in (p, q):
        ax.plot(x, y, marker="+", color="yellow", ms=14, mew=2)
    ax.text(*where, note, color="yellow", fontsize=13)


# --- endocrinology-104: thyroid, transverse ----------------------------------------

def thyroid_transverse(rng):
    """Right lobe (image left) holding a solid, markedly hypoechoic nodule that is
    taller than wide (18 mm across, 21 mm deep), with lobulated margins and punctate
    bright foci without shadowing; left lobe normal; trachea in the middle."""
    lin = Linear(800, 660, 60.0, 586.0, 133.0)
    X, Y = lin.X, lin.Y
    k = lin.px_per_cm / 150.0  # geometry below was laid out at 150 px/cm from y = 20
    X, Y = X / k, (Y - 40) / k
    echo = 0.08 * np.exp(0.3 * lin.texture(rng, 6))  # strap muscles and neck soft tissue
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    skin_layers(lin, echo, rng)
    for side in (-1, 1):  # thyroid lobes: brighter and finer than muscle
        layer(echo, alpha, ellipse(X, Y, 450 + side * 240, 330, 190, 165, edge=3),
              0.3 * (1 + 0.15 * lin.texture(rng, 3)), ALPHA_TISSUE)
        layer(echo, alpha, ellipse(X, Y, 450 + side * 430, 420, 80, 80, edge=2), 0.0005,
              0.3 * ALPHA_TISSUE)  # common carotid arteries
    layer(echo, alpha, ellipse(X, Y, 450, 330, 110, 100, edge=2) *
          (Y < 250), 1.2, 0.2)  # tracheal ring: bright arc, then shadow below
    lobulated = 1 + 0.08 * np.sin(5 * np.arctan2(Y - 360, X - 210))
    nodule = ellipse(X * lobulated, Y, 210 * lobulated, 360, 135, 158, edge=3)
    layer(echo, alpha, nodule, 0.02 * (1 + 0.2 * lin.texture(rng, 4)), ALPHA_TISSUE)
    for _ in range(14):  # microcalcifications: too small to cast a shadow
        cx, cy = rng.normal(210, 55), rng.normal(360, 65)
        layer(echo, alpha, ellipse(X, Y, cx, cy, 4, 4, edge=1) * nodule, 2.0, ALPHA_TISSUE)
    return lin, echo, alpha


def make_us_thyroid_nodule():
    rng = np.random.default_rng(6104)
    lin, echo, alpha = thyroid_transverse(rng)
    fig, ax = raster_figure(lin.image(echo, alpha, rng))
    depth_ruler(ax, lin, lin.r0, 4)
    labels(ax, "THYROID  TRANSVERSE")
    ax.text(40, 640, "RT", color="white", fontsize=14, fontweight="bold", va="bottom")
    ax.text(690, 640, "LT", color="white", fontsize=14, fontweight="bold", va="bottom")
    return fig, "L64"


# --- endocrinology-121: ovary ------------------------------------------------------

def ovary_view(rng):
    """Ovary of about 13 mL (4.0 x 2.6 x 2.4 cm) with ~26 follicles of 2-9 mm ringed
    round the periphery of a bright central stroma; no dominant follicle."""
    sec = Sector(1000, 700, (500.0, -60.0), 80.0, 740.0, np.radians(40), 70.0)
    echo = 0.09 * np.exp(0.25 * sec.texture(rng, 18))
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    cx, cy, rx, ry = 500.0, 380.0, 140.0, 91.0
    ovary = ellipse(sec.X, sec.Y, cx, cy, rx, ry, angle=0.1, edge=2)
    layer(echo, alpha, ovary, 0.06, ALPHA_TISSUE)
    layer(echo, alpha, ellipse(sec.X, sec.Y, cx, cy, 0.55 * rx, 0.5 * ry, 0.1, 6), 0.22,
          ALPHA_TISSUE)  # dense central stroma
    for k in range(26):
        a = 2 * np.pi * k / 26 + rng.normal(0, 0.05)
        r_mm = rng.uniform(2.0, 9.0)
        fr = r_mm / 20 * sec.px_per_cm  # radius in px from diameter in mm
        px, py = cx + (rx - fr - 6) * np.cos(a), cy + (ry - fr - 6) * np.sin(a)
        layer(echo, alpha, ellipse(sec.X, sec.Y, px, py, fr, fr, edge=1.5), 0.0005,
              0.3 * ALPHA_TISSUE)
    return sec, echo, alpha


def make_us_polyfollicular_ovary():
    rng = np.random.default_rng(6121)
    sec, echo, alpha = ovary_view(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 9)
    labels(ax, "RT OVARY")
    calipers(ax, (360, 380), (640, 380), "4.0 cm", (660, 372))
    return fig, "L64"


# --- gastroenterology-118 and -123: right upper quadrant ---------------------------

def ruq_sector():
    return Sector(1000, 780, (500.0, -120.0), 140.0, 880.0, np.radians(34), 50.0)


def nodular_liver_ascites(rng):
    """Small liver with a lumpy surface and coarse texture, floating in anechoic fluid
    that fills the space under the abdominal wall."""
    sec = ruq_sector()
    # Ascites everywhere first. Its attenuation is set close to tissue's so that the
    # ideal tissue TGC does not flood the deep field with enhancement.
    echo = 0.0008 + 0 * sec.X
    alpha = np.full(echo.shape, 0.85 * ALPHA_TISSUE)
    skin_layers(sec, echo, rng)
    ang = np.arctan2(sec.Y - 560, sec.X - 560)
    bumps = 1 + 0.05 * np.sin(9 * ang + 1.0) + 0.03 * np.sin(17 * ang)
    lx, ly = 560 + (sec.X - 560) / bumps, 560 + (sec.Y - 560) / bumps  # lumpy outline
    liver = ellipse(lx, ly, 560, 560, 330, 230, angle=-0.25, edge=2)
    coarse = np.exp(0.35 * sec.texture(rng, 9))
    layer(echo, alpha, liver, 0.09 * coarse, ALPHA_TISSUE)
    for x, y in ((300, 330), (720, 290)):  # bowel loops floating in the fluid
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, 45, 32, edge=2), 0.5, 0.02)
    return sec, echo, alpha


def make_us_nodular_liver_ascites():
    rng = np.random.default_rng(6118)
    sec, echo, alpha = nodular_liver_ascites(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 14)
    labels(ax, "RUQ")
    return fig, "L64"


def dilated_duct(rng):
    """Common bile duct 12 mm wide crossing obliquely above the portal vein, with an
    8 mm stone in its distal end casting a shadow; a mildly dilated intrahepatic duct."""
    sec = ruq_sector()
    echo = 0.09 * np.exp(0.15 * sec.texture(rng, 18))  # liver
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    skin_layers(sec, echo, rng)
    u = np.linspace(0, 1, 200)
    path = np.c_[300 + 420 * u, 300 + 200 * u + 30 * np.sin(np.pi * u)]
    pv = path + np.array([0, 70])
    half_duct = 0.6 * sec.px_per_cm  # 12 mm across
    for pts, half, e in ((pv, 0.8 * sec.px_per_cm, 0.0005), (path, half_duct, 0.0005)):
        tube = np.zeros_like(echo)
        for x, y in pts[::4]:
            tube = np.maximum(tube, ellipse(sec.X, sec.Y, x, y, half, half, edge=1.5))
        layer(echo, alpha, np.clip(tube * 1.0, 0, 1), 0.35, ALPHA_TISSUE)  # bright wall
        inner = np.zeros_like(echo)
        for x, y in pts[::4]:
            inner = np.maximum(inner, ellipse(sec.X, sec.Y, x, y, half - 4, half - 4, edge=1))
        layer(echo, alpha, inner, e, 0.4 * ALPHA_TISSUE)
    sx, sy = path[-14]
    layer(echo, alpha, ellipse(sec.X, sec.Y, sx, sy - 4, 20, 17, edge=1), 4.0, 0.3)
    branch = ellipse(sec.X, sec.Y, 420, 200, 70, 9, angle=0.5, edge=1.5)
    layer(echo, alpha, branch, 0.0005, 0.4 * ALPHA_TISSUE)
    return sec, echo, alpha, path


def make_us_dilated_duct():
    rng = np.random.default_rng(6123)
    sec, echo, alpha, path = dilated_duct(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 14)
    labels(ax, "CBD  LONG")
    x, y = path[100]
    calipers(ax, (x + 13, y - 27), (x - 13, y + 27), "1.2 cm", (x + 30, y - 50))
    return fig, "L64"
