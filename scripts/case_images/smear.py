"""Schematic thin blood films (pixel units, 10 px per micrometre) with a 10 µm scale bar."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .common import raster_figure, rotate, scale_bar, smooth_noise, soft_step

SMEAR_W, SMEAR_H, PX_PER_UM = 1200, 900, 10.0
RBC_RGB = np.array([0.86, 0.48, 0.54])


def smear_canvas():
    return np.ones((SMEAR_H, SMEAR_W, 3)) * np.array([0.95, 0.93, 0.90])


def paint(img, cx, cy, half, alpha_fn, colour):
    """Alpha-blend a colour into a square patch around (cx, cy)."""
    x0, x1 = max(int(cx - half), 0), min(int(cx + half) + 1, SMEAR_W)
    y0, y1 = max(int(cy - half), 0), min(int(cy + half) + 1, SMEAR_H)
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(float)
    a = np.clip(alpha_fn(xs - cx, ys - cy), 0, 1)[..., None]
    img[y0:y1, x0:x1] = img[y0:y1, x0:x1] * (1 - a) + np.asarray(colour) * a


def place_cells(rng, n, r_mean, reserved=()):
    """Random, mostly non-overlapping cell centres (monolayer area of a film)."""
    pts = list(reserved)
    placed = []
    for _ in range(30000):
        if len(placed) >= n:
            break
        x, y = rng.uniform(-15, SMEAR_W + 15), rng.uniform(-15, SMEAR_H + 15)
        r = r_mean * rng.uniform(0.9, 1.1)
        if pts:
            p = np.array(pts)
            if np.any(np.hypot(p[:, 0] - x, p[:, 1] - y) < 0.94 * (p[:, 2] + r)):
                continue
        pts.append((x, y, r))
        placed.append((x, y, r))
    return placed


def rbc_alpha(r, ecc=1.0, ang=0.0, target=False):
    """Biconcave disc: central pallor about 1/3 of the diameter; a target cell has a
    pale ring around a central haemoglobin spot instead.

    Flat tones with soft (~3 px) transitions keep the film crisp and the PNG small.
    """
    def fn(dx, dy):
        u, v = rotate(dx, dy, ang)
        rho = np.hypot(u / (r * ecc), v * ecc / r)
        body = soft_step((1 - rho) * r / 1.5)
        if target:
            pale = soft_step((rho - 0.30) * r / 4) * soft_step((0.64 - rho) * r / 4)
            centre = 1 - 0.72 * pale
        else:
            centre = 1 - 0.55 * soft_step((0.42 - rho) * r / 5)
        return 0.66 * body * centre
    return fn


def disc_alpha(r, strength=1.0):
    return lambda dx, dy: strength * soft_step((r - np.hypot(dx, dy)) / 1.2)


def ring_alpha(rr, width, flatten=1.0, ang=0.0):
    """Thin parasite cytoplasm ring, thicker on one side (signet ring).

    Local u points away from the red-cell centre along ang; flatten < 1 squashes the
    ring radially so that it hugs the membrane (appliqué form).
    """
    def fn(dx, dy):
        u, v = rotate(dx, dy, ang)
        q = np.hypot(u / flatten, v)
        thick = width * (1 + 0.6 * np.cos(np.arctan2(v, u) - np.pi / 3))
        return 0.85 * np.clip(1 - ((q - rr) / thick) ** 2, 0, 1)
    return fn


def draw_ring_form(img, rng, cx, cy, r, appliqué=False):
    ang = rng.uniform(0, 2 * np.pi)
    if appliqué:
        off, rr, flat = 0.86 * r, 9.0, 0.45
    else:
        off, rr, flat = rng.uniform(0.0, 0.45) * r, rng.uniform(8.5, 11.0), 1.0
    px, py = cx + off * np.cos(ang), cy + off * np.sin(ang)
    paint(img, px, py, 20, ring_alpha(rr, 1.3, flat, ang), (0.40, 0.30, 0.66))
    dots = 2 if rng.uniform() < 0.25 else 1  # occasional double chromatin dot
    for k in range(dots):
        beta = np.pi / 2 + k * 0.9  # position on the ring, in the ring's own frame
        u, v = rr * flat * np.cos(beta), rr * np.sin(beta)
        dx = u * np.cos(ang) - v * np.sin(ang)  # back to image axes
        dy = u * np.sin(ang) + v * np.cos(ang)
        paint(img, px + dx, py + dy, 8, disc_alpha(3.6, 0.95), (0.42, 0.05, 0.36))


def banana_alpha(rc, phimax, w, strength=0.9):
    """Sausage bent along an arc of radius rc (centre of curvature at the origin)."""
    def fn(dx, dy):
        rho, phi = np.hypot(dx, dy), np.arctan2(dx, -dy)
        t = np.clip(phi / phimax, -1, 1)
        half = np.where(np.abs(phi) <= phimax, w * np.sqrt(np.clip(1 - t ** 2, 0, 1)), -4.0)
        return strength * soft_step((half - np.abs(rho - rc)) / 1.5)
    return fn


def draw_gametocyte(img, rng, x, y):
    """Crescent gametocyte longer than a red cell, pigment centrally, faint RBC 'bib'."""
    rc = 62.0
    cy = y + rc  # arc bulges upward; centre of curvature below
    paint(img, x, cy, 100, banana_alpha(rc - 16, 0.6, 10, 0.5), RBC_RGB)  # concave side
    paint(img, x, cy, 100, banana_alpha(rc, 0.85, 14), (0.55, 0.46, 0.78))
    for _ in range(14):
        a, dr = rng.normal(0, 0.12), rng.normal(0, 3.5)
        px, py = x + (rc + dr) * np.sin(a), cy - (rc + dr) * np.cos(a)
        paint(img, px, py, 6, disc_alpha(rng.uniform(1.5, 2.6), 0.9), (0.25, 0.15, 0.10))


def draw_lymphocyte(img, rng, x, y):
    """Small lymphocyte: round dense nucleus with a thin rim of pale blue cytoplasm."""
    paint(img, x, y, 50, disc_alpha(42), (0.70, 0.78, 0.92))
    clumps = 0.85 + 0.15 * smooth_noise(rng, (81, 81), 2.5)  # chromatin clumping
    mottle = lambda dx, dy: disc_alpha(34, 0.95)(dx, dy) * clumps[:dx.shape[0], :dx.shape[1]]
    paint(img, x - 3, y, 40, mottle, (0.30, 0.17, 0.50))


def smear_figure(img):
    fig, ax = raster_figure(img)
    x, y = SMEAR_W - 170, SMEAR_H - 40
    ax.add_patch(plt.Rectangle((x - 25, y - 45), 150, 65, color="white", alpha=0.85))
    scale_bar(ax, x, y, 10 * PX_PER_UM, "10 µm", colour="black", fontsize=14)
    return fig


def make_smear_ring_forms():
    """Thin film, ~6% parasitised red cells with small rings; one crescent."""
    rng = np.random.default_rng(1501)
    img = smear_canvas()
    reserved = [(300.0, 640.0, 75.0), (930.0, 230.0, 48.0)]  # gametocyte, lymphocyte
    cells = place_cells(rng, 170, 37.0, reserved)
    for x, y, r in cells:
        paint(img, x, y, r + 4, rbc_alpha(r, rng.uniform(0.95, 1.05), rng.uniform(0, 3)),
              RBC_RGB)
    inside = [c for c in cells if 60 < c[0] < SMEAR_W - 60 and 60 < c[1] < SMEAR_H - 60]
    n_inf = round(0.06 * len(cells))
    picks = rng.choice(len(inside), size=n_inf, replace=False)
    for k, idx in enumerate(picks):
        x, y, r = inside[idx]
        draw_ring_form(img, rng, x, y, r, appliqué=k in (0, 1))
        if k in (2, 3):  # two parasites in one red cell
            draw_ring_form(img, rng, x, y, r)
    draw_gametocyte(img, rng, *reserved[0][:2])
    draw_lymphocyte(img, rng, *reserved[1][:2])
    return smear_figure(img), "P"


def sickle_alpha(a, b, bend, ang):
    """Elongated cell with pointed ends along a gently arched centre line."""
    def fn(dx, dy):
        u, v = rotate(dx, dy, ang)
        t = np.clip(u / a, -1, 1)
        half = np.where(np.abs(u) < a, b * (1 - t ** 2) ** 0.8, -3.0)
        return 0.8 * soft_step((half - np.abs(v - bend * (1 - t ** 2))) / 1.5)
    return fn


def draw_sickle_film_cell(img, rng, x, y, r, kind):
    ang = rng.uniform(0, 2 * np.pi)
    if kind == "sickle":
        a, bend = r * rng.uniform(1.25, 1.65), r * rng.uniform(0.1, 0.5)
        paint(img, x, y, a + bend + 4, sickle_alpha(a, r * rng.uniform(0.26, 0.34), bend, ang),
              (0.80, 0.36, 0.42))
    elif kind == "oval":
        paint(img, x, y, 1.5 * r + 4, rbc_alpha(r, 1.5, ang), RBC_RGB)
    else:
        paint(img, x, y, r + 4, rbc_alpha(r, rng.uniform(0.95, 1.05), ang,
                                          target=kind == "target"), RBC_RGB)


def make_smear_sickle_cells():
    """Discocytes with many sickle forms, target cells and a Howell-Jolly body."""
    rng = np.random.default_rng(1502)
    img = smear_canvas()
    hj = (640.0, 470.0, 37.0)  # reserved so the Howell-Jolly cell stands free
    cells = place_cells(rng, 150, 36.0, reserved=[hj])
    kinds = list(rng.permutation(["sickle"] * 34 + ["target"] * 8 + ["oval"] * 5 +
                                 ["normal"] * (len(cells) - 47)))
    for (x, y, r), kind in zip(cells, kinds):
        draw_sickle_film_cell(img, rng, x, y, r, kind)
    # Howell-Jolly body: a single round dark nuclear remnant in an otherwise normal
    # cell, drawn last (on top) so no neighbour hides it.
    x, y, r = hj
    paint(img, x, y, r + 4, rbc_alpha(r), RBC_RGB)
    paint(img, x + 0.45 * r, y - 0.3 * r, 9, disc_alpha(5.0, 0.95), (0.28, 0.08, 0.40))
    return smear_figure(img), "P"
