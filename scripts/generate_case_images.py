#!/usr/bin/env python3
"""Generate the simulated diagnostic images bundled with the AgentClinic core cases.

Every picture is drawn from scratch with numpy, matplotlib (Agg) and Pillow. Nothing is
copied or derived from patient data or any image collection: the images are simulated,
schematic teaching images made for AgentClinic and released under CC BY 4.0.

What is drawn (file names are fixed because the case YAML files refer to them):

* ECGs on a standard paper grid (1 mm / 5 mm squares, 25 mm/s, 10 mm/mV). Each beat is
  a sum of Gaussians (P, Q, R, S, T, plus an optional ST shift), so PR, QRS and QT
  intervals are physiologic and can be measured off the grid:
  ``ecg_afib``, ``ecg_inferior_stemi``, ``ecg_complete_heart_block``, ``ecg_hyperkalemia``.
* Schematic radiology rendered from soft-edged geometric densities: a frontal chest
  radiograph model (``cxr_rll_consolidation``, ``cxr_left_pneumothorax``) and an axial
  head CT built in Hounsfield units and shown in a brain window (``ct_epidural_hematoma``).
* Schematic ultrasound: echogenicity and attenuation maps sampled along the beam lines of
  a sector probe, with Rayleigh speckle, so acoustic shadows and enhancement follow the
  physics (``us_gallstones``, ``us_ectopic_adnexal_mass``).
* Schematic thin blood films with a 10 µm scale bar (``smear_ring_forms``,
  ``smear_sickle_cells``).
* Charts: flow-volume loops whose FEV1 is computed from the drawn curves
  (``spirometry_obstructive_reversible``) and a laboratory trend
  (``lab_ck_creatinine_trend``).

Images carry the findings only as signals and geometry; no diagnosis is written on them.
Output is deterministic: fixed seeds, no timestamps and no software tag, so re-running
produces byte-identical PNG files.

Usage::

    python scripts/generate_case_images.py [--out DIR] [--only NAME ...]
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402

DPI = 100
REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO_ROOT / "scenarios" / "core" / "images"

# Pin the font so text renders the same everywhere matplotlib ships DejaVu Sans.
plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 11})


# ---------------------------------------------------------------------------
# Shared helpers: saving, raster maths
# ---------------------------------------------------------------------------

def save_png(fig, path: Path, mode: str = "RGB") -> None:
    """Render a figure and re-encode it with Pillow.

    metadata={"Software": None} drops matplotlib's version tag; Agg writes no tIME
    chunk, and Pillow adds nothing, so identical drawings give identical bytes.
    Grey-scale images are stored as 8-bit "L" and blood films as a 256-colour palette
    ("P") to keep the files small.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                facecolor=fig.get_facecolor())
    plt.close(fig)
    buf.seek(0)
    with Image.open(buf) as im:
        if mode == "P":  # 256-colour palette, no dithering: smooth films stay small
            out = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
        else:
            out = im.convert(mode)
    out.save(path, format="PNG", optimize=True)


def sigmoid(x):
    """Logistic via tanh: no overflow warnings for large arguments."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def soft_step(x):
    """0 below -0.5, 1 above +0.5, smooth in between: anti-aliased edges whose flat
    parts stay exactly flat (logistic tails would cost PNG bytes on blood films)."""
    t = np.clip(x + 0.5, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def blur(a, sigma):
    """Gaussian blur by FFT (no scipy); sigma may be a number or (sigma_y, sigma_x)."""
    sy, sx = (sigma, sigma) if np.isscalar(sigma) else sigma
    if sy <= 0 and sx <= 0:
        return a
    pad = int(4 * max(sy, sx)) + 1
    p = np.pad(a, pad, mode="reflect")
    fy = np.fft.fftfreq(p.shape[0])[:, None]
    fx = np.fft.rfftfreq(p.shape[1])[None, :]
    gain = np.exp(-2 * np.pi ** 2 * ((sy * fy) ** 2 + (sx * fx) ** 2))
    out = np.fft.irfft2(np.fft.rfft2(p) * gain, s=p.shape)
    return out[pad:-pad, pad:-pad]


def smooth_noise(rng, shape, sigma):
    """Unit-variance spatially correlated noise (texture, mottling)."""
    n = blur(rng.standard_normal(shape), sigma)
    return n / n.std()


def rotate(dx, dy, angle):
    """Coordinates in a frame rotated by angle (image axes, y pointing down)."""
    c, s = np.cos(angle), np.sin(angle)
    return dx * c + dy * s, -dx * s + dy * c


def ellipse(X, Y, cx, cy, rx, ry, angle=0.0, edge=1.0, power=2.0):
    """Soft (anti-aliased) filled super-ellipse; edge is the blur width in X/Y units."""
    u, v = rotate(X - cx, Y - cy, angle)
    rho = (np.abs(u / rx) ** power + np.abs(v / ry) ** power) ** (1.0 / power)
    return sigmoid((1.0 - rho) * min(rx, ry) / edge)


def pil_mask(w, h, draw_fn, sigma=0.0):
    """Draw lines/polygons with Pillow and return a float mask in [0, 1]."""
    im = Image.new("L", (w, h), 0)
    draw_fn(ImageDraw.Draw(im))
    return blur(np.asarray(im, dtype=float) / 255.0, sigma)


def branch(draw, x, y, angle, length, width, depth, rng, fill=255, spread=(0.3, 0.55),
           fade=1.0):
    """Recursive dichotomous tree: pulmonary vessels and bronchi branch like this.

    fade < 1 dims each generation, as vessel markings fade toward the lung periphery.
    """
    if depth == 0 or width < 0.8:
        return
    bend = rng.normal(0.0, 0.12)
    xm, ym = x + 0.5 * length * np.cos(angle), y + 0.5 * length * np.sin(angle)
    x2 = xm + 0.5 * length * np.cos(angle + bend)
    y2 = ym + 0.5 * length * np.sin(angle + bend)
    draw.line([(x, y), (xm, ym), (x2, y2)], fill=int(fill), width=max(1, int(round(width))),
              joint="curve")
    for sign in (-1, 1):
        branch(draw, x2, y2, angle + bend + sign * rng.uniform(*spread),
               length * rng.uniform(0.66, 0.84), width * 0.72, depth - 1, rng, fill * fade,
               spread, fade)


def raster_figure(img):
    """Figure showing an array pixel-for-pixel (grey [0,1] or RGB), plus an axes in
    pixel coordinates (y down) for overlays such as markers and scale bars.

    figimage places the pixels without resampling, unlike imshow.
    """
    h, w = img.shape[:2]
    fig = plt.figure(figsize=(w / DPI, h / DPI), dpi=DPI, facecolor="black")
    fig.figimage(np.clip(img, 0, 1), cmap="gray", vmin=0, vmax=1, origin="upper")
    ax = fig.add_axes([0, 0, 1, 1], zorder=1)  # figure images draw after axes
    ax.set_xlim(0, w)
    ax.set_ylim(h, 0)
    ax.set_axis_off()
    return fig, ax


def side_marker(ax, x=28, y=48, text="R"):
    """Radiographic side marker: patient's right is displayed on the image left."""
    ax.text(x, y, text, color="white", fontsize=26, fontweight="bold", va="center",
            ha="left")


