"""The ECGs of the core pack (atrial fibrillation strip, inferior ST elevation, complete
heart block, hyperkalaemia)."""
from __future__ import annotations

import numpy as np

from .ecg_engine import (
    NORMAL_PRECORDIAL,
    baseline_noise,
    beat_timing,
    draw_12_lead,
    draw_strip,
    ecg_time,
    lead_amps,
    sinus_r_times,
    synth_lead,
    twelve_lead_signals,
)


def make_ecg_afib():
    """Lead II: irregularly irregular narrow QRS ~125/min, no P waves, f-waves."""
    rng = np.random.default_rng(1101)
    t = ecg_time()
    rr = rng.gamma(9.0, 0.48 / 9.0, size=40).clip(0.31, 0.80)  # no pattern to the RR
    r_times = 0.2 + np.concatenate([[0.0], np.cumsum(rr)])
    r_times = r_times[r_times < 10.4]
    tms = [beat_timing(x) for x in np.concatenate([[rr[0]], rr])[: r_times.size]]
    amps = lead_amps(P=0.0, Q=-0.05, R=1.05, S=-0.2, T=0.22)
    y = synth_lead(t, r_times, amps, tms)
    # Fibrillatory waves: 5-7 Hz, low amplitude, continuously changing shape.
    for f in (5.3, 6.1, 7.2):
        env = 0.5 + 0.5 * np.convolve(rng.standard_normal(t.size), np.ones(400) / 20,
                                      mode="same")
        y += 0.035 * env * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    y += baseline_noise(t, rng, wander=0.015)
    return draw_strip(y, t), "RGB"


def make_ecg_complete_heart_block():
    """Lead II: P at 80/min and a wide escape QRS at 38/min, fully dissociated."""
    rng = np.random.default_rng(1103)
    t = ecg_time()
    p_times = 0.25 + 0.75 * np.arange(14)  # atrial rate 80/min
    r_times = 0.55 + 1.58 * np.arange(7)  # ventricular rate ~38/min, unrelated phase
    tms = [beat_timing(1.58, wide=True) for _ in r_times]
    # Ventricular escape: broad QRS with discordant (inverted) T wave.
    amps = lead_amps(P=0.15, Q=0.0, R=0.85, S=-0.25, T=-0.32)
    y = synth_lead(t, r_times, amps, tms, p_times=p_times)
    y += baseline_noise(t, rng)
    return draw_strip(y, t), "RGB"



def make_ecg_inferior_stemi():
    """Sinus ~90/min; ST vector points inferiorly (~110 deg).

    ST shift I = -0.10 mV and II = +0.22 mV give III +0.32, aVF +0.27, aVL -0.21:
    elevation III > aVF > II with reciprocal depression in aVL and I.
    """
    rng = np.random.default_rng(1102)
    t = ecg_time()
    r_times = sinus_r_times(90, rng)
    tms = [beat_timing(60 / 90) for _ in r_times]
    amp_i = lead_amps(P=0.07, Q=-0.04, R=0.7, S=-0.1, T=0.12)
    amp_ii = lead_amps(P=0.14, Q=-0.1, R=1.0, S=-0.12, T=0.32)
    leads = twelve_lead_signals(t, r_times, tms, amp_i, amp_ii, NORMAL_PRECORDIAL, rng,
                                st_i=-0.10, st_ii=0.22)
    return draw_12_lead(leads, t), "RGB"


def make_ecg_hyperkalemia():
    """Rate ~70, flat P, QRS ~140 ms, tall narrow-based symmetric (tented) T waves."""
    rng = np.random.default_rng(1104)
    t = ecg_time()
    r_times = sinus_r_times(70, rng, start=0.4, jitter=0.008)
    tms = [beat_timing(60 / 70, wide=True, peaked=True) for _ in r_times]
    amp_i = lead_amps(P=0.02, R=0.65, S=-0.15, T=0.42)
    amp_ii = lead_amps(P=0.03, R=0.8, S=-0.2, T=0.75)
    precordial = {
        "V1": lead_amps(P=0.01, R=0.15, S=-1.0, T=0.45),
        "V2": lead_amps(P=0.02, R=0.3, S=-1.3, T=1.15),
        "V3": lead_amps(P=0.02, R=0.6, S=-0.9, T=1.25),
        "V4": lead_amps(P=0.02, R=1.0, S=-0.5, T=1.05),
        "V5": lead_amps(P=0.02, R=1.1, S=-0.3, T=0.8),
        "V6": lead_amps(P=0.02, R=0.9, S=-0.2, T=0.6),
    }
    leads = twelve_lead_signals(t, r_times, tms, amp_i, amp_ii, precordial, rng)
    return draw_12_lead(leads, t), "RGB"
