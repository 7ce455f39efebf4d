"""Chest radiographs of the specialist packs, built from :mod:`cxr_findings`.

Sizes follow the case reports (0.025 model units = 1 cm). Films are stored with 64 grey
levels ("L64"); the quantum mottle hides any banding and halves the file size.
"""
from __future__ import annotations

import numpy as np

from .common import ellipse
from .cxr_findings import (
    CM,
    LEFT,
    RIGHT,
    add_opacity,
    air_streaks,
    blob_patch,
    cavity,
    effusion,
    eggshell_rim,
    hilar_mass,
    nodules,
    normal_chest,
    rib_destroyed,
)
from .cxr_model import HILUM, mediastinum


def make_cxr_upper_zone_cavity():
    """pulmonology-103: right upper zone patchy consolidation around a 3 cm thick-walled
    cavity without a fluid level; fibronodular strands; a few left upper zone nodules."""
    rng = np.random.default_rng(3103)
    chest = normal_chest(rng)
    patch = blob_patch(chest, rng, 0.29, 0.21, 0.09, 0.075, n=80)
    add_opacity(chest, patch, 0.6)
    strands = nodules(chest, rng, 45, 0.33, r_px=(3, 7), strength=0.3, sides=(RIGHT,),
                      x_range=(0.17, 0.42))
    cavity(chest, 0.30, 0.215, 1.5 * CM, 0.45 * CM, rng=rng)
    nodules(chest, rng, 7, 0.30, r_px=(4, 7), strength=0.35, sides=(LEFT,),
            x_range=(0.62, 0.80))
    del strands
    return chest.image(rng), "L64"


def make_cxr_cavity_fluid_level():
    """pulmonology-105: 6 cm round thick-walled cavity in the right lower zone with an
    air-fluid level and surrounding consolidation; left lung clear."""
    rng = np.random.default_rng(3105)
    chest = normal_chest(rng)
    cx, cy, r = 0.28, 0.555, 3.0 * CM
    add_opacity(chest, blob_patch(chest, rng, cx, cy, 0.1, 0.085, n=60), 0.45)
    cavity(chest, cx, cy, r, 0.5 * CM, fluid_y=cy + 0.25 * r, rng=rng)
    return chest.image(rng), "L64"


def make_cxr_loculated_effusion():
    """pulmonology-106: right pleural fluid with a meniscus to the mid zone, blunted
    costophrenic angle, a D-shaped lateral opacity and patchy right lower zone shadowing."""
    rng = np.random.default_rng(3106)
    chest = normal_chest(rng)
    add_opacity(chest, blob_patch(chest, rng, 0.30, 0.50, 0.08, 0.05, n=45), 0.45)
    effusion(chest, RIGHT, top=0.60, lateral_rise=0.12)
    d_shape = ellipse(chest.X, chest.Y, 0.135, 0.43, 0.045, 0.10, edge=0.006)
    add_opacity(chest, d_shape * chest.hemi[RIGHT], 0.75)
    return chest.image(rng), "L64"


def make_cxr_silicotic_nodules():
    """pulmonology-111: numerous 2-5 mm nodules in both upper and mid zones; enlarged
    hila with thin, interrupted rims of calcification round some nodes."""
    rng = np.random.default_rng(3111)
    chest = normal_chest(rng)
    nodules(chest, rng, 520, 0.52, r_px=(2.5, 6.0), strength=0.3)
    for side, (hx, hy) in HILUM.items():
        add_opacity(chest, ellipse(chest.X, chest.Y, hx + 0.02 * side, hy, 0.045, 0.065,
                                   edge=0.006), 0.35)
        for dx, dy in ((0.01, -0.03), (0.03, 0.03)):
            eggshell_rim(chest, hx + side * dx, hy + dy, 0.018, 0.016, rng)
    return chest.image(rng), "L64"


def make_cxr_hilar_mass():
    """pulmonology-117: large lobulated right hilar mass, widened right paratracheal
    stripe, small right effusion; no cavitation."""
    rng = np.random.default_rng(3117)
    chest = normal_chest(rng)
    hilar_mass(chest, RIGHT, 0.07, rng, paratracheal=0.03)
    effusion(chest, RIGHT, top=0.77, lateral_rise=0.09, edge=0.006)
    return chest.image(rng), "L64"