def scale_bar(ax, x, y, length_px, label, colour="white", fontsize=12):
    ax.plot([x, x + length_px], [y, y], color=colour, lw=3, solid_capstyle="butt")
    ax.text(x + length_px / 2, y - 10, label, color=colour, fontsize=fontsize,
            ha="center", va="bottom")


# ---------------------------------------------------------------------------
# ECG helpers
# ---------------------------------------------------------------------------

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
        tm = dict(p=-0.20, p_sd=0.022, q=-0.05, q_sd=0.012, r=0.0, r_sd=0.024,
                  s=0.055, s_sd=0.02, j=0.095)
    else:
        tm = dict(p=-0.16, p_sd=0.022, q=-0.028, q_sd=0.008, r=0.0, r_sd=0.011,
                  s=0.026, s_sd=0.010, j=0.045)
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
    return dict(P=P, Q=Q, R=R, S=S, T=T)


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


# ---------------------------------------------------------------------------
# ECG images
# ---------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------
# Chest radiograph model (coordinates in units of image width; y points down)
# ---------------------------------------------------------------------------

CXR_W, CXR_H = 1000, 1100
HILUM = {-1: (0.415, 0.45), 1: (0.585, 0.43)}  # image-left = patient's right


def cxr_grid():
    ys, xs = np.mgrid[0:CXR_H, 0:CXR_W].astype(float)
    return xs / CXR_W, ys / CXR_W


def body_thickness(X, Y):
    """Path length through the body: thickest centrally, thin at the chest wall."""
    chest = ellipse(X, Y, 0.5, 0.68, 0.44, 0.64, power=4, edge=0.004)
    neck = ellipse(X, Y, 0.5, 0.02, 0.10, 0.14, edge=0.004)
    shoulders = sum(ellipse(X, Y, 0.5 + s * 0.30, 0.14, 0.17, 0.10, angle=-s * 0.25,
                            edge=0.004) for s in (-1, 1))
    mask = np.clip(chest + neck + shoulders, 0, 1)
    depth = np.sqrt(np.clip(1 - ((X - 0.5) / 0.47) ** 2, 0, 1))
    return mask * (0.45 + 0.65 * depth), mask


def lung_field(X, Y, side):
    """Hemithorax air space: rounded apex, square-ish base, cut by the diaphragm dome.

    The right dome (image left) sits higher than the left, as in most people.
    """
    cx, cy, ry = (0.30, 0.46, 0.36) if side < 0 else (0.70, 0.47, 0.37)
    power = np.where(Y < cy, 2.2, 4.0)
    rho = (np.abs((X - cx) / 0.175) ** power + np.abs((Y - cy) / ry) ** power) ** (1 / power)
    dome = (0.70 if side < 0 else 0.74) + 3.2 * (X - cx + 0.01 * side) ** 2
    return sigmoid((1 - rho) / 0.004) * sigmoid((dome - Y) / 0.003)


def mediastinum(X, Y):
    upper = ellipse(X, Y, 0.503, 0.30, 0.062, 0.30, power=4, edge=0.003)
    heart = ellipse(X, Y, 0.545, 0.64, 0.155, 0.125, angle=0.3, edge=0.003)
    knob = ellipse(X, Y, 0.556, 0.335, 0.026, 0.028, edge=0.003)  # aortic knuckle
    return np.maximum.reduce([upper, heart, knob])


def rib_paths(side, i):
    """Posterior rib i (arching from the spine) and its anterior continuation."""
    y0, hw = 0.15 + 0.062 * i, 0.40 * min(1.0, 0.55 + 0.15 * i)
    u = np.linspace(0, 1, 40)
    x = 0.5 + side * (0.035 + hw * u)
    y = y0 - 0.04 * np.sin(np.pi * 0.9 * u) + 0.10 * u ** 2
    v = np.linspace(0, 1, 30)
    xa = x[-1] - side * 0.24 * v
    ya = y[-1] + 0.12 * v - 0.02 * v ** 2
    return np.c_[x, y] * CXR_W, np.c_[xa, ya] * CXR_W


