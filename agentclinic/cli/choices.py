"""Defaults and choices that ``--help`` shows, kept here so that drawing the help imports nothing heavy.

Each is a copy of a constant whose home module pulls in the database layer, numpy or
scipy; ``tests/test_startup.py`` checks every copy against its source, so they cannot drift.
"""

from __future__ import annotations

DEFAULT_MAX_TURNS = 20  # agentclinic.episode.DEFAULT_MAX_TURNS
DEFAULT_PROMPTS = "default"  # agentclinic.prompting.DEFAULT_PROMPTS
EXPORT_FORMATS = ("jsonl", "parquet", "hf", "pairs")  # agentclinic.export.formats.FORMATS
EXPORT_STATUSES = ("completed", "failed", "abandoned", "running", "any")  # agentclinic.export.records.STATUSES
PANEL_MODES = ("majority", "mean")  # agentclinic.assess.panel.PANEL_MODES
