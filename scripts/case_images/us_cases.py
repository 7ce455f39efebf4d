"""More ultrasound views (internal medicine, paediatrics, infectious disease), on the
engine of :mod:`us_engine`. Sizes in centimetres come from each case report and are
converted with the view's pixels per centimetre.
"""
from __future__ import annotations

import numpy as np

from .common import ellipse, raster_figure
from .us_engine import ALPHA_TISSUE, Sector, depth_ruler, layer, skin_layers, us_image
from .us_specialist import Linear, calipers, labels

FLUID = (0.0005, 0.3 * ALPHA_TISSUE)  # anechoic, little attenuation: enhancement behind


def tissue(sec, rng, level=0.09, grain=18, spread=0.15):
    echo = level * np.exp(spread * sec.texture(rng, grain))
    return echo, np.full(echo.shape, ALPHA_TISSUE)


# --- internal-medicine-101: enlarged kidney full of cysts ----------------------------

def cystic_kidney(rng):
    """Kidney 18.2 cm long whose architecture is replaced by many anechoic cysts of
    different sizes, the largest 4.8 cm across."""
    sec = Sector(860, 700, (430.0, -130.0), 150.0, 830.0, np.radians(38), 33.0)
    echo, alpha = tissue(sec, rng, level=0.07)
    skin_layers(sec, echo, rng)
    cx, cy, half_len = 430.0, 380.0, 9.1 * sec.px_per_cm
    ry = 3.3 * sec.px_per_cm
    capsule = ellipse(sec.X, sec.Y, cx, cy, half_len + 5, ry + 5, angle=0.08, edge=2)
    layer(echo, alpha, capsule, 0.45, ALPHA_TISSUE)  # bright capsule and perirenal fat
    kidney = ellipse(sec.X, sec.Y, cx, cy, half_len, ry, angle=0.08, edge=2)
    layer(echo, alpha, kidney, 0.12, ALPHA_TISSUE)
    cysts = [(cx - 150, cy + 10, 2.4)]  # the largest first (radius in cm)
    while len(cysts) < 24:
        r_cm = rng.uniform(0.4, 1.6)
        x = cx + rng.uniform(-0.85, 0.85) * half_len
        y = cy + rng.uniform(-0.7, 0.7) * ry
        if all(np.hypot(x - a, y - b) > (r_cm + rc) * sec.px_per_cm * 0.95 for a, b, rc in cysts):
            cysts.append((x, y, r_cm))
    for x, y, r_cm in cysts:
        r = r_cm * sec.px_per_cm
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, r, 0.92 * r, edge=1.5) * kidney, *FLUID)
    return sec, echo, alpha, cysts, (cx, cy, half_len)


def make_us_cystic_kidney():
    rng = np.random.default_rng(9101)
    sec, echo, alpha, _, (cx, cy, half) = cystic_kidney(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 20)
    labels(ax, "RT KIDNEY  LONG")
    dx, dy = half * np.cos(0.08), half * np.sin(0.08)
    calipers(ax, (cx - dx, cy - dy), (cx + dx, cy + dy), "18.2 cm", (cx + 40, cy - 140))
    return fig, "L64"


# --- pediatrics-102: pyloric canal, longitudinal ------------------------------------

def pylorus(rng):
    """Pyloric muscle 5.2 mm thick on each side of a closed 19 mm canal lined by bright
    mucosa; fluid-filled antrum on the image left, liver above."""
    lin = Linear(800, 600, 40.0, 560.0, 150.0)
    X, Y = lin.X, lin.Y
    px = lin.px_per_cm
    echo, alpha = tissue(lin, rng, 0.08, 6, 0.3)
    skin_layers(lin, echo, rng)
    layer(echo, alpha, (Y < 150) * 1.0, 0.1 * np.exp(0.12 * lin.texture(rng, 4)), ALPHA_TISSUE)
    cx, cy, half_len = 460.0, 330.0, 0.95 * px
    muscle = 0.52 * px
    layer(echo, alpha, ellipse(X, Y, 120, cy, 190, 120, edge=2), *FLUID)  # antrum
    for side in (-1, 1):
        layer(echo, alpha, ellipse(X, Y, cx, cy + side * (muscle / 2 + 6), half_len,
                                   muscle / 2, edge=2, power=4), 0.015, ALPHA_TISSUE)
    layer(echo, alpha, ellipse(X, Y, cx, cy, half_len, 6, edge=1.5, power=4), 0.6, ALPHA_TISSUE)
    return lin, echo, alpha, (cx, cy, half_len, muscle)


