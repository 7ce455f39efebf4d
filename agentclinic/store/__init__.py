"""The episode log: SQLModel tables and the recorder that writes and reads them."""

from .models import AssessmentRow, Episode, LLMCacheEntry, LLMCall, Run, Turn
from .recorder import Store, StoreError, make_engine

__all__ = ["AssessmentRow", "Episode", "LLMCacheEntry", "LLMCall", "Run", "Store", "StoreError", "Turn", "make_engine"]
