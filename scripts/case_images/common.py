"""Shared helpers for every drawing: deterministic PNG saving, soft-edged shapes, blur and
correlated noise (numpy only, no scipy), Pillow masks and pixel-exact raster figures."""
from __future__ import annotations

import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image, ImageDraw

DPI = 100

# Pin the font so text renders the same everywhere matplotlib ships DejaVu Sans.
plt.rcParams.update({"font.family": "DejaVu Sans", "font.size": 11})

def save_png(fig, path: Path, mode: str = "RGB") -> None:
    """Render a figure and re-encode it with Pillow.

    metadata={"Software": None} drops matplotlib's version tag; Agg writes no tIME
    chunk, and Pillow adds nothing, so identical drawings give identical bytes.
    Grey-scale images are stored as 8-bit "L" (or "L64", 64 grey levels) and blood films
    and thin-line drawings as a palette ("P": 256 colours, "P96": 96) to keep them small.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None},
                facecolor=fig.get_facecolor())
    plt.close(fig)
    buf.seek(0)
    with Image.open(buf) as im:
        if mode.startswith("P"):  # palette ("P" = 256 colours, "P64" = 64), no dithering
            out = im.convert("RGB").quantize(colors=int(mode[1:] or 256),
                                             method=Image.Quantize.MEDIANCUT,
                                             dither=Image.Dither.NONE)
        elif mode == "L64":  # 64 grey levels: under film mottle or speckle no banding shows
            lut = [round(round(v * 63 / 255) * 255 / 63) for v in range(256)]
            out = im.convert("L").point(lut)
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
    draw.line([(x, y), (xm, ym), (x2, y2)], fill=int(fill), width=max(1, round(width)),
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
