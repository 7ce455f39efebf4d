"""Command line: ``python scripts/generate_case_images.py [--pack P ...] [--out DIR] [--only NAME ...]``."""
from __future__ import annotations

import argparse
from pathlib import Path

from .catalogue import IMAGES, names_in, packs
from .common import save_png

REPO_ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = REPO_ROOT / "scenarios"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description="Draw the simulated, schematic case images for AgentClinic "
                    "(CC BY 4.0). Output is deterministic.",
        epilog="Packs with images: " + ", ".join(packs()) + ". Use --list for image names.")
    parser.add_argument("--pack", nargs="+", metavar="PACK", default=["core"],
                        help="draw the images of these packs ('all' for every pack; "
                             "default: core)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write every image into this one directory (default: each "
                             "pack's scenarios/<pack>/images)")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        help="draw only these images, from any pack (name with or "
                             "without .png)")
    parser.add_argument("--list", action="store_true", help="list image names and exit")
    return parser


def parse_args(argv: list[str] | None = None) -> tuple[Path | None, list[str], bool]:
    """Return (output directory or None, image names to draw, list only)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.only:
        names = [n.removesuffix(".png") for n in args.only]
        unknown = [n for n in names if n not in IMAGES]
        if unknown:
            parser.error(f"unknown image(s): {', '.join(unknown)}")
        return args.out, names, args.list
    selected = packs() if "all" in args.pack else args.pack
    unknown = [p for p in selected if p not in packs()]
    if unknown:
        parser.error(f"no images for pack(s): {', '.join(unknown)} (have: {', '.join(packs())})")
    return args.out, names_in(selected), args.list


def target(name: str, out: Path | None) -> Path:
    """Where an image is written: the --out directory, else its pack's images folder."""
    folder = out if out is not None else SCENARIOS / IMAGES[name].pack / "images"
    return folder / f"{name}.png"


def main(argv: list[str] | None = None) -> int:
    out, names, list_only = parse_args(argv)
    for name in names:
        if list_only:
            print(f"{IMAGES[name].pack}\t{name}")
            continue
        path = target(name, out)
        path.parent.mkdir(parents=True, exist_ok=True)
        fig, mode = IMAGES[name].draw()
        save_png(fig, path, mode)
        print(f"{path}  {path.stat().st_size / 1024:.0f} KB")
    return 0
