"""ECGs for metabolic and electrolyte disorders (endocrinology and internal medicine
packs): U waves of hypokalaemia, a long ST segment of hypocalcaemia and so on.

Each ``*_leads`` function returns the signals that its ``make_*`` function draws.
"""
from __future__ import annotations

import numpy as np

from .ecg_builder import Beats, Tracing, regular_r_times, timing
from .ecg_engine import draw_12_lead, ecg_time


def amps(**kw: float) -> dict[str, float]:
    return dict(kw)


def table(t_scale: float = 1.0, u: dict[str, float] | None = None) -> dict[str, dict]:
    """Normal sinus morphology with T waves scaled by ``t_scale`` and optional U waves."""
    base = {
        "I": amps(P=0.07, Q=-0.04, R=0.7, S=-0.1, T=0.2),
        "II": amps(P=0.13, Q=-0.08, R=1.0, S=-0.12, T=0.3),
        "V1": amps(P=0.06, R=0.15, S=-0.9, T=-0.05),
        "V2": amps(P=0.08, R=0.35, S=-1.3, T=0.45),
        "V3": amps(P=0.08, R=0.7, S=-0.8, T=0.45),
        "V4": amps(P=0.08, Q=-0.05, R=1.2, S=-0.4, T=0.4),
        "V5": amps(P=0.08, Q=-0.08, R=1.3, S=-0.2, T=0.3),
        "V6": amps(P=0.08, Q=-0.08, R=1.0, S=-0.1, T=0.25),
    }
    for lead, a in base.items():
        a["T"] *= t_scale
        a["U"] = (u or {}).get(lead, 0.0)
    return base


# --- endocrinology-105: flat T waves and prominent U waves ---------------------------

U_WAVES = {"I": 0.05, "II": 0.07, "V1": 0.05, "V2": 0.2, "V3": 0.22, "V4": 0.18, "V5": 0.1,
           "V6": 0.07}


def u_wave_leads():
    """Sinus 112/min; T waves a quarter of normal; U waves up to 0.22 mV in V2-V4.

    QT 330 ms and the U wave ending 190 ms later give the stated QU interval of ~520 ms.
    """
    rng = np.random.default_rng(2205)
    t = ecg_time()
    r = regular_r_times(112, rng, jitter=0.006)
    tm = timing(60 / 112, qtc=0.33 / np.sqrt(60 / 112))
    return t, Tracing([Beats(r, tm, table(0.25, U_WAVES))]).leads(t, rng)


def make_ecg_u_waves():
    t, leads = u_wave_leads()
    return draw_12_lead(leads, t), "P"


# --- endocrinology-107: long ST segment ---------------------------------------------

def long_st_leads():
    """Sinus 90/min; QTc 498 ms made by a long isoelectric ST segment; T shaped as for a
    QTc of 400 ms (normal width and height)."""
    rng = np.random.default_rng(2207)
    t = ecg_time()
    r = regular_r_times(90, rng)
    tm = timing(60 / 90, qtc=0.498, t_qtc=0.40)
    return t, Tracing([Beats(r, tm, table())]).leads(t, rng)


def make_ecg_long_st():
    t, leads = long_st_leads()
    return draw_12_lead(leads, t), "P"


# --- internal-medicine-120: ectopics, long QT, U waves ------------------------------

def ectopics_long_qt_leads():
    """Sinus 76/min, PR 170 ms, QTc 498 ms, flat T waves and prominent U waves in
    V2-V4, with frequent premature ventricular complexes."""
    rng = np.random.default_rng(9120)
    t = ecg_time()
    rr = 60 / 76
    r = regular_r_times(76, rng)
    pvc_after = [2, 5, 9]
    sinus = [i for i in range(len(r)) if i - 1 not in pvc_after or i == 0]
    pvc_t = r[pvc_after] + 0.45
    ectopic = {"I": amps(R=0.6, T=-0.3), "II": amps(R=-0.4, S=0.1, T=0.25),
               **{f"V{k}": amps(R=-1.0 + 0.3 * k, T=0.3 - 0.08 * k) for k in range(1, 7)}}
    groups = [Beats(r[sinus], timing(rr, pr=0.17, qtc=0.498, t_qtc=0.44),
                    table(0.3, {"V2": 0.16, "V3": 0.18, "V4": 0.14, "II": 0.06})),
              Beats(pvc_t, timing(rr, qrs=0.15, qtc=0.45), ectopic, with_p=False)]
    return t, Tracing(groups).leads(t, rng), r[sinus], pvc_t


def make_ecg_ectopics_long_qt():
    t, leads, _, _ = ectopics_long_qt_leads()
    return draw_12_lead(leads, t), "P"