def make_cxr_apical_mass():
    """pulmonology-124: asymmetric soft-tissue opacity capping the right apex, with the
    posterior part of the right second rib destroyed; the rest of the lungs clear."""
    rng = np.random.default_rng(3124)
    bones = rib_destroyed(RIGHT, 1, 0.12, 0.55)
    chest = normal_chest(rng, bones=bones)
    X, Y = chest.X, chest.Y
    cap = ellipse(X, Y, 0.31, 0.125, 0.12, 0.085, angle=0.25, edge=0.008)
    add_opacity(chest, cap * chest.hemi[RIGHT], 0.7)
    return chest.image(rng), "L64"


def make_cxr_mediastinal_air():
    """gastroenterology-104: lucent gas streaks along the left heart border and the
    aortic knuckle, tracking up into the neck; small left effusion; no free gas under
    the diaphragm and no pneumothorax."""
    rng = np.random.default_rng(3204)
    chest = normal_chest(rng)
    # Gas lies just inside the mediastinal outline, so each streak is drawn a few
    # pixels medial to the left heart border and round the aortic knuckle.
    med = mediastinum(chest.X, chest.Y)
    heart_edge = []
    for y in np.linspace(0.53, 0.72, 24):
        xs = np.nonzero(med[int(y * 1000)] > 0.5)[0]
        heart_edge.append((xs.max() / 1000 - 0.009, y))
    knuckle = [(0.556 + 0.019 * np.cos(a), 0.335 + 0.02 * np.sin(a))
               for a in np.linspace(-2.4, 1.0, 25)]
    u = np.linspace(0, 1, 20)
    neck = [[(0.5 + dx + 0.004 * np.sin(9 * v + dx * 50), 0.27 - 0.24 * v) for v in u]
            for dx in (-0.055, -0.042, 0.045, 0.06)]
    air_streaks(chest, [heart_edge, knuckle], width_px=5, strength=0.22)
    air_streaks(chest, neck, width_px=4, strength=0.12)
    effusion(chest, LEFT, top=0.81, lateral_rise=0.09, edge=0.006)
    return chest.image(rng), "L64"


# --- infectious disease pack ----------------------------------------------------------

def make_cxr_nodal_miliary():
    """infectious-disease-117: bilateral hilar and right paratracheal lymphadenopathy
    with diffuse small (2-5 mm) reticulonodular opacities in both mid and lower zones."""
    rng = np.random.default_rng(3317)
    chest = normal_chest(rng)
    for side in (RIGHT, LEFT):
        hilar_mass(chest, side, 0.045, rng, paratracheal=0.024 if side == RIGHT else 0.0)
    nodules(chest, rng, 420, 0.72, r_px=(2.5, 6.0), strength=0.22, y_min=0.36)
    return chest.image(rng), "L64"


def make_cxr_round_opacity():
    """infectious-disease-119: patchy, rounded air-space opacity in the right lower lobe;
    no effusion, no cavity, no hilar nodes."""
    rng = np.random.default_rng(3319)
    chest = normal_chest(rng)
    X, Y = chest.X, chest.Y
    round_ = ellipse(X, Y, 0.27, 0.60, 0.065, 0.06, edge=0.012) * chest.hemi[RIGHT]
    add_opacity(chest, np.maximum(0.8 * round_, blob_patch(chest, rng, 0.27, 0.60, 0.05,
                                                          0.045, n=30)), 0.6)
    return chest.image(rng), "L64"


def make_cxr_bibasal_patchy():
    """infectious-disease-123: bilateral patchy air-space opacities in the mid and lower
    zones on a background of hyperinflation (low, flat domes)."""
    rng = np.random.default_rng(3323)
    chest = normal_chest(rng, inflation=1.08)
    for side, cx in ((RIGHT, 0.28), (LEFT, 0.72)):
        for cy in (0.50, 0.64):
            add_opacity(chest, blob_patch(chest, rng, cx, cy, 0.07, 0.05, n=35, side=side),
                        0.4)
    return chest.image(rng), "L64"


def make_cxr_lower_zone_nodules():
    """infectious-disease-125: scattered small ill-defined nodular opacities in both lower
    zones; no consolidation, effusion or lymphadenopathy."""
    rng = np.random.default_rng(3325)
    chest = normal_chest(rng)
    nodules(chest, rng, 60, 0.72, r_px=(6, 11), strength=0.3, y_min=0.50, blur_px=4.0)
    return chest.image(rng), "L64"