def cxr_bones():
    def posterior(d):
        for side in (-1, 1):
            for i in range(10):
                pts = [tuple(p) for p in rib_paths(side, i)[0]]
                d.line(pts, fill=255, width=20, joint="curve")
                d.line(pts, fill=140, width=12, joint="curve")  # cortex brighter than marrow

    def anterior(d):
        for side in (-1, 1):
            for i in range(7):
                d.line([tuple(p) for p in rib_paths(side, i)[1]], fill=255, width=14,
                       joint="curve")

    def clavicles(d):
        for side in (-1, 1):
            u = np.linspace(0, 1, 30)
            x = 0.5 + side * (0.04 + 0.25 * u)
            y = 0.175 - 0.055 * u - 0.012 * np.sin(np.pi * u)
            d.line([tuple(p) for p in np.c_[x, y] * CXR_W], fill=255, width=22, joint="curve")

    return (pil_mask(CXR_W, CXR_H, posterior, 2.0), pil_mask(CXR_W, CXR_H, anterior, 3.0),
            pil_mask(CXR_W, CXR_H, clavicles, 2.0))


def cxr_spine(X, Y):
    column = ellipse(X, Y, 0.5, 0.6, 0.027, 0.7, power=6, edge=0.002)
    discs = 0.5 + 0.5 * np.cos(2 * np.pi * (Y - 0.12) / 0.052)  # vertebral bodies
    return column * (0.7 + 0.3 * discs ** 8)


def cxr_vessels(rng, left_scale=1.0):
    """Hilar vessel trees; left_scale < 1 shortens them for a collapsed left lung."""
    def draw(d):
        for side in (-1, 1):
            hx, hy = HILUM[side]
            scale = left_scale if side > 0 else 1.0
            for a, w in ((-0.95, 6), (-0.5, 7), (0.0, 8), (0.45, 9), (0.85, 9)):
                ang = (np.pi - a) if side < 0 else a
                branch(d, hx * CXR_W, hy * CXR_W, ang, 0.07 * CXR_W * scale, w, 6, rng,
                       fill=255, fade=0.8)
    return pil_mask(CXR_W, CXR_H, draw, 2.0)


def cxr_base_density(X, Y):
    """Body, bones, airway and stomach gas; lungs are subtracted by the callers."""
    thick, body = body_thickness(X, Y)
    post, ant, clav = cxr_bones()
    d = thick + 0.1 * mediastinum(X, Y) * body
    d += body * (0.2 * post + 0.07 * ant + 0.3 * clav + 0.12 * cxr_spine(X, Y))
    trachea = pil_mask(CXR_W, CXR_H, lambda dr: dr.line(
        [(500, 30), (500, 360), (462, 405), (500, 360), (540, 400)], fill=255, width=20,
        joint="curve"), 3.0)
    d -= 0.25 * trachea
    d -= 0.4 * ellipse(X, Y, 0.69, 0.83, 0.05, 0.028, edge=0.004)  # gastric bubble
    for side, (hx, hy) in HILUM.items():
        d += 0.10 * ellipse(X, Y, hx + 0.01 * side, hy, 0.028, 0.05, edge=0.01)
    return d, thick


def cxr_to_image(density, rng):
    """X-ray transmission: bright where tissue is thick, plus faint quantum mottle."""
    img = 1 - np.exp(-1.7 * np.clip(density, 0, None))
    img += 0.004 * smooth_noise(rng, img.shape, 4.0)
    return np.clip(img, 0, 1) ** 1.15


def cxr_figure(img):
    fig, ax = raster_figure(img)
    side_marker(ax)
    return fig


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


# ---------------------------------------------------------------------------
# Head CT (Hounsfield units, coordinates in units of image width)
# ---------------------------------------------------------------------------

CT_N = 1000
CT_PX_PER_CM = 45.0
CT_C, CT_A, CT_B, CT_INNER = (0.5, 0.52), 0.335, 0.415, 0.925
EDH_SPAN, EDH_THICK = 0.42, 0.24  # half-angle (rad) and max thickness (radius units)
FRACTURE_THETA = -np.pi + 0.22  # just anterior to the lateral point, patient's right


def wrap(a):
    return (a + np.pi) % (2 * np.pi) - np.pi


def ct_polar():
    ys, xs = np.mgrid[0:CT_N, 0:CT_N].astype(float) / CT_N
    u, v = (xs - CT_C[0]) / CT_A, (ys - CT_C[1]) / CT_B
    return xs, ys, np.hypot(u, v), np.arctan2(v, u)


def ct_point(rho, theta):
    return ((CT_C[0] + CT_A * rho * np.cos(theta)) * CT_N,
            (CT_C[1] + CT_B * rho * np.sin(theta)) * CT_N)


def edh_thickness(theta):
    """Lens profile centred on the lateral right convexity (image left, theta = pi).

    The elliptical profile bulges more than the skull curves, so the inner margin is
    convex toward the brain (biconvex); it ends at +-EDH_SPAN, where the sutures are.
    """
    phi = wrap(theta - np.pi)
    return EDH_THICK * np.sqrt(np.clip(1 - (phi / EDH_SPAN) ** 2, 0, 1))


def midline_shift(y):
    """Subfalcine shift toward the image right, maximal at the ventricles."""
    return 0.032 * np.exp(-((y - 0.50) / 0.16) ** 2)


