"""The ultrasound images of the core pack (gallbladder with stones, transvaginal view of
the pelvis with an adnexal ring)."""
from __future__ import annotations

import numpy as np

from .common import ellipse, raster_figure, rotate, sigmoid
from .us_engine import ALPHA_TISSUE, Sector, depth_ruler, layer, skin_layers, us_image

GB = {"cx": 560.0, "cy": 400.0, "rx": 220.0, "ry": 78.0, "angle": -0.3}


def gb_rings(X, Y, grow):
    g = GB
    return ellipse(X, Y, g["cx"], g["cy"], g["rx"] + grow, g["ry"] + grow, g["angle"], 1.5)


def gallbladder_layers(sec, echo, alpha):
    """Lumen, 5 mm striated wall (bright-dark-bright) and a pericholecystic fluid rim."""
    X, Y = sec.X, sec.Y
    wall = 0.5 * sec.px_per_cm  # 5 mm
    u, v = rotate(X - GB["cx"], Y - GB["cy"], GB["angle"])
    rim = (gb_rings(X, Y, wall + 22) - gb_rings(X, Y, wall)) * sigmoid(v / 12) * \
        sigmoid((0.85 * GB["rx"] - np.abs(u)) / 15)
    layer(echo, alpha, rim, 0.0005, 0.3 * ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, wall) - gb_rings(X, Y, 2 * wall / 3), 0.8, ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, 2 * wall / 3) - gb_rings(X, Y, wall / 3), 0.04,
          ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, wall / 3) - gb_rings(X, Y, 0), 0.7, ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, 0), 0.0005, 0.4 * ALPHA_TISSUE)


def gallstones(sec, echo, alpha):
    """Stones lying on the dependent (deep) wall; they are nearly opaque to sound."""
    c, s = np.cos(GB["angle"]), np.sin(GB["angle"])
    # (position along the long axis, radius px, lift off the wall px); 53 px = 1 cm
    for u, rs, lift in ((-140, 20, 0), (-100, 14, 0), (-68, 22, 0), (-118, 12, 30),
                        (-30, 10, 0)):
        v = GB["ry"] * np.sqrt(1 - (u / GB["rx"]) ** 2) - rs - 2 - lift
        x, y = GB["cx"] + u * c - v * s, GB["cy"] + u * s + v * c
        stone = ellipse(sec.X, sec.Y, x, y, rs, rs * 0.85, GB["angle"], 1.0)
        layer(echo, alpha, stone, 4.0, 0.3)


def make_us_gallstones():
    """RUQ curvilinear view: liver, gallbladder long axis, shadowing stones."""
    rng = np.random.default_rng(1401)
    sec = Sector(1100, 860, (550.0, -140.0), 160.0, 960.0, np.radians(34), 53.3)
    echo = 0.09 * np.exp(0.15 * sec.texture(rng, 20))  # liver
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    skin_layers(sec, echo, rng)
    for x, y, r in ((330, 260, 22), (800, 560, 16), (420, 640, 26)):  # portal branches
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, r + 5, r * 0.8 + 5, 0.4, 1.5) -
              ellipse(sec.X, sec.Y, x, y, r, r * 0.8, 0.4, 1.5), 0.3, ALPHA_TISSUE)
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, r, r * 0.8, 0.4, 1.5), 0.0005,
              0.4 * ALPHA_TISSUE)
    gallbladder_layers(sec, echo, alpha)
    gallstones(sec, echo, alpha)
    img = us_image(sec, echo, alpha, rng)
    fig, ax = raster_figure(img)
    depth_ruler(ax, sec, 20.0, 15)
    return fig, "L"


TV_UTERUS = (480.0, 390.0, 250.0, 135.0, np.arctan2(0.55, -0.83))  # cx, cy, rx, ry, axis
TV_OVARY = (1000.0, 360.0, 105.0, 72.0, 0.3)
TV_RING = (880.0, 590.0)


def pear(X, Y, cx, cy, rx, ry, angle, taper, edge):
    """Ellipse that widens toward +u (uterine fundus)."""
    u, v = rotate(X - cx, Y - cy, angle)
    w = np.maximum(ry * (1 + taper * u / rx), 1e-3)
    rho = np.sqrt((u / rx) ** 2 + (v / w) ** 2)
    return sigmoid((1 - rho) * ry / edge)