def make_us_pylorus():
    rng = np.random.default_rng(9202)
    lin, echo, alpha, (cx, cy, half_len, muscle) = pylorus(rng)
    fig, ax = raster_figure(lin.image(echo, alpha, rng))
    depth_ruler(ax, lin, lin.r0, 3)
    labels(ax, "PYLORUS  LONG")
    top = cy - 6 - muscle
    calipers(ax, (cx + 60, top), (cx + 60, cy - 6), "5.2 mm", (cx + 80, top - 10))
    calipers(ax, (cx - half_len, cy + 150), (cx + half_len, cy + 150), "19 mm",
             (cx - 40, cy + 185))
    return fig, "L64"


# --- pediatrics-115: large solid renal mass ----------------------------------------

def renal_mass(rng):
    """A 9 x 8 cm solid, heterogeneous mass arising from the lower pole of the left
    kidney, cupped by a rim of stretched renal tissue; a few small cystic spaces; no
    calcification (so no shadowing foci)."""
    sec = Sector(860, 700, (430.0, -110.0), 130.0, 800.0, np.radians(38), 44.0)
    echo, alpha = tissue(sec, rng)
    skin_layers(sec, echo, rng)
    px = sec.px_per_cm
    kx, ky = 290.0, 290.0  # upper pole with its bright central sinus
    layer(echo, alpha, ellipse(sec.X, sec.Y, kx, ky, 3.2 * px, 2.2 * px, 0.35, 2), 0.06,
          ALPHA_TISSUE)
    layer(echo, alpha, ellipse(sec.X, sec.Y, kx, ky, 2.0 * px, 0.7 * px, 0.35, 3), 0.35,
          ALPHA_TISSUE)
    mx, my = 520.0, 440.0
    layer(echo, alpha, ellipse(sec.X, sec.Y, mx, my, 4.7 * px, 4.2 * px, 0.35, 2), 0.07,
          ALPHA_TISSUE)  # stretched parenchyma: the rim round the mass
    mass = ellipse(sec.X, sec.Y, mx, my, 4.5 * px, 4.0 * px, 0.35, 2)
    layer(echo, alpha, mass, 0.16 * np.exp(0.45 * sec.texture(rng, 10)), ALPHA_TISSUE)
    for dx, dy, r in ((-60, -40, 0.5), (80, 60, 0.4), (20, 120, 0.35)):
        layer(echo, alpha, ellipse(sec.X, sec.Y, mx + dx, my + dy, r * px, r * px, edge=1.5),
              *FLUID)
    return sec, echo, alpha, (mx, my)


def make_us_renal_mass():
    rng = np.random.default_rng(9215)
    sec, echo, alpha, (mx, my) = renal_mass(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 15)
    labels(ax, "LT KIDNEY")
    d = 4.5 * sec.px_per_cm
    calipers(ax, (mx - d * np.cos(0.35), my - d * np.sin(0.35)),
             (mx + d * np.cos(0.35), my + d * np.sin(0.35)), "9.0 cm", (mx + 60, my + 260))
    return fig, "L64"


# --- infectious-disease-115: round hypoechoic liver lesion under the diaphragm -------

def liver_lesion(rng):
    """A 7.5 cm round, well-defined hypoechoic lesion with homogeneous low-level echoes
    high in the right lobe, against the bright curve of the diaphragm."""
    sec = Sector(1000, 800, (500.0, -120.0), 140.0, 900.0, np.radians(38), 45.0)
    echo, alpha = tissue(sec, rng)
    skin_layers(sec, echo, rng)
    dome = np.hypot(sec.X - 500, sec.Y + 700) - 1300  # the diaphragm arcs deep in the view
    layer(echo, alpha, (np.abs(dome) < 10) * 1.0, 0.9, ALPHA_TISSUE)
    layer(echo, alpha, (dome >= 10) * 1.0, 0.002, 0.8 * ALPHA_TISSUE)  # lung: no signal
    r = 3.75 * sec.px_per_cm
    lx = 560.0
    ly = -700 + np.sqrt(1300.0 ** 2 - (lx - 500) ** 2) - r - 6  # touching the diaphragm
    lesion = ellipse(sec.X, sec.Y, lx, ly, r, 0.95 * r, edge=2)
    layer(echo, alpha, lesion, 0.025, 0.5 * ALPHA_TISSUE)
    return sec, echo, alpha, (lx, ly, r)


def make_us_liver_lesion():
    rng = np.random.default_rng(8115)
    sec, echo, alpha, (lx, ly, r) = liver_lesion(rng)
    fig, ax = raster_figure(us_image(sec, echo, alpha, rng))
    depth_ruler(ax, sec, 20.0, 16)
    labels(ax, "RT LOBE LIVER")
    calipers(ax, (lx - r, ly), (lx + r, ly), "7.5 cm", (lx - 40, ly - r - 20))
    return fig, "L64"