def ct_sulci(rng, rho, theta, surf):
    """Winding, mostly radial CSF clefts in the cortex; effaced near the collection.

    Zero crossings of noise that is smooth along the radius and rough around the
    circumference give sulcus-like lines; their neighbourhood is cortical grey matter.
    """
    n_r, n_th = 160, 1440
    field = blur(rng.standard_normal((n_r, n_th)), (22, 3.0))
    field /= field.std()
    depth = surf - rho
    ir = np.clip(depth / 0.15 * (n_r - 1), 0, n_r - 1).astype(int)
    it = ((theta + np.pi) / (2 * np.pi) * (n_th - 1)).astype(int)
    f = field[ir, it]
    band = sigmoid((0.075 - depth) / 0.01) * sigmoid(depth / 0.003)
    effaced = 1 - 0.9 * np.exp(-(wrap(theta - np.pi) / 0.9) ** 2)  # mass effect
    sulci = blur(np.exp(-(f / 0.24) ** 2) * band * effaced, 0.8)
    grey = np.exp(-(f / 0.9) ** 2) * band
    return sulci, grey


def ct_midline_and_fracture():
    def fissure(d):
        for y0, y1 in ((0.12, 0.36), (0.63, 0.93)):
            ys = np.linspace(y0, y1, 30)
            d.line([((CT_C[0] + midline_shift(y)) * CT_N, y * CT_N) for y in ys],
                   fill=255, width=6)

    def falx(d):
        for y0, y1 in ((0.12, 0.36), (0.63, 0.93)):
            ys = np.linspace(y0, y1, 30)
            d.line([((CT_C[0] + midline_shift(y)) * CT_N, y * CT_N) for y in ys],
                   fill=255, width=2)

    def gaps(d):
        d.line([ct_point(1.03, FRACTURE_THETA), ct_point(0.975, FRACTURE_THETA + 0.03),
                ct_point(0.945, FRACTURE_THETA + 0.02), ct_point(0.9, FRACTURE_THETA + 0.05)],
               fill=255, width=3)

    def sutures(d):
        for th in (-np.pi + EDH_SPAN, np.pi - EDH_SPAN, -EDH_SPAN, EDH_SPAN):
            pts = [ct_point(r, th + 0.012 * (-1) ** k) for k, r in
                   enumerate(np.linspace(0.91, 1.01, 8))]
            d.line(pts, fill=255, width=2)

    return tuple(pil_mask(CT_N, CT_N, f, 0.5) for f in (fissure, falx, gaps, sutures))


def ct_ventricles(X, Y):
    vx = CT_C[0] + midline_shift(0.47)
    # Right lateral ventricle (image left) is squashed; the left one is normal.
    parts = [ellipse(X, Y, vx - 0.026, 0.465, 0.009, 0.085, angle=0.18, edge=0.002),
             ellipse(X, Y, vx + 0.034, 0.465, 0.022, 0.105, angle=-0.18, edge=0.002),
             ellipse(X, Y, vx - 0.075, 0.615, 0.012, 0.025, angle=0.5, edge=0.002),
             ellipse(X, Y, vx + 0.09, 0.64, 0.022, 0.038, angle=-0.5, edge=0.002),
             ellipse(X, Y, vx + 0.003, 0.60, 0.004, 0.025, edge=0.002)]
    return np.maximum.reduce(parts)


def ct_hu(rng):
    X, Y, rho, theta = ct_polar()
    thick = edh_thickness(theta)
    surf = CT_INNER - 0.015 - thick
    scalp_r = 1.045 + 0.06 * np.exp(-(wrap(theta - FRACTURE_THETA) / 0.28) ** 2)
    fissure, falx, fracture, sutures = ct_midline_and_fracture()
    brain = sigmoid((surf - rho) / 0.004)
    edh = sigmoid((CT_INNER - rho) / 0.004) * sigmoid((rho - (CT_INNER - thick)) / 0.004)
    sulci, grey = ct_sulci(rng, rho, theta, surf)
    gm = np.maximum(sigmoid((rho - (surf - 0.04)) / 0.008), grey)
    parenchyma = 25 + 13 * np.clip(gm, 0, 1)
    parenchyma += 4 * sum(ellipse(X, Y, CT_C[0] + midline_shift(0.6) + s, 0.6, 0.038,
                                  0.05, edge=0.01) for s in (-0.045, 0.05))  # thalami
    csf = np.clip(sulci + fissure + ct_ventricles(X, Y), 0, 1)
    hu = 8 + brain * (parenchyma - 8) * (1 - csf)
    hu += 35 * falx
    hu = hu * (1 - edh) + (64 + 2 * smooth_noise(rng, X.shape, 6)) * edh
    bone = sigmoid((1 - rho) / 0.004) * sigmoid((rho - CT_INNER) / 0.004)
    bone = np.clip(bone - 1.5 * fracture - 1.2 * sutures, 0, 1)
    scalp = sigmoid((scalp_r - rho) / 0.004)
    hu = np.where(rho < CT_INNER, hu, 38.0) * scalp + (-1000) * (1 - scalp)
    hu = hu * (1 - bone) + 1400 * bone
    return hu + 2.0 * smooth_noise(rng, hu.shape, 1.0)


def make_ct_epidural_hematoma():
    """Axial non-contrast head CT, brain window W80/L40."""
    rng = np.random.default_rng(1301)
    img = np.clip(ct_hu(rng) / 80.0, 0, 1)
    fig, ax = raster_figure(img)
    side_marker(ax)
    scale_bar(ax, CT_N - 60 - 5 * CT_PX_PER_CM, CT_N - 40, 5 * CT_PX_PER_CM, "5 cm")
    ax.text(30, CT_N - 30, "W 80  L 40", color="white", fontsize=12)
    return fig, "L"


# ---------------------------------------------------------------------------
# Ultrasound engine: maps sampled along beam lines, then scan-converted
# ---------------------------------------------------------------------------

