"""ECGs of the cardiology pack. Each ``*_leads`` function returns the signals (mV) that
its ``make_*`` function draws, so tests can measure rate, intervals and ST shifts on them.

Rates, intervals and ST shifts are the ones stated in each case's ECG result. 12-lead
tracings are stored as 256-colour PNGs (thin black ink on ruled paper needs no more).
"""
from __future__ import annotations

import numpy as np

from .ecg_builder import Beats, Tracing, p_train, regular_r_times, timing
from .ecg_engine import NORMAL_PRECORDIAL, draw_12_lead, draw_strip, ecg_time


def amps(**kw: float) -> dict[str, float]:
    return dict(kw)


SINUS_I = amps(P=0.07, Q=-0.04, R=0.7, S=-0.1, T=0.18)
SINUS_II = amps(P=0.14, Q=-0.08, R=1.05, S=-0.12, T=0.3)


def with_st(base: dict[str, dict], shifts: dict[str, float], key: str = "ST") -> dict:
    """Copy of a lead->amplitudes table with ST shifts (mV) added to some leads."""
    out = {k: dict(v) for k, v in base.items()}
    for lead, mv in shifts.items():
        out[lead][key] = mv
    return out


def sinus_table(i=SINUS_I, ii=SINUS_II, chest=None) -> dict[str, dict]:
    return {"I": dict(i), "II": dict(ii), **{k: dict(v) for k, v in
                                            (chest or NORMAL_PRECORDIAL).items()}}


def annotate(fig, text: str) -> None:
    """Recording conditions in the footer line (never a diagnosis)."""
    fig.axes[0].text(150, 2.0, text, fontsize=10, color="#333333", va="bottom")


# --- cardiology-101: exercise ECG at peak ------------------------------------------

def exercise_peak_leads():
    """Sinus 128/min; ST about -0.2 mV in V4-V6 and -0.1 mV in II, III and aVF (I flat)."""
    rng = np.random.default_rng(2101)
    t = ecg_time()
    r = regular_r_times(128, rng, jitter=0.006)
    # The shift is set a little beyond 2 mm because the rising T wave eats into it: the
    # depression measured 60 ms after the J point comes out at about 2 mm.
    table = with_st(sinus_table(), {"II": -0.12, "V4": -0.25, "V5": -0.25, "V6": -0.25,
                                    "V3": -0.05})
    tm = timing(60 / 128, pr=0.14, qrs=0.09, qtc=0.42)
    return t, Tracing([Beats(r, tm, table)]).leads(t, rng)


def make_ecg_exercise_peak():
    t, leads = exercise_peak_leads()
    fig = draw_12_lead(leads, t)
    annotate(fig, "Peak exercise   HR 128/min")
    return fig, "P"


# --- cardiology-103: regular narrow-complex tachycardia ------------------------------

def narrow_tachycardia_leads():
    """186/min, QRS 84 ms, no P waves (atrial activity hidden in the QRS)."""
    rng = np.random.default_rng(2103)
    t = ecg_time()
    r = regular_r_times(186, rng, start=0.2, jitter=0.003)
    table = sinus_table(ii=amps(Q=-0.05, R=1.1, S=-0.2, T=0.25))
    tm = timing(60 / 186, qrs=0.084, qtc=0.40)
    return t, Tracing([Beats(r, tm, table, with_p=False)]).leads(t, rng)


def make_ecg_narrow_tachycardia():
    t, leads = narrow_tachycardia_leads()
    return draw_strip(leads["II"], t), "RGB"


# --- cardiology-106: low voltage and electrical alternans ---------------------------

ALTERNANS_CHEST = {
    "V1": amps(P=0.04, R=0.1, S=-0.5, T=-0.03), "V2": amps(P=0.05, R=0.2, S=-0.75, T=0.12),
    "V3": amps(P=0.05, R=0.4, S=-0.5, T=0.12), "V4": amps(P=0.05, R=0.65, S=-0.25, T=0.1),
    "V5": amps(P=0.05, R=0.65, S=-0.12, T=0.08), "V6": amps(P=0.05, R=0.5, S=-0.08, T=0.06),
}


