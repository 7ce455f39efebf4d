"""Axial brain images of the neurology pack, built on :mod:`brain`."""
from __future__ import annotations

import numpy as np

from .brain import (
    CM,
    INNER,
    A,
    N,
    build,
    ct_hu,
    figure,
    flair,
    lateral_ventricles,
    wrap,
)
from .common import blur, ellipse, pil_mask, sigmoid

SDH_RHO = 1.9 * CM / A  # 19 mm at the lateral convexity, in radius units
SDH_SPAN = 1.45  # half-angle (rad): a crescent spans sutures, unlike a lens


def sdh_thickness(theta):
    """Crescent over the right convexity (theta = pi): long, tapering, concave inside."""
    phi = wrap(theta - np.pi)
    return SDH_RHO * np.cos(np.clip(phi / SDH_SPAN, -1, 1) * np.pi / 2) ** 0.55


def chronic_subdural_hu():
    """neurology-119: 19 mm right convexity crescent, mostly hypodense with dependent
    hyperdense layering and thin septations; right sulci effaced, right ventricle
    compressed, 8 mm leftward midline shift."""
    rng = np.random.default_rng(4119)
    shift = 0.8 * CM
    s = build(rng, surf_offset=sdh_thickness, shift=shift, right_scale=0.4,
              effaced=lambda th: 0.9 * np.exp(-(wrap(th - np.pi) / 1.2) ** 2))
    inner = INNER - sdh_thickness(s.theta)
    coll = sigmoid((INNER - s.rho) / 0.004) * sigmoid((s.rho - inner) / 0.004)
    dependent = sigmoid((s.Y - 0.66) / 0.01)  # supine: blood products settle posteriorly

    def septa(d):
        for y0, ang in ((0.36, 0.5), (0.50, -0.2), (0.58, 0.3)):
            x0 = 0.5 - A * INNER * np.sqrt(max(1 - ((y0 - 0.52) / 0.415) ** 2, 0))
            d.line([(x0 * N, y0 * N), ((x0 + 0.06) * N, (y0 + 0.06 * np.tan(ang)) * N)],
                   fill=255, width=2)
    lines = pil_mask(N, N, septa, 0.6) * coll
    hu_coll = 16 + 34 * dependent + 25 * lines
    return ct_hu(s, rng, [(hu_coll, coll)]), s


def make_ct_chronic_subdural():
    hu, _ = chronic_subdural_hu()
    return figure(np.clip(hu / 80.0, 0, 1), "W 80  L 40"), "L64"


def evans_index(vent: np.ndarray) -> float:
    """Widest span of the frontal horns over the widest inner skull diameter."""
    widths = [np.ptp(np.nonzero(row > 0.5)[0]) if np.any(row > 0.5) else 0
              for row in vent[int(0.32 * N):int(0.46 * N)]]
    return max(widths) / (2 * A * INNER * N)


def ventriculomegaly_flair():
    """neurology-112: large lateral ventricles (Evans index about 0.38) with tight
    convexity sulci, wide Sylvian fissures and a thin periventricular bright rim."""
    rng = np.random.default_rng(4112)
    size = 2.35
    s = build(rng, sulcal_width=0.12, ventricle_size=size, sylvian=1.6)
    vent = lateral_ventricles(s.X, s.Y, size)
    rim = np.clip(blur(vent, 6.0) * 1.6 - vent, 0, 1) * s.brain * (1 - vent)
    return flair(s, rng, 0.5 * rim), vent


def make_mri_ventriculomegaly():
    img, _ = ventriculomegaly_flair()
    return figure(img, "FLAIR"), "L64"


MS_LESIONS = [  # (x, y, long radius, short radius, angle) in units; image-left = right
    (0.405, 0.38, 0.022, 0.011, 1.9), (0.40, 0.47, 0.02, 0.01, 1.75),
    (0.605, 0.40, 0.024, 0.011, 1.3), (0.615, 0.50, 0.018, 0.009, 1.45),
    (0.625, 0.665, 0.02, 0.01, 0.9), (0.385, 0.655, 0.017, 0.009, 2.3),
    (0.50, 0.30, 0.012, 0.008, 0.0),  # callosal (genu) lesion
    (0.23, 0.33, 0.013, 0.009, 0.6), (0.76, 0.58, 0.012, 0.009, 2.5),  # juxtacortical
]


def demyelination_flair():
    """neurology-109: ovoid bright lesions, periventricular ones with their long axes
    perpendicular to the ventricles, two juxtacortical and one callosal."""
    rng = np.random.default_rng(4109)
    s = build(rng)
    lesions = np.maximum.reduce([ellipse(s.X, s.Y, x, y, a, b, angle=ang, edge=0.002)
                                 for x, y, a, b, ang in MS_LESIONS])
    return flair(s, rng, 0.9 * lesions * s.brain), lesions


def make_mri_demyelination():
    img, _ = demyelination_flair()
    return figure(img, "FLAIR"), "L64"