class Sector:
    """Fan geometry in output pixels: virtual apex, first/last sample radius."""

    def __init__(self, w, h, apex, r0, r1, half_angle, px_per_cm, n_r=700, n_th=520):
        self.w, self.h, self.apex = w, h, apex
        self.r0, self.r1, self.half = r0, r1, half_angle
        self.px_per_cm, self.n_r, self.n_th = px_per_cm, n_r, n_th
        self.r = np.linspace(r0, r1, n_r)[:, None]
        self.th = np.linspace(-half_angle, half_angle, n_th)[None, :]
        self.X = apex[0] + self.r * np.sin(self.th)
        self.Y = apex[1] + self.r * np.cos(self.th)

    def texture(self, rng, sigma_px):
        """Tissue texture made on the display grid, sampled at the beam samples.

        (Made in polar form it would fan out into streaks near the apex.)
        """
        field = smooth_noise(rng, (self.h, self.w), sigma_px)
        ix = np.clip(self.X, 0, self.w - 1).astype(int)
        iy = np.clip(self.Y, 0, self.h - 1).astype(int)
        return field[iy, ix]


ALPHA_TISSUE = 0.0075  # amplitude attenuation per pixel of soft tissue (round trip)


def us_beamform(sec, echo, alpha, rng, dr_db=36.0, grain=(1.5, 2.2)):
    """Speckle x echogenicity x cumulative attenuation, with ideal TGC, log-compressed.

    Attenuation is integrated along each beam line, so strong reflectors (stones)
    leave a shadow and fluid leaves enhancement exactly behind themselves. An echo
    of 1 maps to white; dr_db below that maps to black. Three compounded looks
    soften the speckle nulls, as spatial compounding does on modern scanners.
    """
    power = sum(np.abs(blur(rng.standard_normal((sec.n_r, sec.n_th)), grain) +
                       1j * blur(rng.standard_normal((sec.n_r, sec.n_th)), grain)) ** 2
                for _ in range(3))
    speckle = np.sqrt(power / power.mean())
    step = (sec.r1 - sec.r0) / (sec.n_r - 1)
    through = np.exp(-np.cumsum(alpha, axis=0) * step + ALPHA_TISSUE * (sec.r - sec.r0))
    b = echo * speckle * through + 0.003 * np.abs(rng.standard_normal(echo.shape))
    db = 20 * np.log10(b + 1e-6)
    return np.clip((db + dr_db) / dr_db, 0, 1)


def us_image(sec, echo, alpha, rng):
    """Beam-form, scan-convert and apply the light smoothing scanners display.

    64 grey levels are plenty under speckle and keep the PNG small.
    """
    img = np.clip(blur(scan_convert(sec, us_beamform(sec, echo, alpha, rng)), 0.9), 0, 1)
    return np.round(img * 63) / 63


def scan_convert(sec, polar):
    """Bilinear lookup of the beam-line image on the output pixel grid."""
    ys, xs = np.mgrid[0:sec.h, 0:sec.w].astype(float)
    dx, dy = xs - sec.apex[0], ys - sec.apex[1]
    fr = (np.hypot(dx, dy) - sec.r0) / (sec.r1 - sec.r0) * (sec.n_r - 1)
    ft = (np.arctan2(dx, dy) + sec.half) / (2 * sec.half) * (sec.n_th - 1)
    inside = (fr >= 0) & (fr <= sec.n_r - 1) & (ft >= 0) & (ft <= sec.n_th - 1)
    fr, ft = np.clip(fr, 0, sec.n_r - 1.001), np.clip(ft, 0, sec.n_th - 1.001)
    i, j = fr.astype(int), ft.astype(int)
    a, b = fr - i, ft - j
    val = (polar[i, j] * (1 - a) * (1 - b) + polar[i + 1, j] * a * (1 - b) +
           polar[i, j + 1] * (1 - a) * b + polar[i + 1, j + 1] * a * b)
    return np.where(inside, val, 0.0)


def layer(echo, alpha, mask, e_val, a_val):
    """Paint one structure over the maps (painter's algorithm)."""
    echo[:] = echo * (1 - mask) + e_val * mask
    alpha[:] = alpha * (1 - mask) + a_val * mask


def depth_ruler(ax, sec, top_y, depth_cm, x=None):
    """Depth scale in cm along the right edge, as on a scanner display."""
    x = sec.w - 45 if x is None else x
    ax.plot([x, x], [top_y, top_y + depth_cm * sec.px_per_cm], color="white", lw=1.2)
    for k in range(int(depth_cm) + 1):
        y = top_y + k * sec.px_per_cm
        major = k % 5 == 0
        ax.plot([x - (12 if major else 6), x], [y, y], color="white", lw=1.2)
        if major:
            ax.text(x - 16, y, str(k), color="white", fontsize=12, ha="right", va="center")
    ax.text(x, top_y + depth_cm * sec.px_per_cm + 10, "cm", color="white", fontsize=12,
            ha="center", va="top")


def skin_layers(sec, echo, rng):
    """Bright skin line, hypoechoic fat with septa, striated muscle, by depth."""
    d = (sec.r - sec.r0) / sec.px_per_cm + 0 * sec.th
    # Septa and muscle fibres run parallel to the skin: noise stretched across beams.
    septa = sigmoid((smooth_noise(rng, d.shape, (1.5, 14)) - 1.0) / 0.25)
    echo[:] = np.where(d < 0.2, 0.6, echo)
    fat = (d >= 0.2) & (d < 1.3)
    echo[:] = np.where(fat, 0.025 + 0.3 * septa, echo)
    muscle = (d >= 1.3) & (d < 2.3)
    echo[:] = np.where(muscle, 0.05 + 0.12 * septa, echo)


# ---------------------------------------------------------------------------
# Ultrasound images
# ---------------------------------------------------------------------------

GB = dict(cx=560.0, cy=400.0, rx=220.0, ry=78.0, angle=-0.3)


