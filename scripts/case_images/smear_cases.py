"""Blood films of the infectious disease, internal medicine and paediatric packs, drawn
with the cell painters of :mod:`smear` (10 px per micrometre; red cells about 7.5 µm).

Each ``*_film`` function returns the image and the cells it drew, so tests can check
what is on the film (how many cells are parasitised, how many are spherocytes...).
"""
from __future__ import annotations

import numpy as np

from .common import smooth_noise
from .smear import (
    RBC_RGB,
    SMEAR_H,
    SMEAR_W,
    disc_alpha,
    draw_lymphocyte,
    paint,
    place_cells,
    rbc_alpha,
    smear_canvas,
    smear_figure,
)

PALE_RBC = (0.90, 0.62, 0.66)
STIPPLE = (0.80, 0.25, 0.35)
PARASITE_BLUE = (0.40, 0.30, 0.66)
CHROMATIN = (0.42, 0.05, 0.36)


def inside(cells, margin=70):
    return [c for c in cells if margin < c[0] < SMEAR_W - margin and margin < c[1] < SMEAR_H - margin]


def red_cells(img, rng, cells, skip=()):
    for k, (x, y, r) in enumerate(cells):
        if k not in skip:
            paint(img, x, y, r + 4, rbc_alpha(r, rng.uniform(0.95, 1.05), rng.uniform(0, 3)),
                  RBC_RGB)


# --- infectious-disease-104: enlarged pale infected cells with stippling ------------

def amoeboid(rng, size):
    """Irregular trophozoite cytoplasm: a disc whose edge is modulated by noise."""
    wob = smooth_noise(rng, (2 * size + 8, 2 * size + 8), 3.0)

    def fn(dx, dy):
        rho = np.hypot(dx, dy)
        edge = size * 0.55 * (1 + 0.35 * wob[:dx.shape[0], :dx.shape[1]])
        return 0.85 * np.clip((edge - rho) / 2.0, 0, 1)
    return fn


def stippled_cell(img, rng, x, y, r):
    """Enlarged (1.45x), pale red cell with fine red dots all over it."""
    big = 1.45 * r
    paint(img, x, y, big + 4, rbc_alpha(big, 1.0, 0.0), PALE_RBC)
    for _ in range(45):
        a, d = rng.uniform(0, 2 * np.pi), big * np.sqrt(rng.uniform(0, 0.8))
        paint(img, x + d * np.cos(a), y + d * np.sin(a), 4, disc_alpha(1.5, 0.8), STIPPLE)
    return big


def vivax_film():
    rng = np.random.default_rng(8104)
    img = smear_canvas()
    infected = [(330.0, 300.0, 37.0), (820.0, 560.0, 37.0), (560.0, 720.0, 37.0)]
    reserved = [(x, y, 1.5 * r) for x, y, r in infected]
    cells = place_cells(rng, 140, 37.0, reserved)
    red_cells(img, rng, cells)
    for k, (x, y, r) in enumerate(infected):
        big = stippled_cell(img, rng, x, y, r)
        if k < 2:  # large amoeboid trophozoites
            paint(img, x, y, big, amoeboid(rng, int(big)), PARASITE_BLUE)
            paint(img, x + 8, y - 10, 8, disc_alpha(4.5, 0.95), CHROMATIN)
        else:  # schizont: 16 merozoites round a clump of brown pigment
            for j in range(16):
                a = 2 * np.pi * j / 16 + rng.normal(0, 0.1)
                d = big * (0.35 + 0.25 * (j % 2))
                paint(img, x + d * np.cos(a), y + d * np.sin(a), 7, disc_alpha(4.2, 0.95),
                      CHROMATIN)
            paint(img, x, y, 12, disc_alpha(7, 0.9), (0.35, 0.22, 0.1))
    return img, cells, infected


def make_smear_enlarged_infected():
    return smear_figure(vivax_film()[0]), "P96"


# --- infectious-disease-120: small rings, several per cell, a tetrad ----------------

def tetrad(img, x, y, r):
    """Four small pear-shaped parasites in a cross, pointed ends meeting centrally."""
    for k in range(4):
        a = k * np.pi / 2 + 0.3
        px, py = x + 0.38 * r * np.cos(a), y + 0.38 * r * np.sin(a)
        paint(img, px, py, 10, disc_alpha(4.5, 0.8), PARASITE_BLUE)
        paint(img, x + 0.58 * r * np.cos(a), y + 0.58 * r * np.sin(a), 6,
              disc_alpha(2.6, 0.95), CHROMATIN)


def small_babesia_rings(img, rng, x, y, r, n):
    for _ in range(n):
        a, d = rng.uniform(0, 2 * np.pi), rng.uniform(0.1, 0.5) * r
        cx, cy = x + d * np.cos(a), y + d * np.sin(a)
        paint(img, cx, cy, 12, lambda dx, dy: 0.8 * np.clip(1 - ((np.hypot(dx, dy) - 5.5)
                                                                 / 1.6) ** 2, 0, 1),
              PARASITE_BLUE)
        paint(img, cx + 5, cy - 2, 5, disc_alpha(2.2, 0.95), CHROMATIN)