def tv_uterus(sec, echo, alpha, rng):
    """Anteverted uterus (fundus to the image left, cervix toward the probe).

    Thick echogenic endometrium (~14 mm) with a thin cavity line and no sac in it.
    """
    cx, cy, rx, ry, ang = TV_UTERUS
    X, Y = sec.X, sec.Y
    tex = 1 + 0.12 * sec.texture(rng, 6)
    layer(echo, alpha, pear(X, Y, cx, cy, rx + 7, ry + 7, ang, 0.25, 2.0), 0.16,
          ALPHA_TISSUE)  # serosal outline
    layer(echo, alpha, pear(X, Y, cx, cy, rx, ry, ang, 0.25, 2.0), 0.045 * tex, ALPHA_TISSUE)
    ex, ey = cx - 30 * np.cos(ang), cy - 30 * np.sin(ang)
    layer(echo, alpha, pear(X, Y, ex, ey, 0.68 * rx + 10, 56, ang, 0.45, 2.0), 0.012,
          ALPHA_TISSUE)  # hypoechoic inner myometrium
    layer(echo, alpha, pear(X, Y, ex, ey, 0.68 * rx, 46, ang, 0.45, 2.0), 0.3 * tex,
          ALPHA_TISSUE)
    u, v = rotate(X - ex, Y - ey, ang)
    cavity = np.exp(-(v / 2.0) ** 2) * sigmoid((0.6 * rx - np.abs(u)) / 6)
    layer(echo, alpha, cavity, 0.8, ALPHA_TISSUE)


def tv_adnexa(sec, echo, alpha, rng):
    """Left ovary with follicles, and separate from it a thick echogenic ring."""
    X, Y = sec.X, sec.Y
    layer(echo, alpha, ellipse(X, Y, *TV_OVARY, edge=2.0), 0.035, ALPHA_TISSUE)
    ox, oy = TV_OVARY[:2]
    for dx, dy, fr in ((-40, -25, 24), (28, 18, 19), (52, -28, 14), (-25, 30, 15),
                       (10, -40, 12), (-68, 6, 10)):  # follicles 3-8 mm
        layer(echo, alpha, ellipse(X, Y, ox + dx, oy + dy, fr, fr * 0.9, 0.0, 1.5), 0.0005,
              0.3 * ALPHA_TISSUE)
    mx, my = TV_RING  # 2.5 cm across at 68 px/cm
    layer(echo, alpha, ellipse(X, Y, mx, my, 86, 80, 0.2, 2.0),
          0.35 * (1 + 0.15 * sec.texture(rng, 5)), ALPHA_TISSUE)
    layer(echo, alpha, ellipse(X, Y, mx, my, 34, 30, 0.2, 2.0), 0.002, 0.4 * ALPHA_TISSUE)


def tv_fluid(sec, echo, alpha):
    """Free fluid in the pouch of Douglas (behind the uterus), low-level echoes only."""
    X, Y = sec.X, sec.Y
    ang = TV_UTERUS[4]
    fluid = np.maximum.reduce([ellipse(X, Y, 640, 500, 105, 40, ang + np.pi, 3.0),
                               ellipse(X, Y, 700, 560, 75, 38, 0.5, 3.0),
                               ellipse(X, Y, 560, 560, 60, 24, ang + np.pi, 3.0)])
    layer(echo, alpha, fluid, 0.004, 0.3 * ALPHA_TISSUE)


def tv_background(sec, rng):
    """Pelvic fat and bowel: heterogeneous echoes and two gas-containing loops."""
    echo = 0.09 * np.exp(0.45 * sec.texture(rng, 22))
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    for x, y in ((260.0, 700.0), (1120.0, 600.0)):
        arc = ellipse(sec.X, sec.Y, x, y, 70, 40, 0.3, 2.0) - \
            ellipse(sec.X, sec.Y, x, y + 10, 66, 34, 0.3, 2.0)
        layer(echo, alpha, np.clip(arc, 0, 1), 0.9, 0.05)
    return echo, alpha


def make_us_ectopic_adnexal_mass():
    """Transvaginal sector: empty uterus, left ovary, separate adnexal ring, fluid."""
    rng = np.random.default_rng(1402)
    sec = Sector(1400, 880, (700.0, 10.0), 40.0, 856.0, np.radians(56), 68.0,
                 n_r=720, n_th=640)
    echo, alpha = tv_background(sec, rng)
    tv_uterus(sec, echo, alpha, rng)
    tv_fluid(sec, echo, alpha)
    tv_adnexa(sec, echo, alpha, rng)
    img = us_image(sec, echo, alpha, rng)
    fig, ax = raster_figure(img)
    depth_ruler(ax, sec, 50.0, 12)
    kw = {"color": "white", "fontsize": 16, "fontweight": "bold", "ha": "center", "va": "center"}
    ax.text(400, 235, "UT", **kw)
    ax.text(1000, 255, "LO", **kw)
    return fig, "L"