def gb_rings(X, Y, grow):
    g = GB
    return ellipse(X, Y, g["cx"], g["cy"], g["rx"] + grow, g["ry"] + grow, g["angle"], 1.5)


def gallbladder_layers(sec, echo, alpha):
    """Lumen, 5 mm striated wall (bright-dark-bright) and a pericholecystic fluid rim."""
    X, Y = sec.X, sec.Y
    wall = 0.5 * sec.px_per_cm  # 5 mm
    u, v = rotate(X - GB["cx"], Y - GB["cy"], GB["angle"])
    rim = (gb_rings(X, Y, wall + 22) - gb_rings(X, Y, wall)) * sigmoid(v / 12) * \
        sigmoid((0.85 * GB["rx"] - np.abs(u)) / 15)
    layer(echo, alpha, rim, 0.0005, 0.3 * ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, wall) - gb_rings(X, Y, 2 * wall / 3), 0.8, ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, 2 * wall / 3) - gb_rings(X, Y, wall / 3), 0.04,
          ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, wall / 3) - gb_rings(X, Y, 0), 0.7, ALPHA_TISSUE)
    layer(echo, alpha, gb_rings(X, Y, 0), 0.0005, 0.4 * ALPHA_TISSUE)


def gallstones(sec, echo, alpha):
    """Stones lying on the dependent (deep) wall; they are nearly opaque to sound."""
    c, s = np.cos(GB["angle"]), np.sin(GB["angle"])
    # (position along the long axis, radius px, lift off the wall px); 53 px = 1 cm
    for u, rs, lift in ((-140, 20, 0), (-100, 14, 0), (-68, 22, 0), (-118, 12, 30),
                        (-30, 10, 0)):
        v = GB["ry"] * np.sqrt(1 - (u / GB["rx"]) ** 2) - rs - 2 - lift
        x, y = GB["cx"] + u * c - v * s, GB["cy"] + u * s + v * c
        stone = ellipse(sec.X, sec.Y, x, y, rs, rs * 0.85, GB["angle"], 1.0)
        layer(echo, alpha, stone, 4.0, 0.3)


def make_us_gallstones():
    """RUQ curvilinear view: liver, gallbladder long axis, shadowing stones."""
    rng = np.random.default_rng(1401)
    sec = Sector(1100, 860, (550.0, -140.0), 160.0, 960.0, np.radians(34), 53.3)
    echo = 0.09 * np.exp(0.15 * sec.texture(rng, 20))  # liver
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    skin_layers(sec, echo, rng)
    for x, y, r in ((330, 260, 22), (800, 560, 16), (420, 640, 26)):  # portal branches
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, r + 5, r * 0.8 + 5, 0.4, 1.5) -
              ellipse(sec.X, sec.Y, x, y, r, r * 0.8, 0.4, 1.5), 0.3, ALPHA_TISSUE)
        layer(echo, alpha, ellipse(sec.X, sec.Y, x, y, r, r * 0.8, 0.4, 1.5), 0.0005,
              0.4 * ALPHA_TISSUE)
    gallbladder_layers(sec, echo, alpha)
    gallstones(sec, echo, alpha)
    img = us_image(sec, echo, alpha, rng)
    fig, ax = raster_figure(img)
    depth_ruler(ax, sec, 20.0, 15)
    return fig, "L"


TV_UTERUS = (480.0, 390.0, 250.0, 135.0, np.arctan2(0.55, -0.83))  # cx, cy, rx, ry, axis
TV_OVARY = (1000.0, 360.0, 105.0, 72.0, 0.3)
TV_RING = (880.0, 590.0)


def pear(X, Y, cx, cy, rx, ry, angle, taper, edge):
    """Ellipse that widens toward +u (uterine fundus)."""
    u, v = rotate(X - cx, Y - cy, angle)
    w = np.maximum(ry * (1 + taper * u / rx), 1e-3)
    rho = np.sqrt((u / rx) ** 2 + (v / w) ** 2)
    return sigmoid((1 - rho) * ry / edge)


def tv_uterus(sec, echo, alpha, rng):
    """Anteverted uterus (fundus to the image left, cervix toward the probe).

    Thick echogenic endometrium (~14 mm) with a thin cavity line and no sac in it.
    """
    cx, cy, rx, ry, ang = TV_UTERUS
    X, Y = sec.X, sec.Y
    tex = 1 + 0.12 * sec.texture(rng, 6)
    layer(echo, alpha, pear(X, Y, cx, cy, rx + 7, ry + 7, ang, 0.25, 2.0), 0.16,
          ALPHA_TISSUE)  # serosal outline
    layer(echo, alpha, pear(X, Y, cx, cy, rx, ry, ang, 0.25, 2.0), 0.045 * tex, ALPHA_TISSUE)
    ex, ey = cx - 30 * np.cos(ang), cy - 30 * np.sin(ang)
    layer(echo, alpha, pear(X, Y, ex, ey, 0.68 * rx + 10, 56, ang, 0.45, 2.0), 0.012,
          ALPHA_TISSUE)  # hypoechoic inner myometrium
    layer(echo, alpha, pear(X, Y, ex, ey, 0.68 * rx, 46, ang, 0.45, 2.0), 0.3 * tex,
          ALPHA_TISSUE)
    u, v = rotate(X - ex, Y - ey, ang)
    cavity = np.exp(-(v / 2.0) ** 2) * sigmoid((0.6 * rx - np.abs(u)) / 6)
    layer(echo, alpha, cavity, 0.8, ALPHA_TISSUE)