def babesia_film():
    """About 7% of red cells infected, often by several small rings; one tetrad; two
    extracellular parasites; no pigment."""
    rng = np.random.default_rng(8120)
    img = smear_canvas()
    cells = place_cells(rng, 160, 37.0)
    red_cells(img, rng, cells)
    pool = inside(cells)
    n_inf = round(0.07 * len(cells))
    picks = rng.choice(len(pool), size=n_inf, replace=False)
    for k, idx in enumerate(picks):
        x, y, r = pool[idx]
        if k == 0:
            tetrad(img, x, y, r)
        else:
            small_babesia_rings(img, rng, x, y, r, int(rng.choice([1, 2, 2, 3, 4])))
    for x, y in ((150.0, 820.0), (1060.0, 120.0)):  # free parasites between cells
        small_babesia_rings(img, rng, x, y, 2.0, 1)
    return img, cells, [pool[i] for i in picks]


def make_smear_small_rings():
    return smear_figure(babesia_film()[0]), "P96"


# --- white cells ---------------------------------------------------------------------

def smudge(img, rng, x, y):
    """Smudge cell: a lymphocyte crushed when the film was spread: a pale, ragged
    smear of nuclear material without cytoplasm."""
    wob = smooth_noise(rng, (125, 125), 5.0)

    def fn(dx, dy):
        rho = np.hypot(dx / 1.3, dy)
        edge = 42 * (1 + 0.3 * wob[:dx.shape[0], :dx.shape[1]])
        return 0.55 * np.clip((edge - rho) / 6.0, 0, 1)
    paint(img, x, y, 60, fn, (0.55, 0.42, 0.70))


def cll_film():
    """Many small mature lymphocytes and several smudge cells between the red cells."""
    rng = np.random.default_rng(9105)
    img = smear_canvas()
    lymphs = [(float(x), float(y), 46.0) for x, y in
              ((180, 160), (520, 130), (900, 220), (300, 480), (700, 420), (1050, 520),
               (180, 760), (560, 700), (900, 800), (420, 300))]
    smudges = [(1040.0, 360.0, 50.0), (760.0, 620.0, 50.0), (330.0, 640.0, 50.0)]
    cells = place_cells(rng, 110, 37.0, lymphs + smudges)
    red_cells(img, rng, cells)
    for x, y, _ in lymphs:
        draw_lymphocyte(img, rng, x, y)
    for x, y, _ in smudges:
        smudge(img, rng, x, y)
    return img, lymphs, smudges


def make_smear_lymphocytosis():
    return smear_figure(cll_film()[0]), "P96"


def blast(img, rng, x, y):
    """Blast: 12-14 µm, round nucleus filling most of the cell, fine even chromatin,
    a thin rim of blue cytoplasm."""
    paint(img, x, y, 72, disc_alpha(64), (0.62, 0.70, 0.90))
    fine = 0.92 + 0.08 * smooth_noise(rng, (130, 130), 1.2)
    paint(img, x + 3, y, 62, lambda dx, dy: disc_alpha(55, 0.9)(dx, dy) *
          fine[:dx.shape[0], :dx.shape[1]], (0.45, 0.30, 0.62))


def blast_film():
    """About a third of the white cells are blasts; platelets scarce."""
    rng = np.random.default_rng(9223)
    img = smear_canvas()
    blasts = [(300.0, 260.0, 70.0), (860.0, 600.0, 70.0), (600.0, 180.0, 70.0)]
    others = [(250.0, 700.0, 46.0), (1000.0, 220.0, 46.0), (560.0, 560.0, 46.0),
              (760.0, 340.0, 46.0), (120.0, 420.0, 46.0), (1080.0, 800.0, 46.0)]
    cells = place_cells(rng, 130, 37.0, blasts + others)
    red_cells(img, rng, cells)
    for x, y, _ in blasts:
        blast(img, rng, x, y)
    for x, y, _ in others:
        draw_lymphocyte(img, rng, x, y)
    return img, blasts, others


def make_smear_blasts():
    return smear_figure(blast_film()[0]), "P96"


# --- internal-medicine-114: spherocytes and polychromasia --------------------------

def spherocyte_film():
    """Many small, dense red cells without central pallor, larger bluish-grey young red
    cells (polychromasia) and one nucleated red cell."""
    rng = np.random.default_rng(9114)
    img = smear_canvas()
    cells = place_cells(rng, 150, 36.0)
    kinds = rng.permutation(["sphero"] * 45 + ["poly"] * 14 + ["normal"] * (len(cells) - 59))
    for (x, y, r), kind in zip(cells, kinds):
        if kind == "sphero":
            paint(img, x, y, r, disc_alpha(0.8 * r, 0.85), (0.80, 0.36, 0.44))
        elif kind == "poly":
            paint(img, x, y, 1.2 * r + 4, rbc_alpha(1.2 * r), (0.68, 0.56, 0.70))
        else:
            paint(img, x, y, r + 4, rbc_alpha(r, rng.uniform(0.95, 1.05)), RBC_RGB)
    nx, ny = inside(cells, 120)[0][:2]
    paint(img, nx, ny, 42, disc_alpha(38), (0.72, 0.55, 0.66))  # nucleated red cell
    paint(img, nx + 4, ny, 22, disc_alpha(19, 0.97), (0.22, 0.10, 0.32))
    return img, cells, list(kinds)


def make_smear_spherocytes():
    return smear_figure(spherocyte_film()[0]), "P96"

