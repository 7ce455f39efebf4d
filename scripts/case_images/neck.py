"""Lateral soft-tissue radiograph of a child's neck (pediatrics-122), facing left.

Densities are built in centimetres (60 px/cm) and shown with the transmission model of
the other films. The prevertebral soft tissue is measured from the front of each
vertebral body to the back of the airway; here it is 11 mm at C2 and 18 mm at C5.
"""
from __future__ import annotations

import numpy as np

from .common import ellipse, raster_figure, sigmoid, smooth_noise

W, H, PX_CM = 700, 900, 60.0
BODY_FRONT = 420.0  # x (px) of the anterior surface of the vertebral bodies
LEVELS = {"C2": 230.0, "C3": 330.0, "C4": 420.0, "C5": 510.0, "C6": 600.0, "C7": 690.0}
PREVERTEBRAL_MM = {"C2": 11.0, "C3": 13.0, "C4": 16.0, "C5": 18.0, "C6": 16.0, "C7": 14.0}


def airway_back(y):
    """x of the posterior airway wall at height y: body front minus the prevertebral
    thickness, interpolated between the levels."""
    ys = list(LEVELS.values())
    mm = [PREVERTEBRAL_MM[k] for k in LEVELS]
    return BODY_FRONT - np.interp(y, ys, mm) / 10 * PX_CM


def neck_density(rng):
    ys, xs = np.mgrid[0:H, 0:W].astype(float)
    d = 0.9 * sigmoid((xs - 90) / 6) * sigmoid((650 - xs) / 6)  # neck soft tissue
    d += 0.6 * ellipse(xs, ys, 420, -60, 330, 170, edge=4)  # skull base and occiput
    d += 0.5 * ellipse(xs, ys, 170, 60, 150, 70, angle=-0.3, edge=3)  # mandible
    for y in LEVELS.values():  # vertebral bodies and posterior elements
        d += 0.55 * ellipse(xs, ys, BODY_FRONT + 42, y, 40, 34, power=4, edge=2)
        d += 0.35 * ellipse(xs, ys, BODY_FRONT + 150, y - 5, 55, 22, angle=0.2, edge=3)
    d += 0.5 * ellipse(xs, ys, BODY_FRONT + 30, 150, 22, 26, edge=2)  # C1 anterior arch
    back = airway_back(ys)
    airway = sigmoid((back - xs) / 2) * sigmoid((xs - (back - 0.9 * PX_CM)) / 2)
    airway *= sigmoid((ys - 120) / 4)
    d -= 0.75 * airway
    d -= 0.3 * ellipse(xs, ys, 300, 110, 70, 40, edge=3)  # oropharyngeal air
    return np.clip(d, 0, None), airway


def neck_image(rng):
    d, airway = neck_density(rng)
    img = 1 - np.exp(-1.6 * d) + 0.006 * smooth_noise(rng, d.shape, 2.5)
    return np.clip(img, 0, 1), airway


def make_xr_lateral_neck():
    rng = np.random.default_rng(9222)
    img, _ = neck_image(rng)
    fig, ax = raster_figure(img)
    for name in ("C2", "C5"):
        y = LEVELS[name]
        x0 = float(airway_back(y))
        ax.plot([x0, BODY_FRONT], [y, y], color="white", lw=1.5)
        ax.text(110, y, f"{name}  {PREVERTEBRAL_MM[name]:.0f} mm", color="white",
                fontsize=13, va="center", bbox={"facecolor": "black", "edgecolor": "none"})
    ax.text(20, H - 20, "LATERAL NECK  extension, inspiration", color="white", fontsize=12)
    return fig, "L64"

