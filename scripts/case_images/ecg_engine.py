"""ECG synthesis and layout: paper grid, beats built from Gaussian waves, limb leads
derived from I and II, the standard 3x4 + rhythm-strip layout and single-lead strips."""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

from .common import DPI, sigmoid

FS = 500.0  # samples per second; plenty for a 25 mm/s trace
PX_PER_MM = 5.8  # a 10 s strip (250 mm) plus margin comes out ~1500 px wide
MM_PER_S, MM_PER_MV = 25.0, 10.0
PAPER, MINOR, MAJOR, INK = "#fff5f5", "#f6c4c4", "#e58c8c", "#111111"


def ecg_paper(width_mm, height_mm):
    """Figure whose data units are millimetres, ruled like ECG paper."""
    fig = plt.figure(figsize=(width_mm * PX_PER_MM / DPI, height_mm * PX_PER_MM / DPI),
                     dpi=DPI, facecolor=PAPER)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width_mm)
    ax.set_ylim(0, height_mm)
    ax.set_axis_off()
    for step, colour, lw in ((1, MINOR, 0.5), (5, MAJOR, 0.9)):
        xs = np.arange(0, width_mm + 1e-9, step)
        ys = np.arange(0, height_mm + 1e-9, step)
        segs = [[(x, 0), (x, height_mm)] for x in xs] + [[(0, y), (width_mm, y)] for y in ys]
        ax.add_collection(LineCollection(segs, colors=colour, linewidths=lw, zorder=0))
    return fig, ax


def cal_pulse(ax, x0, base):
    """1 mV, 200 ms calibration step so amplitudes can be read off the paper."""
    ax.plot([x0, x0 + 1, x0 + 1, x0 + 6, x0 + 6, x0 + 7],
            [base, base, base + 10, base + 10, base, base], color=INK, lw=1.1)


def plot_trace(ax, t, mv, x0, base, t0=0.0):
    ax.plot(x0 + (t - t0) * MM_PER_S, base + mv * MM_PER_MV, color=INK, lw=1.1,
            solid_joinstyle="round", zorder=3)


def ecg_footer(ax, text="25 mm/s   10 mm/mV   0.05-150 Hz"):
    ax.text(10, 2.0, text, fontsize=10, color="#333333", va="bottom")


def beat_timing(rr, wide=False, peaked=False):
    """Wave offsets (s) relative to the R peak.

    Narrow QRS ~90 ms and PR ~165 ms; "wide" gives a ~140 ms QRS. QT follows Bazett
    (QTc 400 ms) so the T wave moves with heart rate as it does in real tracings.
    """
    if wide:
        tm = {"p": -0.20, "p_sd": 0.022, "q": -0.05, "q_sd": 0.012, "r": 0.0, "r_sd": 0.024,
              "s": 0.055, "s_sd": 0.02, "j": 0.095}
    else:
        tm = {"p": -0.16, "p_sd": 0.022, "q": -0.028, "q_sd": 0.008, "r": 0.0, "r_sd": 0.011,
              "s": 0.026, "s_sd": 0.010, "j": 0.045}
    qt = float(np.clip(0.40 * np.sqrt(rr), 0.28, 0.46)) + (0.04 if wide else 0.0)
    t_end = tm["q"] - 2 * tm["q_sd"] + qt
    tl, tr = (0.032, 0.032) if peaked else (0.16 * qt, 0.12 * qt)
    tm.update(t=t_end - 2.3 * tr, t_sdl=tl, t_sdr=tr)
    return tm


def wave(t, centre, amp, sd_left, sd_right):
    """Asymmetric Gaussian: the building block of every ECG deflection."""
    sd = np.where(t < centre, sd_left, sd_right)
    return amp * np.exp(-0.5 * ((t - centre) / sd) ** 2)


def lead_amps(P=0.0, Q=0.0, R=0.0, S=0.0, T=0.0):
    return {"P": P, "Q": Q, "R": R, "S": S, "T": T}


