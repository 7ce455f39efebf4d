"""The episode log: SQLModel tables and the recorder that writes and reads them."""

from .models import AssessmentRow, CaseSnapshot, Episode, LLMCacheEntry, LLMCall, Run, RunClaim, SurveyRow, Turn
from .recorder import Store, StoreError, make_engine

__all__ = ["AssessmentRow", "CaseSnapshot", "Episode", "LLMCacheEntry", "LLMCall", "Run", "RunClaim", "Store",
           "StoreError", "SurveyRow", "Turn", "make_engine"]
