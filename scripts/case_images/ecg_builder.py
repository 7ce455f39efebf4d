"""General beat builder for the specialist-pack ECGs.

The core ECGs use the fixed timings of :mod:`ecg_engine`; the specialist cases state their
own intervals (PR, QRS, QTc) and need a few more deflections, so this module builds beats
from measured intervals:

* ``P2`` a second atrial hump 45 ms after P (broad notched P, or a negative terminal P
  in V1 when negative),
* ``D`` a delta wave: slurred upstroke that starts right after a short PR,
* ``R2`` a terminal R' after S (right bundle branch-like shapes),
* ``ST`` a flat ST shift from the J point into the T wave, ``J`` a coved shift that
  starts high at the J point and slopes down into the T wave,
* ``U`` a U wave after the end of T.

Limb leads are always derived from I and II (Einthoven/Goldberger), so they agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .common import sigmoid
from .ecg_engine import baseline_noise, wave

LIMB = ("I", "II", "III", "aVR", "aVL", "aVF")
CHEST = ("V1", "V2", "V3", "V4", "V5", "V6")


def timing(rr: float, pr: float = 0.16, qrs: float = 0.09, qtc: float = 0.40,
           peaked: bool = False, delta: float = 0.0, t_qtc: float | None = None
           ) -> dict[str, float]:
    """Wave centres and widths (s, relative to the R peak) for the stated intervals.

    PR runs from P onset to QRS onset, QRS from onset to the end of S, and QT from QRS
    onset to T end, with QT = QTc * sqrt(RR) (Bazett), so the drawn intervals can be
    measured off the paper and match the case. ``delta`` > 0 starts ventricular
    activation that much earlier (pre-excitation): PR shortens to ``pr`` measured to the
    delta onset and the QRS widens by ``delta``. ``t_qtc`` sizes the T wave as for that
    QTc, so a long QT can come from a long ST segment with a normal T wave.
    """
    k = qrs / 0.09  # the narrow template of ecg_engine.beat_timing is 90 ms wide
    tm = {"p_sd": 0.022, "q": -0.028 * k, "q_sd": 0.008 * k, "r": 0.0, "r_sd": 0.011 * k,
          "s": 0.026 * k, "s_sd": 0.010 * k}
    onset = tm["q"] - 2 * tm["q_sd"]
    tm["onset"] = onset - delta
    tm["j"] = tm["s"] + 2 * tm["s_sd"]
    tm["p"] = tm["onset"] - pr + 2 * tm["p_sd"]
    tm["d_sd"] = max(-tm["onset"] / 2.3, 1e-3)  # delta rises from its onset to the R peak
    qt = qtc * np.sqrt(rr)
    t_end = onset + qt
    shape_qt = qt if t_qtc is None else t_qtc * np.sqrt(rr)
    tl, tr = (0.032, 0.032) if peaked else (0.16 * shape_qt, 0.12 * shape_qt)
    tm.update(t=t_end - 2.3 * tr, t_sdl=tl, t_sdr=tr, t_end=t_end, u=t_end + 0.10)
    return tm


def beat(t: np.ndarray, tr: float, tm: dict, a: dict, qrs_scale: float = 1.0,
         with_p: bool = True) -> np.ndarray:
    """One beat of one lead (mV); missing amplitudes count as zero."""
    g = a.get
    y = np.zeros_like(t)
    if with_p:
        y += wave(t, tr + tm["p"], g("P", 0.0), tm["p_sd"], tm["p_sd"])
        y += wave(t, tr + tm["p"] + 0.045, g("P2", 0.0), tm["p_sd"], tm["p_sd"])
    for k in "qrs":
        y += qrs_scale * wave(t, tr + tm[k], g(k.upper(), 0.0), tm[k + "_sd"], tm[k + "_sd"])
    if g("D"):  # delta: a slow ramp from the early onset that merges into the R wave
        y += qrs_scale * wave(t, tr - 0.004, g("D"), tm["d_sd"], 0.018)
    if g("R2"):
        y += qrs_scale * wave(t, tr + tm["j"] + 0.006, g("R2"), 0.011, 0.011)
    y += wave(t, tr + tm["t"], g("T", 0.0), tm["t_sdl"], tm["t_sdr"])
    y += wave(t, tr + tm["u"], g("U", 0.0), 0.045, 0.045)
    into_t = 1 - sigmoid((t - tr - tm["t"] - 0.02) / 0.025)
    after_j = sigmoid((t - tr - tm["j"]) / 0.005)
    if g("ST"):
        y += g("ST") * after_j * into_t
    if g("J"):  # coved: a dome highest at J that falls ever faster into the T wave
        u = np.clip((t - tr - tm["j"]) / 0.16, 0, None)
        y += g("J") * after_j * np.clip(1 - u ** 2, 0, None)
    return y


@dataclass
class Beats:
    """A family of beats sharing one morphology (sinus, escape, capture, ...).

    ``amps`` maps I, II and V1-V6 to amplitude dicts; ``tms`` holds one timing per beat
    or a single timing for all; ``qrs_scale`` optionally scales each beat's QRS
    (electrical alternans).
    """

    r_times: np.ndarray
    tms: dict | list
    amps: dict[str, dict]
    qrs_scale: np.ndarray | None = None
    with_p: bool = True

    def lead(self, t: np.ndarray, name: str) -> np.ndarray:
        tms = self.tms if isinstance(self.tms, list) else [self.tms] * len(self.r_times)
        scale = np.ones(len(self.r_times)) if self.qrs_scale is None else self.qrs_scale
        y = np.zeros_like(t)
        for tr, tm, s in zip(self.r_times, tms, scale):
            y += beat(t, tr, tm, self.amps.get(name, {}), s, self.with_p)
        return y


@dataclass
class Tracing:
    """Everything summed into the 12 leads: beat families plus extra activity (for
    example flutter waves or dissociated P waves) given for I, II and V1-V6."""

    groups: list[Beats]
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    def leads(self, t: np.ndarray, rng: np.random.Generator, noise: bool = True
              ) -> dict[str, np.ndarray]:
        raw = {}
        for name in ("I", "II", *CHEST):
            raw[name] = sum(g.lead(t, name) for g in self.groups) + self.extra.get(name, 0.0)
        i, ii = raw["I"], raw["II"]
        out = {"I": i, "II": ii, "III": ii - i, "aVR": -(i + ii) / 2, "aVL": i - ii / 2,
               "aVF": ii - i / 2}
        out.update({name: raw[name] for name in CHEST})
        if noise:
            out = {k: v + baseline_noise(t, rng) for k, v in out.items()}
        return out


def regular_r_times(rate: float, rng: np.random.Generator, start: float = 0.3,
                    end: float = 10.3, jitter: float = 0.01) -> np.ndarray:
    """R peaks of a regular rhythm with slight beat-to-beat variation."""
    rr0, times, t = 60.0 / rate, [], start
    while t < end:
        times.append(t)
        t += rr0 * (1 + rng.normal(0, jitter))
    return np.array(times)


def p_train(t: np.ndarray, p_times: np.ndarray, amp: float, sd: float = 0.022) -> np.ndarray:
    """Atrial activity not tied to the QRS (AV dissociation)."""
    y = np.zeros_like(t)
    for tp in p_times:
        y += wave(t, tp, amp, sd, sd)
    return y