def alternans_leads():
    """Sinus 124/min; limb QRS under 0.5 mV; QRS size alternates beat to beat."""
    rng = np.random.default_rng(2106)
    t = ecg_time()
    r = regular_r_times(124, rng, jitter=0.004)
    table = sinus_table(amps(P=0.05, R=0.28, S=-0.05, T=0.07),
                        amps(P=0.08, Q=-0.03, R=0.38, S=-0.06, T=0.09), ALTERNANS_CHEST)
    scale = np.where(np.arange(len(r)) % 2 == 0, 1.0, 0.6)
    tm = timing(60 / 124, pr=0.15, qtc=0.42)
    return t, Tracing([Beats(r, tm, table, qrs_scale=scale)]).leads(t, rng)


def make_ecg_alternans():
    t, leads = alternans_leads()
    return draw_12_lead(leads, t), "P"


# --- cardiology-108: broad-complex tachycardia with capture and fusion -------------

VT_TABLE = {
    "I": amps(R=-0.6, T=0.25), "II": amps(R=-0.45, S=0.05, T=0.2),
    "V1": amps(R=0.8, T=-0.3), "V2": amps(R=1.1, T=-0.35), "V3": amps(R=1.25, T=-0.35),
    "V4": amps(R=1.25, T=-0.3), "V5": amps(R=1.05, T=-0.25), "V6": amps(R=0.85, T=-0.2),
}


def blend(a: dict[str, dict], b: dict[str, dict], w: float) -> dict[str, dict]:
    """Fusion beat: ventricles activated partly from each source."""
    out = {}
    for lead, amps_a in a.items():
        keys = set(amps_a) | set(b[lead])
        out[lead] = {k: w * amps_a.get(k, 0.0) + (1 - w) * b[lead].get(k, 0.0) for k in keys}
    return out


def broad_tachycardia_leads():
    """176/min, QRS 168 ms, dominant R in aVR, positive concordance in V1-V6.

    Sinus P waves march through at 75/min; one of them arrives when the AV node can
    conduct and captures the ventricles (a narrow beat); another partly does (fusion).
    """
    rng = np.random.default_rng(2108)
    t = ecg_time()
    rr = 60 / 176
    r = 0.25 + rr * np.arange(30)
    r = r[r < 10.3]
    capture_i, fusion_i = 11, 22
    r_capture = r[capture_i] - 0.05  # conducted beat comes a little early
    sinus = sinus_table(amps(P=0.0, Q=-0.04, R=0.7, S=-0.1, T=0.15),
                        amps(P=0.0, Q=-0.08, R=1.0, S=-0.12, T=0.2))
    vt = [i for i in range(len(r)) if i not in (capture_i, fusion_i)]
    groups = [
        Beats(r[vt], timing(rr, qrs=0.168, qtc=0.44), VT_TABLE, with_p=False),
        Beats(np.array([r_capture]), timing(rr, pr=0.16, qrs=0.09), sinus, with_p=False),
        Beats(r[[fusion_i]], timing(rr, qrs=0.125, qtc=0.44), blend(VT_TABLE, sinus, 0.5),
              with_p=False),
    ]
    # P waves at 75/min, phased so that one falls 160 ms before the capture beat.
    p_times = r_capture - 0.20 + 0.8 * np.arange(-14, 14)
    p_times = p_times[(p_times > 0) & (p_times < 10.2)]
    p_gain = {"I": 0.06, "II": 0.14, "V1": 0.08, "V2": 0.08}
    extra = {lead: p_train(t, p_times, g) for lead, g in p_gain.items()}
    return t, Tracing(groups, extra).leads(t, rng), r, p_times


def make_ecg_broad_tachycardia():
    t, leads, _, _ = broad_tachycardia_leads()
    return draw_12_lead(leads, t), "P"


# --- cardiology-111: short PR and slurred upstroke ----------------------------------

PREEXCITED = {
    "I": amps(P=0.07, D=0.05, R=0.6, S=-0.1, T=0.15),
    "II": amps(P=0.14, D=0.3, R=0.9, S=-0.05, T=-0.15),
    "V1": amps(P=0.06, D=0.22, R=0.55, S=-0.25, T=-0.2),
    "V2": amps(P=0.07, D=0.28, R=0.9, S=-0.35, T=-0.2),
    "V3": amps(P=0.07, D=0.3, R=1.1, S=-0.2, T=-0.15),
    "V4": amps(P=0.07, D=0.3, R=1.3, S=-0.1, T=-0.05),
    "V5": amps(P=0.07, D=0.22, R=1.2, T=0.1),
    "V6": amps(P=0.07, D=0.18, R=1.0, T=0.1),
}


