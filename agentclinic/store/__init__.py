"""The episode log: SQLModel tables and the recorder that writes and reads them."""

from .models import (AssessmentRow, CaseSnapshot, DoctorNote, DoctorToolCall, Episode, LLMCacheEntry, LLMCall, Run,
                     RunClaim, SurveyRow, Turn)
from .engine import make_engine
from .errors import StoreError
from .recorder import Store

__all__ = ["AssessmentRow", "CaseSnapshot", "DoctorNote", "DoctorToolCall", "Episode", "LLMCacheEntry", "LLMCall",
           "Run", "RunClaim", "Store", "StoreError", "SurveyRow", "Turn", "make_engine"]
