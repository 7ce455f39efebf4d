"""The specialist-pack images carry their cases' findings: rates and intervals measured on
the ECG signals, densities compared across the drawn films, fields of the EEGs, counts on
the blood films. A drawing that lost its finding fails here."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest
from conftest import REPO
from PIL import Image

pytest.importorskip("matplotlib")
sys.path.insert(0, str(REPO / "scripts"))

from case_images import (
    brain_cases,
    charts_specialist,
    cxr_cases,
    ecg_cardiology,
    ecg_metabolic,
    eeg,
    nuclear,
    smear_cases,
    spirometry,
    us_cases,
)
from case_images.common import save_png
from case_images.ecg_builder import timing
from case_images.ecg_engine import FS


def r_peaks(signal: np.ndarray, threshold: float) -> np.ndarray:
    """Times (s) of local maxima above ``threshold`` at least 200 ms apart."""
    above = np.nonzero((signal[1:-1] > threshold) & (signal[1:-1] >= signal[:-2]) &
                       (signal[1:-1] >= signal[2:]))[0] + 1
    peaks: list[int] = []
    for i in above:
        if not peaks or i - peaks[-1] > 0.2 * FS:
            peaks.append(i)
        elif signal[i] > signal[peaks[-1]]:
            peaks[-1] = i
    return np.array(peaks) / FS


def rate(peaks: np.ndarray) -> float:
    return 60.0 / float(np.median(np.diff(peaks)))


@pytest.mark.parametrize(("leads_fn", "lead", "expected"), [
    (ecg_cardiology.narrow_tachycardia_leads, "II", 186),
    (ecg_cardiology.exercise_peak_leads, "II", 128),
    (ecg_cardiology.alternans_leads, "V4", 124),
    (ecg_cardiology.anterior_st_leads, "II", 102),
    (ecg_cardiology.coved_st_leads, "II", 96),
    (ecg_metabolic.u_wave_leads, "II", 112),
    (ecg_metabolic.long_st_leads, "II", 90),
])
def test_qrs_count_matches_the_stated_rate(leads_fn, lead, expected):
    _t, leads = leads_fn()[:2]
    peaks = r_peaks(leads[lead], 0.5 * leads[lead].max())
    assert abs(rate(peaks) - expected) <= 0.04 * expected
    assert abs(len(peaks) - expected / 6) <= 2  # beats in a 10 s strip


def test_the_broad_tachycardia_is_regular_at_176_with_dominant_r_in_avr():
    _, leads, r, p_times = ecg_cardiology.broad_tachycardia_leads()
    assert abs(60 / np.median(np.diff(r)) - 176) < 2
    at_r = lambda lead: np.median([leads[lead][int(x * FS)] for x in r[r < 9.9]])
    assert at_r("aVR") > 0.3 and at_r("I") < -0.3  # extreme axis, dominant R in aVR
    for v in ("V1", "V2", "V3", "V4", "V5", "V6"):  # positive concordance
        assert at_r(v) > 0.5, v
    assert abs(60 / np.median(np.diff(p_times)) - 75) < 1  # dissociated sinus P waves


def test_carotid_massage_halves_the_ventricular_rate_for_a_while():
    _, _, r = ecg_cardiology.sawtooth_leads()
    rr = np.diff(r)
    assert np.isclose(np.median(rr), 0.4) and np.isclose(rr.max(), 0.8)  # 150 and 75/min


def st_level(sig, r_times, offset, ref=-0.06):
    """Mean ST level (offset s after R) relative to the PR segment (ref s before R)."""
    i = lambda t: round(t * FS)
    return float(np.mean([sig[i(t + offset)] - sig[i(t + ref)] for t in r_times[1:-2]]))


def test_st_shifts_sit_in_the_stated_leads():
    _, leads = ecg_cardiology.exercise_peak_leads()
    r = r_peaks(leads["II"], 0.5 * leads["II"].max())
    tm = timing(60 / 128, pr=0.14, qtc=0.42)
    j60 = tm["j"] + 0.04
    assert st_level(leads["V5"], r, j60) < -0.15  # about 2 mm of depression
    assert st_level(leads["aVF"], r, j60) < -0.07
    assert abs(st_level(leads["I"], r, j60)) < 0.06  # only the early T upstroke
    _t, leads = ecg_cardiology.coved_st_leads()
    r = r_peaks(leads["II"], 0.5 * leads["II"].max())
    j = timing(60 / 96, pr=0.19, qrs=0.11, qtc=0.418)["j"]
    assert st_level(leads["V1"], r, j + 0.01) > 0.25  # coved J elevation ~3 mm
    assert abs(st_level(leads["V5"], r, j + 0.01)) < 0.08


def test_short_pr_and_long_qt_are_drawn():
    tm = timing(60 / 68, pr=0.096, delta=0.036)
    assert np.isclose((tm["onset"]) - (tm["p"] - 2 * tm["p_sd"]), 0.096)
    tm = timing(60 / 90, qtc=0.498, t_qtc=0.40)
    assert np.isclose((tm["t_end"] - tm["onset"]) / np.sqrt(60 / 90), 0.498)


def pixels(fig_and_mode) -> np.ndarray:
    fig, mode = fig_and_mode
    buf = io.BytesIO()
    save_png(fig, buf, mode)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("L"), dtype=float)


def test_an_ecg_strip_image_shows_one_spike_per_beat():
    img = pixels(ecg_cardiology.make_ecg_narrow_tachycardia())
    ink = img < 80
    top = np.array([np.argmax(col) if col.any() else img.shape[0] for col in ink.T])
    tall = top < np.median(top[70:]) - 40  # columns whose ink rises well above baseline
    tall[:85] = False  # calibration pulse and lead label
    starts = np.nonzero(tall[1:] & ~tall[:-1])[0]
    assert abs(len(starts) - 31) <= 2


def lung_mean(img, x0, x1, y0, y1):
    _h, w = img.shape
    return float(img[int(y0 * w):int(y1 * w), int(x0 * w):int(x1 * w)].mean())


@pytest.mark.parametrize(("maker", "box"), [
    (cxr_cases.make_cxr_cavity_fluid_level, (0.20, 0.36, 0.50, 0.62)),
    (cxr_cases.make_cxr_round_opacity, (0.22, 0.32, 0.56, 0.64)),
    (cxr_cases.make_cxr_loculated_effusion, (0.16, 0.40, 0.62, 0.68)),
    (cxr_cases.make_cxr_upper_zone_cavity, (0.22, 0.36, 0.16, 0.26)),
    (cxr_cases.make_cxr_apical_mass, (0.22, 0.40, 0.08, 0.16)),
])
def test_the_abnormal_lung_is_denser_than_its_mirror(maker, box):
    """Patient's right is image left: the finding's box must be clearly whiter than the
    same box mirrored onto the normal left lung."""
    img = pixels(maker())
    x0, x1, y0, y1 = box
    assert lung_mean(img, x0, x1, y0, y1) > lung_mean(img, 1 - x1, 1 - x0, y0, y1) + 25


def test_the_collection_is_on_the_right_and_pushes_the_midline_left():
    hu, _s = brain_cases.chronic_subdural_hu()
    n = hu.shape[0]
    rows = slice(int(0.45 * n), int(0.55 * n))
    soft = lambda a: float(np.median(a[a < 100]))  # leave out the bone of the skull
    left_edge = hu[rows, int(0.19 * n):int(0.24 * n)]  # under the right inner table
    right_edge = hu[rows, n - int(0.24 * n):n - int(0.19 * n)]
    assert soft(left_edge) < soft(right_edge) - 5  # hypodense crescent replaces cortex
    vent_cols = np.nonzero((hu[int(0.42 * n):int(0.5 * n)] < 14).any(axis=0))[0]
    middle = vent_cols[(vent_cols > 0.35 * n) & (vent_cols < 0.65 * n)]
    assert middle.mean() > 0.505 * n  # ventricles pushed toward the image right
    _, vent = brain_cases.ventriculomegaly_flair()
    assert 0.36 <= brain_cases.evans_index(vent) <= 0.40


def test_the_left_putamen_has_the_least_uptake():
    img = nuclear.dat_asymmetric_loss(np.random.default_rng(1))
    n = img.shape[0]
    roi = lambda x, y: img[int((y - 0.02) * n):int((y + 0.02) * n), int((x - 0.02) * n):int((x + 0.02) * n)].mean()
    caudates = roi(0.43, 0.42), roi(0.57, 0.42)
    putamen_r, putamen_l = roi(0.38, 0.49), roi(0.62, 0.49)
    assert putamen_l < putamen_r < min(caudates)


def test_temporal_sharp_waves_phase_reverse_between_chains():
    _t, v = eeg.temporal_sharp_eeg()
    i = int(1.6 * eeg.FS)
    front = (v["Fp1"] - v["F7"])[i]
    back = (v["T3"] - v["T5"])[i]
    assert front > 50 and back < -50  # opposite deflections either side of F7/T3


def test_three_per_second_discharge_is_generalised():
    t, v = eeg.spike_wave_3hz_eeg()
    during = (t > 4) & (t < 8)
    before = t < 2.5
    fz = v["Fz"] - v["O1"]
    assert fz[during].std() > 3 * fz[before].std()
    spectrum = np.abs(np.fft.rfft(fz[during] - fz[during].mean()))
    freqs = np.fft.rfftfreq(during.sum(), 1 / eeg.FS)
    assert abs(freqs[np.argmax(spectrum[1:]) + 1] - 3.0) < 0.4


def test_blood_film_counts_match_the_reports():
    _, cells, infected = smear_cases.babesia_film()
    assert abs(len(infected) / len(cells) - 0.07) < 0.01
    _, cells, kinds = smear_cases.spherocyte_film()
    assert kinds.count("sphero") / len(cells) > 0.25
    _, blasts, others = smear_cases.blast_film()
    assert abs(len(blasts) / (len(blasts) + len(others)) - 0.30) < 0.05


def test_charts_measure_what_the_cases_state():
    _, ph, (starts, _, _) = charts_specialist.ph_recording()
    assert abs(charts_specialist.acid_fraction(ph) - 0.096) < 0.001 and len(starts) == 96
    _fig, res = spirometry.bronchodilator_figure(
        {"Predicted": (3.30, 6.6, 0.45, 2.62, 5.0), "Pre": (3.05, 4.4, 0.35, 1.80, 4.3),
         "Post": (3.10, 4.6, 0.35, 1.89, 4.4)}, (0, 4), (-6, 8))
    pre, post = res["Pre"], res["Post"]
    assert abs((post[0] - pre[0]) * 1000 - 90) < 5 and post[0] / post[1] < 0.65


def test_ultrasound_fluid_is_dark_and_the_kidney_is_long():
    rng = np.random.default_rng(3)
    sec, _echo, _, cysts, (_, _, half_len) = us_cases.cystic_kidney(rng)
    assert abs(2 * half_len / sec.px_per_cm - 18.2) < 0.05
    assert max(r for *_, r in cysts) * 2 == pytest.approx(4.8)
    img = pixels(us_cases.make_us_liver_lesion())
    assert img[390:450, 520:600].mean() < img[150:210, 520:600].mean() - 20  # lesion vs liver
