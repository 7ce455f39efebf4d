"""Languages: which ones the scripted roles speak, and the per-language data they read.

Everything a scripted role says or recognises in a language is data under
``agentclinic/data/languages/<code>/`` (phrases, topic cues, test and diagnosis names, the
baseline doctor's questions and feature phrases), mapped onto the same canonical concepts as
English. A language without a file for something falls back to English for that thing.
"""

from .data import language_data, languages_with
from .phrases import Phrasebook, phrasebook
from .registry import LANGUAGES, Language, base_code, get_language, is_rtl

__all__ = ["LANGUAGES", "Language", "Phrasebook", "base_code", "get_language", "is_rtl", "language_data",
           "languages_with", "phrasebook"]
