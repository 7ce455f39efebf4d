"""Ultrasound engine: echogenicity and attenuation maps sampled along the beam lines of a
sector probe, speckle, cumulative attenuation (shadowing, enhancement), log compression and
scan conversion."""
from __future__ import annotations

import numpy as np

from .common import blur, sigmoid, smooth_noise


class Sector:
    """Fan geometry in output pixels: virtual apex, first/last sample radius."""

    def __init__(self, w, h, apex, r0, r1, half_angle, px_per_cm, n_r=700, n_th=520):
        self.w, self.h, self.apex = w, h, apex
        self.r0, self.r1, self.half = r0, r1, half_angle
        self.px_per_cm, self.n_r, self.n_th = px_per_cm, n_r, n_th
        self.r = np.linspace(r0, r1, n_r)[:, None]
        self.th = np.linspace(-half_angle, half_angle, n_th)[None, :]
        self.X = apex[0] + self.r * np.sin(self.th)
        self.Y = apex[1] + self.r * np.cos(self.th)

    def texture(self, rng, sigma_px):
        """Tissue texture made on the display grid, sampled at the beam samples.

        (Made in polar form it would fan out into streaks near the apex.)
        """
        field = smooth_noise(rng, (self.h, self.w), sigma_px)
        ix = np.clip(self.X, 0, self.w - 1).astype(int)
        iy = np.clip(self.Y, 0, self.h - 1).astype(int)
        return field[iy, ix]


ALPHA_TISSUE = 0.0075  # amplitude attenuation per pixel of soft tissue (round trip)


def us_beamform(sec, echo, alpha, rng, dr_db=36.0, grain=(1.5, 2.2)):
    """Speckle x echogenicity x cumulative attenuation, with ideal TGC, log-compressed.

    Attenuation is integrated along each beam line, so strong reflectors (stones)
    leave a shadow and fluid leaves enhancement exactly behind themselves. An echo
    of 1 maps to white; dr_db below that maps to black. Three compounded looks
    soften the speckle nulls, as spatial compounding does on modern scanners.
    """
    power = sum(np.abs(blur(rng.standard_normal((sec.n_r, sec.n_th)), grain) +
                       1j * blur(rng.standard_normal((sec.n_r, sec.n_th)), grain)) ** 2
                for _ in range(3))
    speckle = np.sqrt(power / power.mean())
    step = (sec.r1 - sec.r0) / (sec.n_r - 1)
    through = np.exp(-np.cumsum(alpha, axis=0) * step + ALPHA_TISSUE * (sec.r - sec.r0))
    b = echo * speckle * through + 0.003 * np.abs(rng.standard_normal(echo.shape))
    db = 20 * np.log10(b + 1e-6)
    return np.clip((db + dr_db) / dr_db, 0, 1)


def us_image(sec, echo, alpha, rng):
    """Beam-form, scan-convert and apply the light smoothing scanners display.

    64 grey levels are plenty under speckle and keep the PNG small.
    """
    img = np.clip(blur(scan_convert(sec, us_beamform(sec, echo, alpha, rng)), 0.9), 0, 1)
    return np.round(img * 63) / 63


def scan_convert(sec, polar):
    """Bilinear lookup of the beam-line image on the output pixel grid."""
    ys, xs = np.mgrid[0:sec.h, 0:sec.w].astype(float)
    dx, dy = xs - sec.apex[0], ys - sec.apex[1]
    fr = (np.hypot(dx, dy) - sec.r0) / (sec.r1 - sec.r0) * (sec.n_r - 1)
    ft = (np.arctan2(dx, dy) + sec.half) / (2 * sec.half) * (sec.n_th - 1)
    inside = (fr >= 0) & (fr <= sec.n_r - 1) & (ft >= 0) & (ft <= sec.n_th - 1)
    fr, ft = np.clip(fr, 0, sec.n_r - 1.001), np.clip(ft, 0, sec.n_th - 1.001)
    i, j = fr.astype(int), ft.astype(int)
    a, b = fr - i, ft - j
    val = (polar[i, j] * (1 - a) * (1 - b) + polar[i + 1, j] * a * (1 - b) +
           polar[i, j + 1] * (1 - a) * b + polar[i + 1, j + 1] * a * b)
    return np.where(inside, val, 0.0)


def layer(echo, alpha, mask, e_val, a_val):
    """Paint one structure over the maps (painter's algorithm)."""
    echo[:] = echo * (1 - mask) + e_val * mask
    alpha[:] = alpha * (1 - mask) + a_val * mask


def depth_ruler(ax, sec, top_y, depth_cm, x=None):
    """Depth scale in cm along the right edge, as on a scanner display."""
    x = sec.w - 45 if x is None else x
    ax.plot([x, x], [top_y, top_y + depth_cm * sec.px_per_cm], color="white", lw=1.2)
    for k in range(int(depth_cm) + 1):
        y = top_y + k * sec.px_per_cm
        major = k % 5 == 0
        ax.plot([x - (12 if major else 6), x], [y, y], color="white", lw=1.2)
        if major:
            ax.text(x - 16, y, str(k), color="white", fontsize=12, ha="right", va="center")
    ax.text(x, top_y + depth_cm * sec.px_per_cm + 10, "cm", color="white", fontsize=12,
            ha="center", va="top")


def skin_layers(sec, echo, rng):
    """Bright skin line, hypoechoic fat with septa, striated muscle, by depth."""
    d = (sec.r - sec.r0) / sec.px_per_cm + 0 * sec.th
    # Septa and muscle fibres run parallel to the skin: noise stretched across beams.
    septa = sigmoid((smooth_noise(rng, d.shape, (1.5, 14)) - 1.0) / 0.25)
    echo[:] = np.where(d < 0.2, 0.6, echo)
    fat = (d >= 0.2) & (d < 1.3)
    echo[:] = np.where(fat, 0.025 + 0.3 * septa, echo)
    muscle = (d >= 1.3) & (d < 2.3)
    echo[:] = np.where(muscle, 0.05 + 0.12 * septa, echo)