def synth_lead(t, r_times, amps, timings, p_times=None, st=0.0):
    """Sum the beats of one lead (mV).

    If p_times is given, P waves are placed there independently of the QRS (AV
    dissociation); otherwise each QRS carries its own P at the PR interval.
    """
    y = np.zeros_like(t)
    for tr, tm in zip(r_times, timings):
        if p_times is None:
            y += wave(t, tr + tm["p"], amps["P"], tm["p_sd"], tm["p_sd"])
        for k in "qrs":
            y += wave(t, tr + tm[k], amps[k.upper()], tm[k + "_sd"], tm[k + "_sd"])
        y += wave(t, tr + tm["t"], amps["T"], tm["t_sdl"], tm["t_sdr"])
        if st:
            # ST shift starts at the J point and merges into the T wave.
            y += st * sigmoid((t - tr - tm["j"]) / 0.005) * \
                (1 - sigmoid((t - tr - tm["t"] - 0.02) / 0.025))
    for tp in p_times if p_times is not None else []:
        y += wave(t, tp, amps["P"], 0.022, 0.022)
    return y


def baseline_noise(t, rng, wander=0.02, hiss=0.006):
    """Slow respiratory wander plus a little muscle noise, for a realistic trace."""
    phase = rng.uniform(0, 2 * np.pi)
    n = np.convolve(rng.standard_normal(t.size), np.ones(5) / 5, mode="same")
    return wander * np.sin(2 * np.pi * 0.22 * t + phase) + hiss * n / n.std()


def sinus_r_times(rate, rng, start=0.35, end=10.0, jitter=0.012):
    rr0, times, t = 60.0 / rate, [], start
    while t < end + 0.5:
        times.append(t)
        t += rr0 * (1 + rng.normal(0, jitter))
    return np.array(times)


def limb_leads(t, r_times, tms, amp_i, amp_ii, st_i=0.0, st_ii=0.0):
    """Derive all six limb leads from I and II (Einthoven/Goldberger) so they agree."""
    i = synth_lead(t, r_times, amp_i, tms, st=st_i)
    ii = synth_lead(t, r_times, amp_ii, tms, st=st_ii)
    return {"I": i, "II": ii, "III": ii - i, "aVR": -(i + ii) / 2,
            "aVL": i - ii / 2, "aVF": ii - i / 2}


def draw_12_lead(leads, t):
    """Standard 3x4 layout (2.5 s per column) plus a 10 s lead II rhythm strip."""
    row_h, width = 32.0, 262.0
    height = 4 * row_h + 10
    fig, ax = ecg_paper(width, height)
    layout = [["I", "aVR", "V1", "V4"], ["II", "aVL", "V2", "V5"],
              ["III", "aVF", "V3", "V6"]]
    for row, names in enumerate(layout + [["II"]]):
        base = height - row_h * (row + 0.55)
        cal_pulse(ax, 1.5, base)
        for col, name in enumerate(names):
            span = 10.0 if row == 3 else 2.5
            x0, t0 = 10 + col * 62.5, col * 2.5
            m = (t >= t0) & (t <= t0 + span)
            plot_trace(ax, t[m], leads[name][m], x0, base, t0)
            ax.text(x0 + 1.0, base + 12.5, name, fontsize=12, fontweight="bold", zorder=4)
            if col:
                ax.plot([x0, x0], [base - 3, base + 3], color=INK, lw=1.1)
    ecg_footer(ax)
    return fig


def draw_strip(trace, t, label="II"):
    """Single-lead 10 s rhythm strip."""
    width, height, base = 262.0, 45.0, 20.0
    fig, ax = ecg_paper(width, height)
    cal_pulse(ax, 1.5, base)
    plot_trace(ax, t, trace, 10.0, base)
    ax.text(11, base + 17, label, fontsize=13, fontweight="bold", zorder=4)
    ecg_footer(ax)
    return fig


def ecg_time():
    return np.arange(0.0, 10.0, 1.0 / FS)


NORMAL_PRECORDIAL = {
    "V1": lead_amps(P=0.06, R=0.15, S=-0.9, T=-0.05),
    "V2": lead_amps(P=0.08, R=0.35, S=-1.3, T=0.45),
    "V3": lead_amps(P=0.08, R=0.7, S=-0.8, T=0.45),
    "V4": lead_amps(P=0.08, Q=-0.05, R=1.2, S=-0.4, T=0.4),
    "V5": lead_amps(P=0.08, Q=-0.08, R=1.3, S=-0.2, T=0.3),
    "V6": lead_amps(P=0.08, Q=-0.08, R=1.0, S=-0.1, T=0.25),
}


def twelve_lead_signals(t, r_times, tms, amp_i, amp_ii, precordial, rng, st_i=0, st_ii=0):
    leads = limb_leads(t, r_times, tms, amp_i, amp_ii, st_i, st_ii)
    for name, amps in precordial.items():
        leads[name] = synth_lead(t, r_times, amps, tms)
    return {k: v + baseline_noise(t, rng) for k, v in leads.items()}
