"""Reproducible per-episode seeds (pure)."""

from __future__ import annotations

import hashlib


def derive_seed(seed: int, *parts: object) -> int:
    """A 32-bit seed from a base seed and identifying parts (scenario id, trial, role).

    Stable across processes and Python versions (unlike ``hash``), so an episode can be
    replayed alone and still behave as it did inside a batch.
    """
    text = "/".join([str(seed), *map(str, parts)])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