def tv_adnexa(sec, echo, alpha, rng):
    """Left ovary with follicles, and separate from it a thick echogenic ring."""
    X, Y = sec.X, sec.Y
    layer(echo, alpha, ellipse(X, Y, *TV_OVARY, edge=2.0), 0.035, ALPHA_TISSUE)
    ox, oy = TV_OVARY[:2]
    for dx, dy, fr in ((-40, -25, 24), (28, 18, 19), (52, -28, 14), (-25, 30, 15),
                       (10, -40, 12), (-68, 6, 10)):  # follicles 3-8 mm
        layer(echo, alpha, ellipse(X, Y, ox + dx, oy + dy, fr, fr * 0.9, 0.0, 1.5), 0.0005,
              0.3 * ALPHA_TISSUE)
    mx, my = TV_RING  # 2.5 cm across at 68 px/cm
    layer(echo, alpha, ellipse(X, Y, mx, my, 86, 80, 0.2, 2.0),
          0.35 * (1 + 0.15 * sec.texture(rng, 5)), ALPHA_TISSUE)
    layer(echo, alpha, ellipse(X, Y, mx, my, 34, 30, 0.2, 2.0), 0.002, 0.4 * ALPHA_TISSUE)


def tv_fluid(sec, echo, alpha):
    """Free fluid in the pouch of Douglas (behind the uterus), low-level echoes only."""
    X, Y = sec.X, sec.Y
    ang = TV_UTERUS[4]
    fluid = np.maximum.reduce([ellipse(X, Y, 640, 500, 105, 40, ang + np.pi, 3.0),
                               ellipse(X, Y, 700, 560, 75, 38, 0.5, 3.0),
                               ellipse(X, Y, 560, 560, 60, 24, ang + np.pi, 3.0)])
    layer(echo, alpha, fluid, 0.004, 0.3 * ALPHA_TISSUE)


def tv_background(sec, rng):
    """Pelvic fat and bowel: heterogeneous echoes and two gas-containing loops."""
    echo = 0.09 * np.exp(0.45 * sec.texture(rng, 22))
    alpha = np.full(echo.shape, ALPHA_TISSUE)
    for x, y in ((260.0, 700.0), (1120.0, 600.0)):
        arc = ellipse(sec.X, sec.Y, x, y, 70, 40, 0.3, 2.0) - \
            ellipse(sec.X, sec.Y, x, y + 10, 66, 34, 0.3, 2.0)
        layer(echo, alpha, np.clip(arc, 0, 1), 0.9, 0.05)
    return echo, alpha


def make_us_ectopic_adnexal_mass():
    """Transvaginal sector: empty uterus, left ovary, separate adnexal ring, fluid."""
    rng = np.random.default_rng(1402)
    sec = Sector(1400, 880, (700.0, 10.0), 40.0, 856.0, np.radians(56), 68.0,
                 n_r=720, n_th=640)
    echo, alpha = tv_background(sec, rng)
    tv_uterus(sec, echo, alpha, rng)
    tv_fluid(sec, echo, alpha)
    tv_adnexa(sec, echo, alpha, rng)
    img = us_image(sec, echo, alpha, rng)
    fig, ax = raster_figure(img)
    depth_ruler(ax, sec, 50.0, 12)
    kw = dict(color="white", fontsize=16, fontweight="bold", ha="center", va="center")
    ax.text(400, 235, "UT", **kw)
    ax.text(1000, 255, "LO", **kw)
    return fig, "L"


# ---------------------------------------------------------------------------
# Blood films (pixel units, 10 px per micrometre)
# ---------------------------------------------------------------------------

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
    n_inf = int(round(0.06 * len(cells)))
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


# ---------------------------------------------------------------------------
# Charts
# ---------------------------------------------------------------------------

def fv_expiratory(fvc, pef, k, v_peak, n=4000):
    """Expiratory limb: quick rise to PEF, then flow ~ (remaining volume)^k.

    k > 1 gives the concave ("scooped") limb of airflow obstruction.
    """
    v = np.linspace(0, fvc, n)
    rise = pef * np.sin(0.5 * np.pi * np.clip(v / v_peak, 0, 1)) ** 0.6
    fall = pef * np.clip((fvc - v) / (fvc - v_peak), 0, None) ** k
    return v, np.where(v <= v_peak, rise, fall)


def fev1(v, flow):
    """FEV1 from a flow-volume curve, time zero by back-extrapolation (ATS/ERS)."""
    f_mid = np.maximum(0.5 * (flow[1:] + flow[:-1]), 1e-6)
    t = np.concatenate([[0.0], np.cumsum(np.diff(v) / f_mid)])
    ip = int(np.argmax(flow))
    t0 = t[ip] - v[ip] / flow[ip]
    return float(np.interp(t0 + 1.0, t, v))


def fit_curve(fvc, pef, v_peak, target):
    """Bisect the shape exponent so the drawn curve has the intended FEV1."""
    lo, hi = 0.3, 6.0
    for _ in range(60):
        k = 0.5 * (lo + hi)
        if fev1(*fv_expiratory(fvc, pef, k, v_peak)) > target:
            lo = k
        else:
            hi = k
    v, f = fv_expiratory(fvc, pef, k, v_peak)
    return v, f, fev1(v, f)