def preexcitation_leads():
    """Sinus 68/min, PR 96 ms, QRS 126 ms of which 36 ms is the slurred upstroke."""
    rng = np.random.default_rng(2111)
    t = ecg_time()
    r = regular_r_times(68, rng, start=0.45)
    tm = timing(60 / 68, pr=0.096, qrs=0.09, qtc=0.43, delta=0.036)
    return t, Tracing([Beats(r, tm, PREEXCITED)]).leads(t, rng)


def make_ecg_preexcitation():
    t, leads = preexcitation_leads()
    return draw_12_lead(leads, t), "P"


# --- cardiology-114: sawtooth atrial waves, carotid sinus massage ------------------

def sawtooth(t: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Negative sawtooth: slow downslope, quicker return, no flat baseline."""
    ph = ((t - t0) / period) % 1.0
    return np.where(ph < 0.65, -ph / 0.65, -(1 - ph) / 0.35) + 0.5


def sawtooth_leads():
    """Atrial 300/min; conduction 2:1 (150/min) except 4:1 (75/min) from about 3.4 s to
    7.4 s while the carotid sinus is massaged."""
    rng = np.random.default_rng(2114)
    t = ecg_time()
    f_times = 0.1 + 0.2 * np.arange(52)
    conducted = [k for k in range(0, 52, 2) if not (16 <= k < 36 and k % 4 != 0)]
    r = f_times[conducted] + 0.26  # fixed atrioventricular delay
    r = r[r < 10.3]
    table = sinus_table(amps(Q=-0.03, R=0.6, S=-0.1, T=0.1), amps(Q=-0.05, R=1.0, S=-0.15, T=0.08))
    tm = timing(0.4, qrs=0.08, qtc=0.40)
    wave_ii = 0.26 * sawtooth(t, 0.2, 0.1)
    extra = {"I": 0.02 * sawtooth(t, 0.2, 0.1), "II": wave_ii, "V1": -0.6 * wave_ii}
    return t, Tracing([Beats(r, tm, table, with_p=False)], extra).leads(t, rng), r


def make_ecg_sawtooth():
    t, leads, _ = sawtooth_leads()
    fig = draw_strip(leads["II"], t)
    annotate(fig, "Carotid sinus massage during recording")
    return fig, "RGB"


# --- cardiology-118: anterior and lateral ST elevation ------------------------------

def anterior_st_leads():
    """Sinus 102/min; ST +0.2 mV V2-V5, +0.1 mV I and II (aVR depressed, III neutral)."""
    rng = np.random.default_rng(2118)
    t = ecg_time()
    r = regular_r_times(102, rng)
    table = with_st(sinus_table(), {"I": 0.1, "II": 0.1, "V2": 0.2, "V3": 0.2, "V4": 0.2,
                                    "V5": 0.2, "V6": 0.08})
    tm = timing(60 / 102, qtc=0.478)
    return t, Tracing([Beats(r, tm, table)]).leads(t, rng)


def make_ecg_anterior_st():
    t, leads = anterior_st_leads()
    return draw_12_lead(leads, t), "P"


# --- cardiology-122: coved ST elevation in V1-V2 -----------------------------------

def coved_st_leads():
    """Sinus 96/min, PR 190 ms, QRS 110 ms; J +0.3 mV in V1-V2 sloping into negative T."""
    rng = np.random.default_rng(2122)
    t = ecg_time()
    r = regular_r_times(96, rng)
    table = sinus_table()
    table["V1"] = amps(P=0.06, R=0.2, S=-0.35, R2=0.12, J=0.3, T=-0.25)
    table["V2"] = amps(P=0.08, R=0.35, S=-0.5, R2=0.12, J=0.3, T=-0.22)
    tm = timing(60 / 96, pr=0.19, qrs=0.11, qtc=0.418)
    return t, Tracing([Beats(r, tm, table)]).leads(t, rng)


def make_ecg_coved_st():
    t, leads = coved_st_leads()
    return draw_12_lead(leads, t), "P"

