"""The chest radiographs of the core pack (right lower lobe consolidation, left
pneumothorax)."""
from __future__ import annotations

import numpy as np

from .common import blur, branch, ellipse, pil_mask, sigmoid
from .cxr_model import (
    CXR_H,
    CXR_W,
    HILUM,
    cxr_base_density,
    cxr_figure,
    cxr_grid,
    cxr_to_image,
    cxr_vessels,
    lung_field,
    mediastinum,
)


def rll_patch(X, Y, lung_r, rng):
    """Patchy posterior-basal air-space opacity in the right lower zone.

    It stops short of x = 0.36 so the right heart border (x ~0.39) stays sharp (no
    silhouette sign: lower lobe, not middle lobe), and it fills in the lateral
    costophrenic angle.
    """
    def blobs(dr):
        for _ in range(90):
            x, y = rng.normal(0.25, 0.045), rng.normal(0.655, 0.04)
            r = rng.uniform(0.015, 0.035)
            dr.ellipse([(x - r) * CXR_W, (y - r) * CXR_W, (x + r) * CXR_W,
                        (y + r) * CXR_W], fill=255)
    core = ellipse(X, Y, 0.255, 0.66, 0.08, 0.065, angle=0.3, edge=0.015)
    patch = np.clip(0.75 * core + pil_mask(CXR_W, CXR_H, blobs, 10.0), 0, 1)
    patch = np.maximum(patch, 0.8 * ellipse(X, Y, 0.145, 0.775, 0.045, 0.04, edge=0.01))
    return patch * sigmoid((0.36 - X) / 0.008) * lung_r


def make_cxr_rll_consolidation():
    """Right lower zone air-space opacity with air bronchograms; heart border kept."""
    rng = np.random.default_rng(1201)
    X, Y = cxr_grid()
    med = mediastinum(X, Y)
    lung_r, lung_l = lung_field(X, Y, -1) * (1 - med), lung_field(X, Y, 1) * (1 - med)
    lungs = lung_r + lung_l
    d, thick = cxr_base_density(X, Y)
    d += thick * (-0.78 * lungs + 0.3 * cxr_vessels(rng) * lungs)
    patch = rll_patch(X, Y, lung_r, rng)
    bronchi = pil_mask(CXR_W, CXR_H, lambda dr: branch(
        dr, 0.335 * CXR_W, 0.595 * CXR_W, 2.4, 0.05 * CXR_W, 12, 4, rng,
        spread=(0.3, 0.5)), 2.5)
    d += thick * (0.75 * patch - 0.5 * bronchi * sigmoid((patch - 0.6) / 0.08))
    return cxr_figure(cxr_to_image(d, rng)), "L"


def make_cxr_left_pneumothorax():
    """Left pleural air: visceral line ~3 cm in from the wall, no markings beyond."""
    rng = np.random.default_rng(1202)
    X, Y = cxr_grid()
    med = mediastinum(X, Y)
    lung_r, hemi_l = lung_field(X, Y, -1) * (1 - med), lung_field(X, Y, 1) * (1 - med)
    # Collapse the left lung toward the hilum: 0.76 laterally (lateral edge moves in
    # ~75 px = ~3 cm) and 0.86 at the apex; the base stays on the diaphragm. The
    # mediastinum is untouched (no shift).
    hx, hy = HILUM[1]
    yc = np.where(Y < hy, hy + (Y - hy) / 0.86, Y)
    lung_l = lung_field(hx + (X - hx) / 0.76, yc, 1) * (1 - med)
    vessels_r = cxr_vessels(rng)
    vessels_l = cxr_vessels(np.random.default_rng(1203), left_scale=0.85)
    d, thick = cxr_base_density(X, Y)
    d += thick * (-0.78 * (lung_r + hemi_l) + 0.3 * vessels_r * lung_r +
                  0.3 * vessels_l * lung_l)
    d += thick * (0.07 * lung_l - 0.05 * (hemi_l - lung_l))  # pleural air blacker
    soft = blur((lung_l > 0.5).astype(float), 1.0)
    pleural_line = 4 * soft * (1 - soft) * blur(hemi_l, 5) ** 4
    d += 0.3 * thick * pleural_line
    return cxr_figure(cxr_to_image(d, rng)), "L"
