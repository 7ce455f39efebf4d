"""Trajectory export: logged episodes as chat-message datasets (JSONL, Parquet, ``datasets``) and
DPO preference pairs. See :func:`export_records`, :func:`preference_pairs` and :func:`write`."""

from .formats import FORMATS, OutputError, write
from .pairs import preference_pairs
from .records import ExportError, Selection, export_records

__all__ = ["FORMATS", "ExportError", "OutputError", "Selection", "export_records", "preference_pairs", "write"]