def spiro_table(ax, rows):
    cells = [[name, f"{r[0]:.2f}", f"{r[1]:.2f}", f"{r[2]:.2f}", r[3]]
             for name, r in rows.items()]
    tab = ax.table(cellText=cells, colLabels=["", "Pred", "Pre", "Post", "Change"],
                   colWidths=[0.22, 0.13, 0.13, 0.13, 0.39], loc="center",
                   cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(11)
    tab.scale(1, 1.7)
    ax.set_axis_off()


def make_spirometry_obstructive_reversible():
    curves = {  # name: (FVC L, PEF L/s, volume at PEF, target FEV1 L, PIF L/s, style)
        "Predicted": (4.30, 9.0, 0.55, 3.45, 7.0, dict(color="0.35", ls="--", lw=1.8)),
        "Pre-bronchodilator": (3.85, 5.0, 0.40, 2.25, 5.6, dict(color="#c0392b", lw=2.2)),
        "Post-bronchodilator": (4.10, 8.0, 0.50, 2.70, 6.0, dict(color="#1f5fa8", lw=2.2)),
    }
    fig = plt.figure(figsize=(13.0, 7.5), dpi=DPI, facecolor="white")
    ax = fig.add_axes([0.06, 0.09, 0.52, 0.84])
    res = {}
    for name, (fvc, pef, vp, target, pif, style) in curves.items():
        v, f, fev = fit_curve(fvc, pef, vp, target)
        vi = np.linspace(fvc, 0, 400)
        fi = -pif * np.sin(np.pi * vi / fvc) ** 0.7
        ax.plot(np.r_[v, vi], np.r_[f, fi], label=name, **style)
        res[name] = (fev, fvc, pef)
    ax.axhline(0, color="black", lw=0.8)
    ax.set(xlim=(0, 5), ylim=(-8, 10.5), xlabel="Volume (L)", ylabel="Flow (L/s)",
           title="Flow-volume loops")
    ax.grid(color="0.88")
    ax.legend(loc="upper right", frameon=True)
    p, a, b = res["Predicted"], res["Pre-bronchodilator"], res["Post-bronchodilator"]
    d_ml = (b[0] - a[0]) * 1000
    rows = {"FEV1 (L)": (p[0], a[0], b[0], f"+{d_ml:.0f} mL (+{100 * d_ml / 1000 / a[0]:.0f}%)"),
            "FVC (L)": (p[1], a[1], b[1], f"+{(b[1] - a[1]) * 1000:.0f} mL"),
            "FEV1/FVC": (p[0] / p[1], a[0] / a[1], b[0] / b[1], ""),
            "PEF (L/s)": (p[2], a[2], b[2], "")}
    spiro_table(fig.add_axes([0.615, 0.36, 0.37, 0.3]), rows)
    return fig, "RGB"


def make_lab_ck_creatinine_trend():
    days = np.array([0, 0.5, 1, 1.5, 2, 3, 4, 5])
    ck = np.array([18500, 52000, 79000, 85000, 61000, 28000, 12500, 5400])
    cr = np.array([1.1, 1.5, 2.0, 2.5, 2.8, 3.1, 3.4, 3.4])
    fig, (a1, a2) = plt.subplots(2, 1, figsize=(12.0, 8.5), dpi=DPI, sharex=True,
                                 facecolor="white")
    a1.semilogy(days, ck, "o-", color="#8e2c1f", lw=2)
    a1.axhline(200, color="0.3", ls="--", lw=1.3)
    a1.text(5.1, 230, "upper reference limit 200", ha="right", va="bottom", fontsize=10)
    for d, c in zip(days, ck):
        a1.annotate(f"{c:,}", (d, c), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=9)
    a1.set(ylim=(80, 400000), title="Creatine kinase (U/L)", ylabel="U/L (log scale)")
    a2.axhspan(0.6, 1.2, color="#cfe8cf", label="reference range 0.6-1.2")
    a2.plot(days, cr, "s-", color="#23507a", lw=2)
    for d, c in zip(days, cr):
        a2.annotate(f"{c:.1f}", (d, c), textcoords="offset points", xytext=(0, 8),
                    ha="center", fontsize=9)
    a2.set(ylim=(0, 4.2), title="Serum creatinine (mg/dL)", ylabel="mg/dL",
           xlabel="Hospital day", xlim=(-0.3, 5.3))
    a2.legend(loc="lower right")
    for a in (a1, a2):
        a.grid(color="0.9")
    fig.tight_layout()
    return fig, "RGB"


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

# File names are neutral (case id and modality): a path that reaches an agent must not
# carry the diagnosis.
IMAGES = {
    "cardiology-001-ecg": make_ecg_afib,
    "cardiology-002-ecg": make_ecg_inferior_stemi,
    "cardiology-003-ecg": make_ecg_complete_heart_block,
    "nephrology-001-ecg": make_ecg_hyperkalemia,
    "pulmonology-001-cxr": make_cxr_rll_consolidation,
    "pulmonology-002-cxr": make_cxr_left_pneumothorax,
    "pulmonology-004-spirometry": make_spirometry_obstructive_reversible,
    "neurology-005-ct-head": make_ct_epidural_hematoma,
    "gastroenterology-002-ultrasound": make_us_gallstones,
    "infectious-disease-001-smear": make_smear_ring_forms,
    "hematology-002-smear": make_smear_sickle_cells,
    "nephrology-003-lab-trend": make_lab_ck_creatinine_trend,
    "obstetrics-001-ultrasound": make_us_ectopic_adnexal_mass,
}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Draw the simulated, schematic case images for AgentClinic "
                    "(CC BY 4.0). Output is deterministic.",
        epilog="Images: " + ", ".join(IMAGES))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: scenarios/core/images)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="generate only these images (name with or without .png)")
    args = parser.parse_args(argv)
    names = [n.removesuffix(".png") for n in args.only] if args.only else list(IMAGES)
    unknown = [n for n in names if n not in IMAGES]
    if unknown:
        parser.error(f"unknown image(s): {', '.join(unknown)}")
    return args.out, names


def main(argv=None) -> int:
    out, names = parse_args(argv)
    out.mkdir(parents=True, exist_ok=True)
    for name in names:
        fig, mode = IMAGES[name]()
        path = out / f"{name}.png"
        save_png(fig, path, mode)
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
